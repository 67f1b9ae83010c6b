// The evaluation behind eval_js_async and eval_js_sync, the same on every engine: the caller's script
// through indirect eval (its completion value, in the page's global scope), awaited; resolves to JSON
// text, {"ok": true, "value": ...} or {"ok": false, "name", "message", "stack"}. Never rejects.
(async (script) => {
  try {
    const value = await (0, eval)(script);
    return JSON.stringify({ok: true, value: value === undefined ? null : value});
  } catch (e) {
    const error = (e !== null && typeof e === "object") ? e : {message: String(e)};
    return JSON.stringify({ok: false, name: error.name || "Error",
                           message: String(error.message !== undefined ? error.message : e),
                           stack: error.stack || ""});
  }
})
