// dccview page bridge, the page's half: window.dccview. Injected at document start into the top frame
// of every document a dccview WebView loads, in the page's own script world. It holds no secret and
// cannot reach native code by itself: it hands its messages (JSON text) to the privileged half
// (js/bridge_world.js), which lives in an isolated script world the page cannot enter, through an
// event on this document; a frame of another origin cannot touch this document. Native code answers
// through the privileged half (answers, events: the same event the other way, then
// window.dccview.__deliver) or, for event floods and rare messages, by calling
// window.dccview.__deliverList / __native directly.
(function () {
  "use strict";
  if (window.dccview && window.dccview.__installed) return;

  // The two halves' channel (the same names in js/bridge_world.js). Taken now, so that a page that
  // later replaces these globals only breaks itself.
  const TO_NATIVE = "dccview:to-native";
  const TO_PAGE = "dccview:to-page";
  const pageDocument = document;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const NativeCustomEvent = CustomEvent;
  const RESERVED_PREFIX = "dccview:";  // names native code keeps for its own events

  let nextId = 1;
  const pending = new Map();   // id -> {resolve, reject, deadline, method, timeoutMs}
  // event -> array of callbacks, replaced (never changed in place) by on/off: dispatching iterates
  // the array it found without copying it, even if a listener subscribes or unsubscribes meanwhile.
  const listeners = new Map();
  const outbox = [];           // messages posted before the native side is reachable
  let ready = false;
  // Messages sent in one JavaScript task (64 calls under Promise.all) leave as one batch, a single
  // crossing into native code; a batch stays under half the native size limit (told in "ready"),
  // counted in UTF-8 bytes as native code counts.
  let sendQueue = [];
  let sendQueueBytes = 0;  // the queued messages' size (without the batch around them)
  let batchLimitBytes = 1 << 16;
  const BATCH_WRAPPER_BYTES = '{"type":"batch","messages":[]}'.length;
  const NOT_ASCII = /[^\x00-\x7f]/;
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

  function post(text) {
    dispatch.call(pageDocument, new NativeCustomEvent(TO_NATIVE, { detail: text }));
  }

  function send(message) {
    const text = JSON.stringify(message);
    if (!ready) {
      outbox.push(text);
      return;
    }
    const bytes = utf8Bytes(text);
    if (sendQueue.length > 0 && BATCH_WRAPPER_BYTES + sendQueueBytes + sendQueue.length + bytes > batchLimitBytes) {
      flushSendQueue();  // (sendQueue.length: the commas between the messages)
    }
    if (sendQueue.length === 0) queueMicrotask(flushSendQueue);
    sendQueue.push(text);
    sendQueueBytes += bytes;
  }

  function utf8Bytes(text) {
    if (!NOT_ASCII.test(text)) return text.length;
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      // 1 byte below U+0080, 2 below U+0800, else 3; a surrogate pair (2 units) is 4 bytes
      bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
      if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next < 0xe000) {
          bytes += 1;
          i++;
        }
      }
    }
    return bytes;
  }

  function flushSendQueue() {
    const texts = sendQueue;
    sendQueue = [];
    sendQueueBytes = 0;
    if (texts.length === 0) return;
    post(texts.length === 1 ? texts[0] : '{"type":"batch","messages":[' + texts.join(",") + "]}");
  }

  function flushOutbox() {
    while (outbox.length) post(outbox.shift());
  }

  function markReady() {
    if (ready) return;
    ready = true;
    flushOutbox();
    while (readyWaiters.length) readyWaiters.shift()();
  }

  function rejectAll(name, message) {
    for (const [id, entry] of pending) {
      entry.reject(makeError(name, message));
      pending.delete(id);
    }
  }

  // Call timeouts share one timer, armed for the earliest deadline: a timer per call cost about a
  // tenth of a call's round trip (arming and cancelling one is a trip through the page's scheduler),
  // while calls nearly always answer long before their deadline. When it fires it times out what is
  // due and re-arms for the next deadline.
  let deadlineTimer = 0;
  let armedDeadline = Infinity;
  const now = performance.now.bind(performance);  // taken now, as dispatchEvent above

  function armDeadline(deadline) {
    if (deadline >= armedDeadline) return;
    clearTimeout(deadlineTimer);
    armedDeadline = deadline;
    // (a delay past 2^31 - 1 ms would fire at once: wait the most a timer can, then look again)
    deadlineTimer = setTimeout(expireCalls, Math.min(0x7fffffff, Math.max(0, deadline - now())));
  }

  function expireCalls() {
    armedDeadline = Infinity;
    const t = now();
    let next = Infinity;
    for (const [id, entry] of pending) {
      if (entry.deadline > t) {
        next = Math.min(next, entry.deadline);
        continue;
      }
      pending.delete(id);
      entry.reject(makeError("TimeoutError", "call '" + entry.method + "' timed out after " + entry.timeoutMs + " ms"));
    }
    if (next !== Infinity) armDeadline(next);
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

  function reservedNameError(kind, name) {
    return makeError("ReservedNameError", kind + " '" + name + "': names starting with '" + RESERVED_PREFIX +
      "' are kept for dccview's own events");
  }

  const api = {
    __installed: true,

    // Calls a native handler; resolves with its return value, rejects with an Error whose name and
    // code say why (TimeoutError, HandlerError, NotFoundError, ShutdownError, OriginError,
    // PayloadTooLargeError, ReservedNameError).
    call(method, params, options) {
      method = String(method);
      if (method.startsWith(RESERVED_PREFIX)) return Promise.reject(reservedNameError("call", method));
      const id = nextId++;
      const timeoutMs = (options && options.timeout) || 30000;
      return new Promise((resolve, reject) => {
        const deadline = now() + timeoutMs;
        pending.set(id, { resolve, reject, deadline, method, timeoutMs });
        armDeadline(deadline);
        send({ type: "call", id, method, params: params === undefined ? null : params });
      });
    },

    // Sends an event to native handlers registered with on(event). Throws ReservedNameError for
    // names starting with "dccview:" (native code's own events).
    emit(event, data) {
      event = String(event);
      if (event.startsWith(RESERVED_PREFIX)) throw reservedNameError("emit", event);
      send({ type: "emit", event, data: data === undefined ? null : data });
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
    // A JSON array of messages (answers and events), as the privileged half hands it over: JSON.parse
    // gives every key, "__proto__" included, as an own property.
    __deliver(messagesJson) {
      return api.__deliverList(JSON.parse(messagesJson));
    },

    // The same, as a script: large batches of events (a JavaScript array literal parses faster than a
    // string argument crosses into the page and through JSON.parse). Native code never sends a
    // "__proto__" key this way (in a literal it would set the prototype).
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
  pageDocument.addEventListener(TO_PAGE, (event) => {
    if (typeof event.detail === "string") api.__deliver(event.detail);
  });
  Object.defineProperty(window, "dccview", { value: api, writable: false, configurable: false });
})();
