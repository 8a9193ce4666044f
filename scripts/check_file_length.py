#!/usr/bin/env python3
"""Fail when a Python module of the services or the library grows past the limit (migrations aside).

    python scripts/check_file_length.py [--max-lines 600]

A module past 600 lines has always turned out to hold several things with section headers between
them: split it along those headers (a package re-exporting the same names keeps callers unchanged).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [*sorted((ROOT / "services").glob("*/src")), ROOT / "libs" / "dbay-common" / "src"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-lines", type=int, default=600)
    args = parser.parse_args()
    too_long = []
    for folder in SCANNED:
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > args.max_lines:
                too_long.append((lines, path.relative_to(ROOT)))
    for lines, path in sorted(too_long, reverse=True):
        print(f"file-length: {path} has {lines} lines (limit {args.max_lines}); split it", file=sys.stderr)
    if not too_long:
        print(f"file-length: every module of the services and the library is <= {args.max_lines} lines")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
