"""clang-tidy (.clang-tidy's checks) over every dccview source (./dev test analysis runs it).

Usage: python3 tests/clang_tidy_check.py BUILD_DIR [CLANG_TIDY]

Every translation unit of src/ and bindings/ in BUILD_DIR/compile_commands.json is checked with
its own flags; the headers of src/, include/dccview/ and bindings/ are checked where they are
included. Findings are errors (WarningsAsErrors). Exit status 1 on any finding.
"""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = (ROOT / "src", ROOT / "bindings")


def main() -> int:
    build = Path(sys.argv[1]).resolve()
    tidy = sys.argv[2] if len(sys.argv) > 2 else "clang-tidy-16"
    entries = [entry for entry in json.loads((build / "compile_commands.json").read_text())
               if any(Path(entry["directory"], entry["file"]).resolve().is_relative_to(folder) for folder in CHECKED)]

    def run(entry: dict):
        completed = subprocess.run([tidy, "-p", str(build), "--quiet", entry["file"]], capture_output=True, text=True)
        return entry["file"], completed.returncode, completed.stdout

    failures = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for source, status, findings in pool.map(run, entries):
            if status != 0:
                failures += 1
                print(f"--- {source}\n{findings}")
    print(f"clang-tidy: {len(entries) - failures} of {len(entries)} sources clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
