"""Regenerate the bundled CPC titles (sections to main groups) from the full Title List.

``python -m patent_search.search.cpc_vendor /path/to/CPCTitleList202505`` writes
``cpc-main-groups-202505.tsv.gz`` beside this module (package data: ``*.gz``).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from patent_search.search.cpc import ATTRIBUTION, BUNDLED_TITLES


def vendor(source: Path, target: Path = BUNDLED_TITLES) -> int:
    """Copy every row above subgroup level; returns how many rows were written."""
    files = sorted(source.glob("*.txt"))
    if not files:
        raise SystemExit(f"{source}: no CPC Title List files (*.txt)")
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(target, "wb", mtime=0) as raw:
        raw.write(f"# {ATTRIBUTION}; sections, classes, subclasses, main groups\n".encode())
        for file in files:
            print(f"reading {file.name}", file=sys.stderr)
            for line in file.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) == 3 and ("/" not in parts[0] or parts[0].endswith("/00")):
                    raw.write(f"{line}\n".encode())
                    written += 1
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m patent_search.search.cpc_vendor CPC_TITLE_LIST_DIR")
    print(f"wrote {vendor(Path(sys.argv[1]))} rows to {BUNDLED_TITLES}")
