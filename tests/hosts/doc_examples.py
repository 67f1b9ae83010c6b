"""The per-host guides' examples (docs/dcc/<guide>.md), as the tests run them.

Each guide has a section whose heading starts with "## Example" and holds the "complete working
example" in a ```python block. ``example_source`` reads that block from the guide itself (the test
never keeps a copy that could drift from the text a reader sees); ``runnable_example`` makes the
only change a reader makes: the page path. Used by tests/hosts/test_doc_examples.py and, inside the
hosts, by tests/hosts/doc_example_scenario.py.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "dcc"
PAGE = GUIDES / "panel.html"
PAGE_PLACEHOLDER = "/path/to/dccview/docs/dcc/panel.html"

# A level-2 heading that starts with "Example", then the first ```python block before the next
# level-2 heading (gtk.md's "## Example (C++ GTK host)" has a ```cpp block and is not matched).
_EXAMPLE = re.compile(r"^## (Example[^\n]*)\n(?:(?!^## ).)*?^```python\n(.*?)^```\s*$", re.S | re.M)


class ExampleNotFound(LookupError):
    """The guide has no "## Example" section with a ```python block."""


def example_section(guide):
    """(heading, code) of the guide's first "## Example..." section that has a python block."""
    text = (GUIDES / f"{guide}.md").read_text(encoding="utf-8")
    match = _EXAMPLE.search(text)
    if match is None:
        raise ExampleNotFound(f"docs/dcc/{guide}.md has no '## Example' section with a ```python block")
    return match.group(1).strip(), match.group(2)


def replace_once(code, old, new, guide):
    """code with `old` replaced by `new`, which must occur exactly once (else the example changed
    in a way the test must hear about)."""
    count = code.count(old)
    if count != 1:
        raise ValueError(f"docs/dcc/{guide}.md's example has {count} occurrences of {old!r}, expected 1")
    return code.replace(old, new)


def runnable_example(guide, extra_replacements=()):
    """(heading, code): the guide's example with the real page path instead of the placeholder, and
    `extra_replacements` ((old, new) pairs the guide itself allows, each occurring once)."""
    heading, code = example_section(guide)
    code = replace_once(code, PAGE_PLACEHOLDER, str(PAGE), guide)
    for old, new in extra_replacements:
        code = replace_once(code, old, new, guide)
    return heading, code
