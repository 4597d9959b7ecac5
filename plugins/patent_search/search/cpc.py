"""Titles and ancestry of CPC symbols, from the official CPC Title List.

``CpcScheme.load(path)`` reads the full scheme (260,000 groups) from the Title List TSV files
(``symbol<TAB>level<TAB>title``); :meth:`CpcScheme.bundled` reads the small file shipped in this
package (sections, classes, subclasses and main groups; CPC Title List 2025.05, EPO/USPTO, free
reuse), enough to title facets by subclass and main group.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["BUNDLED_TITLES", "CpcScheme", "normalise_symbol"]

BUNDLED_TITLES = Path(__file__).with_name("cpc-main-groups-202505.tsv.gz")
ATTRIBUTION = "CPC Title List 2025.05, EPO/USPTO, free reuse"
_BRACES = re.compile(r"[{}]")


def normalise_symbol(symbol: str) -> str:
    """``H04L 9/32`` and ``h04l9/32`` → ``H04L9/32``."""
    return symbol.replace(" ", "").upper()


def _rows(lines: Iterable[str], source: str) -> Iterator[tuple[str, int, str]]:
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{source}: line {number}: expected symbol<TAB>level<TAB>title")
        symbol, level, title = parts
        yield normalise_symbol(symbol), int(level) if level.strip() else -1, title.strip()


class CpcScheme:
    """Symbol → title, with the parent of every subgroup (from the dot levels)."""

    def __init__(self) -> None:
        self._titles: dict[str, str] = {}
        self._parents: dict[str, str] = {}

    @classmethod
    def load(cls, path: str | Path) -> CpcScheme:
        """The scheme from a Title List file, a ``.gz`` of one, or a directory of ``*.txt``."""
        path = Path(path)
        files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
        if not files:
            raise ValueError(f"{path}: no CPC Title List files (*.txt) found")
        scheme = cls()
        for file in files:
            opener = gzip.open if file.suffix == ".gz" else open
            with opener(file, "rt", encoding="utf-8") as handle:
                scheme._add(_rows(handle, str(file)))
        return scheme

    @classmethod
    def bundled(cls) -> CpcScheme:
        """Sections, classes, subclasses and main groups, shipped with the plugin."""
        return cls.load(BUNDLED_TITLES)

    def _add(self, rows: Iterable[tuple[str, int, str]]) -> None:
        stack: list[tuple[int, str]] = []  # (level, symbol) within the current main group
        for symbol, level, title in rows:
            self._titles[symbol] = _BRACES.sub("", title).strip()
            if "/" not in symbol:
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            if stack:
                self._parents[symbol] = stack[-1][1]
            stack.append((level, symbol))

    def __len__(self) -> int:
        return len(self._titles)

    def __contains__(self, symbol: object) -> bool:
        return isinstance(symbol, str) and normalise_symbol(symbol) in self._titles

    def title(self, symbol: str) -> str:
        """The title of ``symbol`` ('' when the scheme does not hold it)."""
        return self._titles.get(normalise_symbol(symbol), "")

    def ancestors(self, symbol: str) -> list[str]:
        """Section, class, subclass, main group and parent subgroups, broadest first."""
        symbol = normalise_symbol(symbol)
        chain = [symbol[:n] for n in (1, 3, 4) if n < len(symbol)]
        if "/" in symbol:
            main = symbol.split("/")[0] + "/00"
            subgroups = []
            parent = self._parents.get(symbol)
            while parent is not None and parent != main:
                subgroups.append(parent)
                parent = self._parents.get(parent)
            if symbol != main:
                chain.append(main)
            chain.extend(reversed(subgroups))
        return chain
