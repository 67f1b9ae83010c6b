"""Clang's checks over every dccview source (./dev test analysis runs both).

Usage: python3 tests/clang_checks.py BUILD_DIR thread-safety|tidy [TOOL]

Every translation unit of src/ and bindings/ in BUILD_DIR/compile_commands.json (the release build,
compiled by GCC) is checked with its own flags:
  thread-safety  clang (default clang++-16), syntax only, with -Wthread-safety as the one warning and
                 an error: a guarded member touched without its lock, a lock released twice or not at
                 all, a function called without the lock it requires (the annotations are in
                 include/dccview/thread_annotations.h);
  tidy           clang-tidy (default clang-tidy-16) with .clang-tidy's checks, findings as errors; the
                 headers of src/, include/dccview/ and bindings/ are checked where they are included.
Exit status 1 on any finding.
"""

import json
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = (ROOT / "src", ROOT / "bindings")
THREAD_SAFETY = ["-fsyntax-only", "-Wno-everything", "-Wthread-safety", "-Werror=thread-safety"]


def thread_safety_command(entry: dict, build: Path, clang: str) -> list:
    """The entry's compile command for clang: no output, no dependency files, the analysis only."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    kept, skip = [clang], False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True  # and the value after it
        elif arg in ("-c", "-MD", "-MMD") or arg.startswith("-W"):
            continue  # GCC's warning set: the analysis is the only one wanted here
        else:
            kept.append(arg)
    return kept + THREAD_SAFETY


def tidy_command(entry: dict, build: Path, tidy: str) -> list:
    return [tidy, "-p", str(build), "--quiet", entry["file"]]


CHECKS = {"thread-safety": (thread_safety_command, "clang++-16"), "tidy": (tidy_command, "clang-tidy-16")}


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[2] not in CHECKS:
        print(__doc__)
        return 2
    build, check = Path(sys.argv[1]).resolve(), sys.argv[2]
    command_for, tool = CHECKS[check]
    tool = sys.argv[3] if len(sys.argv) > 3 else tool
    entries = [entry for entry in json.loads((build / "compile_commands.json").read_text())
               if any(Path(entry["directory"], entry["file"]).resolve().is_relative_to(f) for f in CHECKED)]
    if not entries:
        print(f"no dccview sources in {build / 'compile_commands.json'}")
        return 1

    def run(entry: dict):
        completed = subprocess.run(command_for(entry, build, tool), cwd=entry["directory"], capture_output=True,
                                   text=True)
        return entry["file"], completed.returncode, completed.stdout + completed.stderr

    failures = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for source, status, findings in pool.map(run, entries):
            if status != 0:
                failures += 1
                print(f"--- {source}\n{findings}")
    print(f"{check}: {len(entries) - failures} of {len(entries)} sources clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
