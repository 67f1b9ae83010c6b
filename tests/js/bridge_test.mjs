// js/bridge.js on its own, in Node (no browser, no native code): window.dccview against a stand-in for
// the privileged half (js/bridge_world.js), which records what the page posts and delivers answers
// and events as native code would. Run: node tests/js/bridge_test.mjs (ctest: js_bridge).
//
// Every test gets a fresh document and window, and a fresh copy of the bridge.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bridgeSource = readFileSync(fileURLToPath(new URL("../../js/bridge.js", import.meta.url)), "utf8");
const TO_NATIVE = "dccview:to-native";
const TO_PAGE = "dccview:to-page";

// The DOM's CustomEvent (global in Node >= 19; Debian 12's Node 18 lacks it).
class DomCustomEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.detail = init.detail === undefined ? null : init.detail;
  }
}

// A page with the bridge installed, and the privileged half's side of the channel.
function openPage() {
  const window = new EventTarget();
  const document = new EventTarget();
  const posted = [];  // the page's messages, parsed, in the order they left
  document.addEventListener(TO_NATIVE, (event) => posted.push(JSON.parse(event.detail)));
  const install = new Function("window", "document", "CustomEvent", "EventTarget", "performance", "setTimeout",
    "clearTimeout", "queueMicrotask", "console", bridgeSource);
  install(window, document, DomCustomEvent, EventTarget, performance, setTimeout, clearTimeout, queueMicrotask, console);
  const deliver = (messages) =>
    document.dispatchEvent(new DomCustomEvent(TO_PAGE, { detail: typeof messages === "string" ? messages : JSON.stringify(messages) }));
  return { dccview: window.dccview, window, posted, deliver, ready: (maxBytes = 0) => deliver([{ type: "ready", max_bytes: maxBytes }]) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const outcome = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

const tests = [];
const test = (name, fn) => tests.push([name, fn]);

test("messages wait for ready, then leave in order", async () => {
  const page = openPage();
  page.dccview.emit("first", 1);
  page.dccview.call("second");
  await settle();
  assert.equal(page.posted.length, 0);
  page.ready();
  assert.deepEqual(page.posted.map((m) => m.event || m.method), ["first", "second"]);
});

test("a call resolves with the native value, an error rejects with its name, code and fields", async () => {
  const page = openPage();
  page.ready();
  const ok = page.dccview.call("add", { a: 1 });
  const bad = outcome(page.dccview.call("fail"));
  await settle();
  const [add, fail] = page.posted[0].messages;
  assert.deepEqual(add, { type: "call", id: add.id, method: "add", params: { a: 1 } });
  page.deliver([
    { type: "result", id: fail.id, ok: false, error: { name: "HandlerError", message: "boom", code: "E42", detail: 7 } },
    { type: "result", id: add.id, ok: true, value: 3 },
  ]);
  assert.equal(await ok, 3);
  const { error } = await bad;
  assert.equal(error.name, "HandlerError");
  assert.equal(error.message, "boom");
  assert.equal(error.code, "E42");
  assert.equal(error.detail, 7);
});

test("calls made in one task leave as one batch", async () => {
  const page = openPage();
  page.ready();
  await Promise.all([page.dccview.call("a"), page.dccview.call("b"), settle().then(() => {
    assert.equal(page.posted.length, 1);
    assert.deepEqual(page.posted[0].messages.map((m) => m.method), ["a", "b"]);
    page.deliver(page.posted[0].messages.map((m) => ({ type: "result", id: m.id, ok: true, value: null })));
  })]);
});

for (const [text, what] of [["x", "ASCII"], ["\u00e9", "2-byte UTF-8"], ["\u6f22", "3-byte UTF-8"], ["\u{1F600}", "4-byte UTF-8"]]) {
  test(`batches stay under half the native limit in UTF-8 bytes (${what})`, async () => {
    const page = openPage();
    page.ready(600);  // 300 bytes per batch
    for (let i = 0; i < 12; i++) page.dccview.call("c", text.repeat(20));
    await settle();
    assert.ok(page.posted.length > 1, "twelve calls cannot share one 300-byte batch");
    const ids = page.posted.flatMap((m) => (m.type === "batch" ? m.messages : [m])).map((m) => m.id);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const message of page.posted) {
      const bytes = Buffer.byteLength(JSON.stringify(message));
      assert.ok(bytes <= 300, `a batch of ${bytes} bytes`);
      if (message.type === "batch") assert.ok(bytes > 150, `a batch of ${bytes} bytes: too eager to split`);
    }
  });
}

test("each call times out at its own deadline, whatever the order the calls were made in", async () => {
  const page = openPage();
  page.ready();
  const t0 = performance.now();
  const long = outcome(page.dccview.call("long", null, { timeout: 5000 }));
  const short = outcome(page.dccview.call("short", null, { timeout: 30 }));
  const { error } = await short;
  const waited = performance.now() - t0;
  assert.equal(error.name, "TimeoutError");
  assert.match(error.message, /'short' timed out after 30 ms/);
  assert.ok(waited >= 29 && waited < 2500, `the 30 ms call timed out after ${waited} ms`);
  await settle();
  const longId = page.posted[0].messages[0].id;
  page.deliver([{ type: "result", id: longId, ok: true, value: "late but in time" }]);
  assert.deepEqual(await long, { value: "late but in time" });
});

test("a call answered in time does not take a later call's timeout with it", async () => {
  const page = openPage();
  page.ready();
  const first = page.dccview.call("first", null, { timeout: 20 });
  const second = outcome(page.dccview.call("second", null, { timeout: 60 }));
  await settle();
  page.deliver([{ type: "result", id: 1, ok: true, value: 1 }]);
  assert.equal(await first, 1);
  const { error } = await second;
  assert.equal(error.name, "TimeoutError");
});

test("an answer after the timeout is ignored; the rejection stands", async () => {
  const page = openPage();
  page.ready();
  const { error } = await outcome(page.dccview.call("slow", null, { timeout: 10 }));
  assert.equal(error.name, "TimeoutError");
  page.deliver([{ type: "result", id: 1, ok: true, value: "too late" }]);  // no throw, nothing resolves
});

test("a timeout beyond what a timer can wait does not fire at once", async () => {
  const page = openPage();
  page.ready();
  let settled = false;
  page.dccview.call("patient", null, { timeout: 2 ** 40 }).then(() => (settled = true), () => (settled = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(settled, false);
  page.deliver([{ type: "result", id: 1, ok: true, value: null }]);
  await settle();
  assert.equal(settled, true);
});

test("names starting with dccview: are refused in the page", async () => {
  const page = openPage();
  page.ready();
  const { error } = await outcome(page.dccview.call("dccview:closed"));
  assert.equal(error.name, "ReservedNameError");
  assert.throws(() => page.dccview.emit("dccview:ready"), { name: "ReservedNameError" });
  await settle();
  assert.equal(page.posted.length, 0);
});

test("events reach on/once listeners; a throwing listener does not stop the others", async () => {
  const page = openPage();
  const seen = [];
  const quietConsole = console.error;
  console.error = () => {};
  try {
    page.dccview.on("tick", () => { throw new Error("listener bug"); });
    const off = page.dccview.on("tick", (data) => seen.push(["on", data]));
    page.dccview.once("tick", (data) => seen.push(["once", data]));
    page.deliver([{ type: "events", events: ["tick", 1, "tick", 2] }]);
    off();
    page.deliver([{ type: "events", events: ["tick", 3] }]);
  } finally {
    console.error = quietConsole;
  }
  assert.deepEqual(seen, [["on", 1], ["once", 1], ["on", 2]]);
});

test("shutdown and leaving the page reject the calls in flight with ShutdownError", async () => {
  const page = openPage();
  page.ready();
  const closing = outcome(page.dccview.call("a"));
  page.deliver([{ type: "shutdown" }]);
  assert.equal((await closing).error.name, "ShutdownError");
  const leaving = outcome(page.dccview.call("b"));
  page.window.dispatchEvent(new Event("pagehide"));
  assert.equal((await leaving).error.name, "ShutdownError");
});

test("a __proto__ key in native data stays plain data", async () => {
  const page = openPage();
  page.ready();
  const value = page.dccview.call("get");
  await settle();
  page.deliver('[{"type":"result","id":1,"ok":true,"value":{"__proto__":{"polluted":true}}}]');
  const got = await value;
  assert.ok(Object.hasOwn(got, "__proto__"));
  assert.equal({}.polluted, undefined);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
});

test("window.dccview cannot be replaced, and a second copy of the bridge keeps the first", () => {
  const page = openPage();
  const first = page.dccview;
  assert.throws(() => { "use strict"; page.window.dccview = {}; }, TypeError);
  assert.equal(page.window.dccview, first);
});

let failed = 0;
for (const [name, fn] of tests) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n${error.stack}`);
  }
}
console.log(`${tests.length - failed} of ${tests.length} passed`);
process.exit(failed ? 1 : 0);
