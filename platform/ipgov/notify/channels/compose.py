"""The shape of a message before a channel writes it in its own format: blocks, and a digest's
groups (by tenant, then by kind of event, with counts).

Chat robots limit a message's size: ``fit`` keeps the blocks that fit and ends with a line
that says what was left out, linking to ipgov, instead of cutting a message mid-word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ipgov.i18n.labels import label

from .base import Notice
from .texts import text

__all__ = ["Block", "Group", "digest_blocks", "fit", "grouped", "notice_blocks", "workspace"]


@dataclass(frozen=True)
class Block:
    """One piece of a message: ``heading``, ``line`` (label: value), ``item`` (a linked
    title in a list), ``group`` (a digest's tenant or kind, with a count) or ``link``."""

    kind: str
    text: str
    value: str = ""
    href: str = ""


@dataclass(frozen=True)
class Group:
    """A digest's notices of one tenant and one kind of event."""

    tenant: str
    type: str
    notices: tuple[Notice, ...]


def grouped(notices: Sequence[Notice]) -> list[Group]:
    """The notices by tenant then type (in order of first appearance), each group in order."""
    groups: dict[tuple[str, str], list[Notice]] = {}
    for notice in notices:
        groups.setdefault((notice.tenant_name, notice.type), []).append(notice)
    order = sorted(groups, key=lambda key: key[0])
    return [Group(tenant, kind, tuple(groups[(tenant, kind)])) for tenant, kind in order]


def notice_blocks(notice: Notice, locale: str) -> list[Block]:
    """One notice: its title, tenant, severity, fields and link."""
    blocks = [Block("heading", notice.title), Block("line", text("tenant", locale),
                                                     notice.tenant_name)]
    if notice.severity:
        blocks.append(Block("line", text("severity", locale),
                            label("severity", notice.severity, locale)))
    blocks += [Block("line", name, value) for name, value in notice.lines]
    if notice.link:
        blocks.append(Block("link", text("open", locale), href=notice.link))
    return blocks


def digest_blocks(notices: Sequence[Notice], locale: str) -> list[Block]:
    """Several notices: a heading with the count, then each tenant and kind with its items."""
    blocks = [Block("heading", text("digest_title", locale, count=len(notices)))]
    tenant = None
    for group in grouped(notices):
        if group.tenant != tenant:
            tenant = group.tenant
            blocks.append(Block("group", group.tenant))
        blocks.append(Block("group", group.type, str(len(group.notices))))
        blocks += [Block("item", n.title, href=n.link) for n in group.notices]
    return blocks


def workspace(notices: Sequence[Notice]) -> str:
    """The root of the workspace the notices link into ("" when none links)."""
    for notice in notices:
        if notice.link:
            parts = urlsplit(notice.link)
            return f"{parts.scheme}://{parts.netloc}/"
    return ""


def fit(blocks: Sequence[Block], size: Callable[[Sequence[Block]], int], limit: int,
        notices: Sequence[Notice], locale: str) -> list[Block]:
    """The leading ``blocks`` whose rendering (``size``) stays within ``limit``, ended by a
    line saying what was left out (with a link to ipgov) when some did not fit."""
    if size(blocks) <= limit:
        return list(blocks)
    kept = list(blocks)
    while kept:
        kept.pop()
        left = len([b for b in blocks[len(kept):] if b.kind == "item"])
        note = (text("more", locale, count=left) if left else text("shortened", locale))
        candidate = [*kept, Block("link", note, href=_link(notices))]
        if size(candidate) <= limit:
            return candidate
    return [Block("link", text("shortened", locale), href=_link(notices))]


def _link(notices: Sequence[Notice]) -> str:
    return notices[0].link if len(notices) == 1 and notices[0].link else workspace(notices)
