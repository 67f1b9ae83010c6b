"""docs/javascript.md runs as written: its Python handlers are registered on a real view, and every
JavaScript snippet is run in the page and must give the value after its `// =>` line."""

import json
import pathlib
import re
import time

import pytest

from conftest import needs_display
from test_webview import open_view

pytestmark = needs_display

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "javascript.md"


def blocks(language: str) -> list:
    return re.findall(r"```" + language + r"\n(.*?)```", DOC.read_text(), flags=re.S)


def snippets() -> list:
    found = []
    for block in blocks("js"):
        code, _, expected = block.rstrip().rpartition("// =>")
        found.append((code.strip(), json.loads(expected)))
    return found


def test_the_page_guide_has_snippets_and_handlers():
    assert len(snippets()) >= 10 and len(blocks("python")) == 1


@pytest.mark.parametrize("code, expected", snippets(), ids=lambda value: str(value)[:40])
def test_every_snippet_gives_what_the_guide_says(main_loop, code, expected):
    def body():
        webview = open_view()
        exec(blocks("python")[0], {"webview": webview, "time": time})  # the guide's own handlers
        try:
            return webview.eval_js_sync(f"(async () => (\n{code}\n))()", 10000)
        finally:
            webview.close()

    assert main_loop(body) == expected
