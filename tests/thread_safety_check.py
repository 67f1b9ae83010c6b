"""Clang's thread-safety analysis over every dccview source (./dev test runs it).

Usage: python3 tests/thread_safety_check.py BUILD_DIR [CLANG]

Every translation unit of src/ and bindings/ in BUILD_DIR/compile_commands.json (the release build,
compiled by GCC) is checked again by clang (default clang++-16) with the same flags, syntax only,
with -Wthread-safety as the one warning and an error: a guarded member touched without its lock, a
lock released twice or not at all, a function called without the lock it requires. The annotations
are in include/dccview/thread_annotations.h. Exit status 1 on any finding.
"""

import json
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = (ROOT / "src", ROOT / "bindings")
ANALYSIS = ["-fsyntax-only", "-Wno-everything", "-Wthread-safety", "-Werror=thread-safety"]


def clang_command(entry: dict, clang: str) -> list:
    """The entry's compile command for clang: no output, no dependency files, the analysis only."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    kept, skip = [clang], False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True  # and the value after it
        elif arg in ("-c", "-MD", "-MMD") or arg.startswith("-Werror") or arg.startswith("-W"):
            continue  # GCC's warning set: the analysis below is the only one wanted here
        else:
            kept.append(arg)
    return kept + ANALYSIS


def checked(entry: dict) -> bool:
    source = Path(entry["directory"], entry["file"]).resolve()
    return any(source.is_relative_to(folder) for folder in CHECKED)


def run(entry: dict, clang: str):
    completed = subprocess.run(clang_command(entry, clang), cwd=entry["directory"], capture_output=True, text=True)
    return entry["file"], completed.returncode, completed.stderr


def main() -> int:
    build = Path(sys.argv[1])
    clang = sys.argv[2] if len(sys.argv) > 2 else "clang++-16"
    entries = [entry for entry in json.loads((build / "compile_commands.json").read_text()) if checked(entry)]
    if not entries:
        print(f"no dccview sources in {build / 'compile_commands.json'}")
        return 1
    failures = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for source, status, errors in pool.map(lambda entry: run(entry, clang), entries):
            if status != 0:
                failures += 1
                print(f"--- {source}\n{errors}")
    print(f"thread-safety analysis: {len(entries) - failures} of {len(entries)} sources clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
