// dccview page bridge, the privileged half. Injected at document start into the top frame only, in
// dccview's own isolated script world: page scripts and frames run in another world and can neither
// read this script's variables nor reach the "dccview" message handler, which exists in this world
// alone. It is the only sender native code accepts, and it tells native code who sends:
//   - the view's token (replaced per WebView at injection; it never exists in the page's world),
//   - this document's id (fresh per document: answers are delivered to the document that called),
//   - this document's origin, read here where page scripts cannot fake it.
// Every message travels as one string: a header line, a newline, then the page's message as the
// page's half (js/bridge.js) wrote it. The hello's header is JSON with those three; later messages'
// is this document's id alone. See docs/protocol.md.
(function () {
  "use strict";
  // The two halves' channel (the same names in js/bridge.js).
  const TO_NATIVE = "dccview:to-native";
  const TO_PAGE = "dccview:to-page";
  const EVAL_RESULT = "dccview:eval-result";
  if (globalThis.__dccviewDeliver) return;
  const post = nativeChannel();
  if (!post) return;

  // The way to native code, which exists in this world only:
  //   WebKitGTK      the "dccview" script message handler, registered for this world alone;
  //   Qt WebEngine   a QWebChannel set on this world alone (qt.webChannelTransport exists nowhere
  //                  else); its "dccview" object is usable after one round trip, so the messages
  //                  posted before that wait here, in order.
  function nativeChannel() {
    const handlers = window.webkit && window.webkit.messageHandlers;
    if (handlers && handlers.dccview) return (text) => handlers.dccview.postMessage(text);
    if (typeof QWebChannel !== "function" || typeof qt !== "object" || !qt || !qt.webChannelTransport) {
      return null;
    }
    let sink = null;
    const waiting = [];  // [method, argument] posted before the channel was up
    // No callback: native code sends nothing back for a post (its answers come as toPage signals).
    const send = (method, argument) => (sink ? sink[method](argument) : waiting.push([method, argument]));
    new QWebChannel(qt.webChannelTransport, (channel) => {
      sink = channel.objects.dccview;
      // Native code's messages arrive as a signal of the channel's object: no script to compile per
      // delivery (runJavaScript would compile each one). `ack`, when not 0, asks to be told when the
      // page has handled them (native code paces event batches by it).
      sink.toPage.connect((forDocument, messagesJson, ack) => {
        globalThis.__dccviewDeliver(forDocument, messagesJson);
        if (ack) send("delivered", ack);
      });
      while (waiting.length) {
        const [method, argument] = waiting.shift();
        send(method, argument);
      }
    });
    // Evaluations whose result comes back as an event (Qt WebEngine cannot await a Promise):
    // "<evaluation id>\n<result JSON>", dispatched by the evaluation's own code in the page world.
    document.addEventListener(EVAL_RESULT, (event) => {
      if (typeof event.detail === "string") send("evalResult", event.detail);
    });
    return (text) => send("post", text);
  }

  const idBytes = new Uint8Array(16);
  crypto.getRandomValues(idBytes);
  const documentId = Array.from(idBytes, (b) => b.toString(16).padStart(2, "0")).join("");
  // The hello carries the full header; every later message names this document by its id alone:
  // native code took the token and the origin from the hello (the id is as unguessable as the token
  // and, like it, never reaches the page's world). A shorter message crosses faster: the header was a
  // measured share of a call's round trip on Qt WebEngine.
  const header =
    JSON.stringify({ token: "__DCCVIEW_BRIDGE_TOKEN__", doc: documentId, origin: location.origin }) + "\n";
  const shortHeader = documentId + "\n";

  // Only strings cross: whatever else a page script dispatches is not a bridge message.
  document.addEventListener(TO_NATIVE, (event) => {
    if (typeof event.detail === "string") post(shortHeader + event.detail);
  });

  // Native code calls this (in this world) with the id of the document its messages are for; a
  // document that replaced that one drops them instead of taking another document's answers.
  globalThis.__dccviewDeliver = (forDocument, messagesJson) => {
    if (forDocument !== documentId) return false;
    document.dispatchEvent(new CustomEvent(TO_PAGE, { detail: messagesJson }));
    return true;
  };

  post(header + '{"type":"hello"}');
})();
