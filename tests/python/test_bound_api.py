"""bind_call / bind_api (AuroraView's names for call handlers), broadcast, and the TypeScript
declaration a view gives the page for its bound calls (checked with the TypeScript compiler)."""

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

import dccview
from dccview import WebView
from dccview._bound_api import BoundSignatures

from conftest import needs_display

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "build" / "node" / "node_modules" / ".bin" / "tsc"  # ./dev installs it (npm)
PAGE = "<!doctype html><p>bound api</p>"
MAIN = threading.main_thread().ident


class Scene:
    """A tool's API as a plain object: its public methods become page calls."""

    def __init__(self):
        self.objects = []
        self.threads = set()

    def create(self, name: str, size: int = 1) -> str:
        self.threads.add(threading.get_ident())
        self.objects.append(name)
        return f"{name}:{size}"

    def count(self) -> int:
        return len(self.objects)

    def fail(self) -> None:
        raise KeyError("no such object")

    def _hidden(self):
        return "never bound"


def ready(view):
    assert view.eval_js_sync("dccview.whenReady().then(() => true)", 20000) is True
    return view


@needs_display
def test_bind_api_binds_public_methods_with_auroraview_unpacking_and_dcc_mode(main_loop):
    def body():
        scene = Scene()
        view = WebView(title="bound", dcc_mode=True)
        names = view.bind_api(scene)

        @view.bind_call("tools.echo")
        def echo(value=None):
            return value

        view.load_html(PAGE)
        ready(view)
        call = view.eval_js_sync
        results = {
            "names": names,
            "kwargs": call("dccview.call('api.create', {name: 'cube', size: 2})"),
            "default": call("dccview.call('api.create', {name: 'ball'})"),
            "positional": call("dccview.call('api.create', ['cone', 3])"),
            "none": call("dccview.call('api.count')"),
            "scalar": call("dccview.call('tools.echo', 7)"),
            "error": call("dccview.call('api.fail').catch((e) => [e.name, e.type, e.message])"),
            "hidden": call("dccview.call('api._hidden').catch((e) => e.name)"),
            "threads": scene.threads,
        }
        view.close()
        return results

    results = main_loop(body)
    assert results["names"] == ["api.count", "api.create", "api.fail"]
    assert (results["kwargs"], results["default"], results["positional"]) == ("cube:2", "ball:1", "cone:3")
    assert results["none"] == 3 and results["scalar"] == 7
    assert results["error"][0] == "HandlerError" and results["error"][1] == "KeyError", results["error"]
    assert results["hidden"] == "NotFoundError"
    assert results["threads"] == {MAIN}, "dcc_mode: bound calls run on the main thread"


@needs_display
def test_broadcast_reaches_every_open_view_and_skips_closed_ones(main_loop):
    def body():
        views = [WebView(title=f"panel {i}", html=PAGE) for i in range(3)]
        for view in views:
            ready(view)
            view.eval_js("window.got = []; dccview.on('scene_changed', (d) => window.got.push(d))")
        views[2].close()
        sent = dccview.broadcast("scene_changed", {"objects": 4})
        got = []
        for view in views[:2]:
            deadline = 200
            while deadline and view.eval_js_sync("window.got.length") == 0:
                deadline -= 1
            got.append(view.eval_js_sync("window.got"))
            view.close()
        return sent, got, [view.name for view in dccview.list_webviews()]

    sent, got, still_open = main_loop(body)
    assert sent == 2
    assert got == [[{"objects": 4}], [{"objects": 4}]]
    assert still_open == []


def bound_scene_declaration():
    bound = BoundSignatures()
    scene = Scene()
    for name in ("create", "count", "fail"):
        bound.add(f"api.{name}", getattr(scene, name))
    return bound.typescript("bound", "./dccview")


def test_the_declaration_types_bound_calls_from_the_python_signatures():
    text = bound_scene_declaration()
    assert '"api.create": (params: { name: string; size?: number }) => string;' in text
    assert '"api.count": (params?: null) => number;' in text
    assert '"api.fail": (params?: null) => null;' in text
    assert 'declare module "./dccview"' in text


USAGE = """
import type { Dccview } from "./dccview";
import "./bound";
declare const dccview: Dccview;

async function typed(): Promise<void> {
  const made: string = await dccview.call("api.create", { name: "cube", size: 2 });
  const alsoMade: string = await dccview.call("api.create", { name: "cube" }, { timeout: 500 });
  const count: number = await dccview.call("api.count");
  const anything = await dccview.call<number>("not.bound", { any: "thing" });  // the generic call
  // @ts-expect-error: name is a string
  await dccview.call("api.create", { name: 1 });
  // @ts-expect-error: name is required
  await dccview.call("api.create", {});
  // @ts-expect-error: count gives a number
  const wrong: string = await dccview.call("api.count");
  void made; void alsoMade; void count; void anything; void wrong;
}
void typed;
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="no Node (./dev installs nodejs)")
def test_typescript_accepts_the_typed_calls_and_rejects_the_wrong_ones(tmp_path):
    assert TSC.exists(), f"{TSC} is missing: ./dev installs the TypeScript compiler (npm) into build/node"
    shutil.copy(ROOT / "js" / "dccview.d.ts", tmp_path / "dccview.d.ts")
    (tmp_path / "bound.d.ts").write_text(bound_scene_declaration())
    (tmp_path / "usage.ts").write_text(USAGE)
    # Node is not dccview: the sanitizer runtime the sanitizer suites preload into Python stays out of it.
    env = {key: value for key, value in os.environ.items() if key not in ("LD_PRELOAD", "TSAN_OPTIONS", "ASAN_OPTIONS")}
    completed = subprocess.run([str(TSC), "--noEmit", "--strict", "--target", "es2020", "--moduleResolution", "node",
                                str(tmp_path / "usage.ts")], capture_output=True, text=True, timeout=120, env=env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
