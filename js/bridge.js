// dccview page bridge: window.dccview. Injected at document start into every frame of a dccview
// WebView. Talks to native code through the "dccview" script message handler with JSON strings;
// native code answers by calling window.dccview.__deliver(messagesJson) (answers and events, as
// data) or window.dccview.__native(message) (rare messages).
(function () {
  "use strict";
  if (window.dccview && window.dccview.__installed) return;

  const handler = () =>
    window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.dccview;
  // Replaced per WebView when the bridge is injected (top frame only). Frames of other origins cannot
  // read it, so native code can tell this bridge's messages from anything else posting to the handler.
  const token = "__DCCVIEW_BRIDGE_TOKEN__";

  let nextId = 1;
  const pending = new Map();   // id -> {resolve, reject, timer}
  // event -> array of callbacks, replaced (never changed in place) by on/off: dispatching iterates
  // the array it found without copying it, even if a listener subscribes or unsubscribes meanwhile.
  const listeners = new Map();
  const outbox = [];           // messages posted before the native side is reachable
  let ready = false;
  // Messages sent in one JavaScript task (64 calls under Promise.all) leave as one batch, a single
  // crossing into native code; batches stay under half the native size limit (told in "ready").
  let sendQueue = [];
  let sendQueueBytes = 0;
  let batchLimitBytes = 1 << 16;
  const readyWaiters = [];

  function makeError(name, message, extra) {
    const error = new Error(message);
    error.name = name;
    error.code = (extra && extra.code) || name;
    if (extra) {
      for (const key of Object.keys(extra)) if (key !== "code") error[key] = extra[key];
    }
    return error;
  }

  function send(message) {
    message.token = token;
    const text = JSON.stringify(message);
    const h = handler();
    if (!ready || !h) {
      outbox.push(text);
      return;
    }
    if (sendQueueBytes + text.length > batchLimitBytes) flushSendQueue();
    if (sendQueue.length === 0) queueMicrotask(flushSendQueue);
    sendQueue.push(text);
    sendQueueBytes += text.length;
  }

  function flushSendQueue() {
    const texts = sendQueue;
    sendQueue = [];
    sendQueueBytes = 0;
    const h = handler();
    if (texts.length === 0 || !h) return;
    if (texts.length === 1) {
      h.postMessage(texts[0]);
      return;
    }
    h.postMessage('{"type":"batch","token":' + JSON.stringify(token) + ',"messages":[' + texts.join(",") + "]}");
  }

  function flushOutbox() {
    const h = handler();
    if (!h) return;
    while (outbox.length) h.postMessage(outbox.shift());
  }

  function markReady() {
    if (ready) return;
    ready = true;
    flushOutbox();
    while (readyWaiters.length) readyWaiters.shift()();
  }

  function rejectAll(name, message) {
    for (const [id, entry] of pending) {
      clearTimeout(entry.timer);
      entry.reject(makeError(name, message));
      pending.delete(id);
    }
  }

  function callListener(callback, event, data) {
    try {
      callback(data);
    } catch (e) {
      console.error("dccview: listener for '" + event + "' threw", e);
    }
  }

  function dispatchEvent(event, data) {
    const list = listeners.get(event);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) callListener(list[i], event, data);
  }

  const api = {
    __installed: true,

    // Calls a native handler; resolves with its return value, rejects with an Error whose name and
    // code say why (TimeoutError, HandlerError, NotFoundError, ShutdownError, OriginError,
    // PayloadTooLargeError).
    call(method, params, options) {
      const id = nextId++;
      const timeoutMs = (options && options.timeout) || 30000;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          if (pending.delete(id)) {
            reject(makeError("TimeoutError", "call '" + method + "' timed out after " + timeoutMs + " ms"));
          }
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        send({ type: "call", id, method: String(method), params: params === undefined ? null : params });
      });
    },

    // Sends an event to native handlers registered with on(event).
    emit(event, data) {
      send({ type: "emit", event: String(event), data: data === undefined ? null : data });
    },

    // Listens to events emitted by native code; returns a function that unsubscribes.
    on(event, callback) {
      const list = listeners.get(event) || [];
      if (!list.includes(callback)) listeners.set(event, list.concat([callback]));
      return () => api.off(event, callback);
    },

    once(event, callback) {
      const off = api.on(event, (data) => {
        off();
        callback(data);
      });
      return off;
    },

    off(event, callback) {
      const list = listeners.get(event);
      if (!list) return;
      const rest = callback ? list.filter((c) => c !== callback) : [];
      if (rest.length) listeners.set(event, rest);
      else listeners.delete(event);
    },

    whenReady() {
      return ready ? Promise.resolve() : new Promise((resolve) => readyWaiters.push(resolve));
    },

    // Native -> page. Not for page code.
    // A JSON array of messages: the one function native code calls for answers and events, so the
    // page compiles nothing per delivery.
    __deliver(messagesJson) {
      return api.__deliverList(JSON.parse(messagesJson));
    },

    // The same, as a script: large batches of events (a JavaScript array literal parses faster than a
    // string argument crosses into the page and through JSON.parse).
    __deliverList(messages) {
      for (let i = 0; i < messages.length; i++) api.__native(messages[i]);
      return true;
    },

    __native(message) {
      switch (message.type) {
        case "ready":
          if (message.max_bytes > 0) batchLimitBytes = Math.min(1 << 20, Math.floor(message.max_bytes / 2));
          markReady();
          break;
        case "result": {
          const entry = pending.get(message.id);
          if (!entry) return;
          pending.delete(message.id);
          clearTimeout(entry.timer);
          if (message.ok) entry.resolve(message.value);
          else entry.reject(makeError(message.error.name, message.error.message, message.error));
          break;
        }
        case "events": {
          const events = message.events;  // flat: name, data, name, data, ...
          for (let i = 0; i + 1 < events.length; i += 2) dispatchEvent(events[i], events[i + 1]);
          break;
        }
        case "shutdown":
          rejectAll("ShutdownError", "the WebView is closing");
          break;
      }
    },
  };

  window.addEventListener("pagehide", () => rejectAll("ShutdownError", "the page is navigating away"));
  Object.defineProperty(window, "dccview", { value: api, writable: false, configurable: false });
  // The message handler exists from document start; announce ourselves so native code can answer
  // "ready" (it also lets native code know which frame and origin this bridge lives in).
  if (handler()) {
    handler().postMessage(JSON.stringify({ type: "hello", token }));
  }
})();
