// For engines whose script evaluation cannot await a Promise (Qt WebEngine's runJavaScript): runs
// js/evaluate.js (placed where the placeholder below is) in the page's world and sends its outcome as
// the event the bridge's privileged half forwards to native code ("<id>\n<outcome JSON>"; see
// js/bridge_world.js). Called as (id, script). The event functions are taken before the script runs,
// so a script that replaces them still reports.
((id, script) => {
  const dispatch = EventTarget.prototype.dispatchEvent, Event = CustomEvent, target = document;
  (__DCCVIEW_EVALUATE__)(script).then((text) =>
    dispatch.call(target, new Event("dccview:eval-result", {detail: id + "\n" + text})));
})
