"""A dependency-free SVG radar chart (prints crisply, needs no JavaScript)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["radar_svg"]


def _point(cx: float, cy: float, radius: float, index: int, count: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return cx + radius * math.cos(angle), cy + radius * math.sin(angle)


def radar_svg(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]],
              maximum: float, *, size: int = 360, rings: int = 4, title: str = "") -> str:
    """An SVG radar of ``series`` (name, values per label, colour) scaled to ``maximum``.

    Missing values (None) are drawn at the centre and listed as "not assessed" in the legend
    text, so a gap in data is never mistaken for a good score.
    """
    count = max(len(labels), 3)
    cx = cy = size / 2
    radius = size / 2 - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size + 40}" '
             f'role="img" aria-label="{escape(title)}" class="radar">',
             f"<title>{escape(title)}</title>"]
    for ring in range(1, rings + 1):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (
            _point(cx, cy, radius * ring / rings, i, count) for i in range(count)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#ccc" stroke-width="1"/>')
    for i, label in enumerate(labels):
        x, y = _point(cx, cy, radius, i, count)
        lx, ly = _point(cx, cy, radius + 24, i, count)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ccc"/>')
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" text-anchor="middle" '
                     f'dominant-baseline="middle">{escape(label)}</text>')
    for s_index, (name, values, colour) in enumerate(series):
        pts = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (
                _point(cx, cy, radius * min(max((v or 0) / maximum, 0), 1), i, count)
                for i, v in enumerate(values)))
        parts.append(f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.18" '
                     f'stroke="{colour}" stroke-width="2"><title>{escape(name)}</title>'
                     "</polygon>")
        ly = size + 12 + s_index * 14
        parts.append(f'<rect x="10" y="{ly - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="26" y="{ly}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
