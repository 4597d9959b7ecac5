"""Rendering a notice: titles in the reader's language with the payload filled in, the fields a
person reads (ids left out) labelled in that language, a link into the workspace, and no crash
for a title that names a field the payload lacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from ipgov.notify.channels.render import fill, render_notice
from ipgov.notify.channels.texts import FIELD_LABELS, TEXTS


@dataclass(frozen=True)
class FakeType:  # the shape of ipgov.events.catalog.EventType that rendering reads
    titles: dict = field(default_factory=lambda: {
        "en": "Finding above tolerance ({severity}): {title}",
        "zh-CN": "超出风险容忍度的发现（{severity}）：{title}"})
    link: str = "/t/{tenant_slug}/reviews/{review_id}"


EVENT = SimpleNamespace(
    id="e-1", type="review.finding_above_tolerance", tenant_id="t-1",
    occurred_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC), severity="high",
    payload={"tenant_id": "t-1", "review_id": "r-9", "severity": "high", "tolerance": "medium",
             "title": "No top decision-maker is named", "function": "govern"})


@pytest.mark.parametrize("locale, title, labels", [
    ("en", "Finding above tolerance (high): No top decision-maker is named",
     [("Severity", "high"), ("Tolerance", "medium"), ("Title", "No top decision-maker is named"),
      ("Function", "Govern")]),
    ("zh-CN", "超出风险容忍度的发现（高）：No top decision-maker is named",
     [("严重程度", "高"), ("风险容忍度", "中"), ("标题", "No top decision-maker is named"),
      ("职能", "治理")]),
])
def test_a_notice_reads_in_the_readers_language(locale, title, labels):
    notice = render_notice(EVENT, FakeType(), locale=locale, tenant_name="acme",
                           base_url="https://ipgov.example.com/")
    assert notice.title == title
    assert list(notice.lines) == labels  # tenant_id and review_id are left out
    assert notice.link == "https://ipgov.example.com/t/acme/reviews/r-9"
    assert notice.payload == EVENT.payload and notice.event_id == "e-1"


def test_a_missing_field_shows_its_placeholder_and_never_fails():
    broken = FakeType(titles={"en": "Due {due_on:%Y} for {owner} {0} {a.b}", "zh-CN": ""},
                      link="/t/{tenant_slug}/assets/{asset_id}")
    notice = render_notice(EVENT, broken, locale="zh-CN", tenant_name="acme",
                           base_url="https://x.example", tenant_slug="acme-slug")
    assert notice.title == "Due {due_on} for {owner} {0} {a.b}"  # zh-CN empty: English
    assert notice.link == "https://x.example/t/acme-slug"  # the link's field is missing too
    assert notice.path == "/t/acme-slug"
    assert fill("{", {}) == "{" and fill("{n:d}", {"n": "x"}) == "x"


def test_without_a_public_url_there_is_no_link_but_the_workspace_path_stays():
    notice = render_notice(EVENT, FakeType(), locale="en", tenant_name="acme", base_url="")
    assert notice.link == ""
    assert notice.path == "/t/acme/reviews/r-9"  # the workspace's inbox opens it


def test_the_path_is_the_link_without_the_public_url():
    notice = render_notice(EVENT, FakeType(), locale="en", tenant_name="acme",
                           base_url="https://ipgov.example.com/", tenant_slug="acme-a")
    assert notice.link == "https://ipgov.example.com" + notice.path
    assert notice.path == "/t/acme-a/reviews/r-9"
    untyped = render_notice(EVENT, FakeType(link=""), locale="en", tenant_name="acme",
                            base_url="", tenant_slug="acme-a")
    assert untyped.path == "/t/acme-a"  # a type without a link: the tenant's workspace


def test_counts_and_long_values_read_well():
    event = SimpleNamespace(**{**EVENT.__dict__, "payload": {
        "counts": {"critical": 0, "high": 2, "medium": 1}, "action": "x" * 1000}})
    notice = render_notice(event, FakeType(), locale="en", tenant_name="acme", base_url="")
    lines = dict(notice.lines)
    assert lines["By severity"] == "high 2 · medium 1"
    assert len(lines["Action"]) == 300 and lines["Action"].endswith("…")


def test_every_frame_text_and_label_has_both_languages():
    for entries in (TEXTS, FIELD_LABELS):
        for key, texts in entries.items():
            assert set(texts) == {"en", "zh-CN"} and all(texts.values()), key
