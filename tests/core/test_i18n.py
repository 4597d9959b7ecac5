"""Two languages, en and zh-CN: negotiation, the error-message catalog, Chinese texts of every
check, and GraphQL errors in the caller's language (codes unchanged)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ipgov.audit.models import AuditEvent
from ipgov.i18n import CatalogError, catalog, negotiate, pick, translate
from ipgov.i18n.findings import localized_action, localized_finding
from ipgov.i18n.messages import _validate
from ipgov.identity.models import User
from ipgov.plugins.catalog import build_catalog
from ipgov.startup import new_registry
from ipgov.tenancy.models import PLATFORM_TENANT_ID
from tests.conftest import make_group

CORE = Path(__file__).resolve().parents[2] / "platform" / "ipgov"
CODE_PATTERNS = [
    re.compile(r"""\bcode\s*=\s*["']([A-Z][A-Z0-9_]+)["']"""),  # code="X" and code = "X"
    re.compile(r"""["']code["']\s*:\s*["']([A-Z][A-Z0-9_]+)["']"""),  # {"code": "X"}
    re.compile(r"""AuthenticationError\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""\(jwt\.\w+,\s*["']([A-Z][A-Z0-9_]+)["']"""),  # the JWT error table
]
REVIEW_RUN = 'query($t: ID!) { reviewRun(tenantId: $t, id: "no-such-run") { id } }'
SET_LOCALE = """mutation($l: String) { setMyLocale(locale: $l) { locale
  errors { code field message messageEn } } }"""


# ------------------------------------------------------------------------------ negotiation


@pytest.mark.parametrize(("header", "user", "expected"), [
    (None, None, "en"),
    ("", "", "en"),
    ("zh-CN", None, "zh-CN"),
    ("zh", None, "zh-CN"),
    ("zh-Hans-CN,zh;q=0.9,en;q=0.8", None, "zh-CN"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", None, "en"),
    ("fr-FR,zh-TW;q=0.7,en;q=0.5", None, "zh-CN"),  # the best supported range wins
    ("en;q=0.3, zh-CN;q=0.8", None, "zh-CN"),  # q-values, not order
    ("zh-CN;q=0, en;q=0.1", None, "en"),  # q=0 means "not this"
    ("de, fr;q=0.5, *;q=0.1", None, "en"),  # nothing supported: English
    ("zh-CN;q=bogus, en", None, "en"),  # a malformed q counts as 0
    ("zh-CN", "en", "en"),  # the stored preference wins over the browser
    ("en-GB", "zh-CN", "zh-CN"),
    ("en", "zh_cn", "zh-CN"),
    ("zh-CN", "fr", "zh-CN"),  # an unsupported preference is no preference
])
def test_negotiate_prefers_the_user_then_accept_language_then_english(header, user, expected):
    assert negotiate(header, user) == expected


def test_negotiate_reads_only_the_start_of_an_enormous_header():
    assert negotiate("x-y;q=0.5," * 50_000 + "zh-CN", None) == "en"


# ------------------------------------------------------------------------------- catalogs


def test_every_catalog_entry_has_both_languages_and_the_same_placeholders():
    entries = catalog()
    assert len(entries) >= 50
    for code, texts in entries.items():
        assert texts["en"].strip() and texts["zh-CN"].strip(), code
        assert re.search(r"[\u4e00-\u9fff]", texts["zh-CN"]), f"{code}: zh-CN is not Chinese"


def test_a_catalog_entry_without_a_language_is_refused_with_file_and_code():
    with pytest.raises(CatalogError, match=r"messages.yaml: BROKEN: the zh-CN text is missing"):
        _validate({"BROKEN": {"en": "Broken."}}, Path("messages.yaml"))
    with pytest.raises(CatalogError, match="different placeholders"):
        _validate({"X": {"en": "{a}", "zh-CN": "{b}"}}, Path("messages.yaml"))


def _codes_raised_in_core() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(CORE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            for code in pattern.findall(source):
                found.setdefault(code, str(path.relative_to(CORE)))
    return found


def test_every_error_code_raised_in_core_has_a_catalog_entry():
    raised = _codes_raised_in_core()
    assert {"TENANT_NOT_FOUND", "INVALID_INPUT", "TOKEN_EXPIRED", "RATE_LIMITED"} <= set(raised)
    missing = {code: where for code, where in raised.items() if code not in catalog()}
    assert not missing, f"error codes without en/zh-CN messages in messages.yaml: {missing}"


def test_translate_fills_placeholders_and_declines_when_it_cannot():
    assert translate("UNSUPPORTED_LOCALE", "zh-CN", {"value": "'fr'"}) == (
        "不支持的语言 'fr'：请使用 en 或 zh-CN。")
    assert translate("UNSUPPORTED_LOCALE", "zh-CN") is None  # no value: keep the original
    assert translate("NO_SUCH_CODE", "zh-CN") is None
    assert translate("FORBIDDEN", "en") == "You are not allowed to do this."
    assert pick("Govern", "治理", "zh-CN") == "治理" and pick("Govern", "", "zh-CN") == "Govern"


# ------------------------------------------------------------------------------ checks


def _every_check() -> list[tuple[str, object]]:
    return list(build_catalog(new_registry()).checks)


def test_every_check_of_every_loaded_plugin_has_chinese_title_and_recommendation():
    checks = _every_check()
    assert {p for p, _c in checks} >= {"core", "ip_governance", "patent_search"}
    lacking = sorted(f"{plugin}: {c.id} lacks " + " and ".join(
        f for f in ("title_zh", "recommendation_zh") if not getattr(c, f).strip())
        for plugin, c in checks if not (c.title_zh.strip() and c.recommendation_zh.strip()))
    assert not lacking, "checks without Chinese texts:\n" + "\n".join(lacking)


def test_stored_findings_and_directives_read_in_chinese_through_their_check():
    platform = SimpleNamespace(catalog=build_catalog(new_registry(only=[])))
    # stored before parameters existed: the check's Chinese title, the English specifics kept
    title, advice = localized_finding(platform, "core.administrator_appointed",
                                      title="No one administers", recommendation="Appoint",
                                      locale="zh-CN")
    assert title == "未通过检查：已指定知识产权治理负责人（No one administers）"
    assert advice.startswith("任命")
    assert localized_finding(platform, "core.administrator_appointed", title="t",
                             recommendation="r", locale="en") == ("t", "r")
    assert localized_finding(platform, "gone.check", title="t", recommendation="r",
                             locale="zh-CN") == ("t", "r")
    assert localized_action(platform, "core.audit_trail_intact", "Investigate", "zh-CN"
                            ).startswith("调查")


# ------------------------------------------------------------------------- GraphQL errors


async def _set_locale(platform, user_id: str, locale: str) -> None:
    async with platform.db.system_session("test: user locale") as s:
        (await s.get(User, user_id)).locale = locale


async def test_graphql_errors_follow_the_users_preference_and_keep_codes(platform, gql):
    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    await _set_locale(platform, group.users["a-admin"], "zh-CN")
    await _set_locale(platform, group.users["admin"], "en")
    zh = await gql.post(REVIEW_RUN, {"t": tid}, group.token("a-admin"))
    zh_with_en_browser = await gql.post(REVIEW_RUN, {"t": tid}, group.token("a-admin"),
                                        headers={"accept-language": "en-US"})
    en = await gql.post(REVIEW_RUN, {"t": tid}, group.token("admin"),
                        headers={"accept-language": "zh-CN"})  # admin prefers en (stored)
    for response in (zh, zh_with_en_browser):
        error = response.json()["errors"][0]
        assert error["message"] == "该租户中不存在此审查。"
        assert error["extensions"] == {"code": "REVIEW_NOT_FOUND", "field": "id",
                                       "messageEn": "no such review in this tenant"}
    assert en.json()["errors"][0]["message"] == "no such review in this tenant"
    assert en.json()["errors"][0]["extensions"]["code"] == "REVIEW_NOT_FOUND"


async def test_graphql_errors_follow_accept_language_when_no_preference_is_stored(
        platform, gql):
    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    await _set_locale(platform, group.users["a-admin"], "")
    signed_in = await gql.post(REVIEW_RUN, {"t": tid}, group.token("a-admin"),
                               headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    anonymous = await gql.post(REVIEW_RUN, {"t": tid}, headers={"accept-language": "zh-CN"})
    bad_variable = await gql.post(REVIEW_RUN, {"t": {"not": "an id"}},
                                  headers={"accept-language": "zh-CN"})
    assert signed_in.json()["errors"][0]["message"] == "该租户中不存在此审查。"
    error = anonymous.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"].startswith("请先登录")
    assert error["extensions"]["messageEn"].startswith("sign in first")
    error = bad_variable.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "请求中的某个变量格式不正确。" and "$t" in error["extensions"][
        "messageEn"]
    invalid = await gql.post("{ noSuchField }", headers={"accept-language": "zh-CN"})
    error = invalid.json()["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION"
    assert error["message"] == "GraphQL 查询文档不符合本服务的模式。"
    assert "noSuchField" in error["extensions"]["messageEn"]


async def test_mutation_payload_errors_are_localized_too(platform, gql):
    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    await _set_locale(platform, group.users["a-admin"], "zh-CN")
    result = await gql("""mutation($t: ID!) { updateDirective(tenantId: $t, id: "nope",
        status: "done") { errors { code field message messageEn } } }""", {"t": tid},
                       group.token("a-admin"))
    assert result["data"]["updateDirective"]["errors"] == [{
        "code": "NOT_FOUND", "field": "id", "message": "未找到该对象，或您无权访问。",
        "messageEn": "no such directive in this tenant"}]


@pytest.fixture
async def gql_with_locale(platform, monkeypatch):
    """The GraphQL client, with ``setMyLocale`` in the schema even before the core composes it
    (``LocaleMutation`` in ``ipgov.graphql.schema.core_contribution``)."""
    import httpx

    from ipgov.graphql import schema as schema_module
    from ipgov.graphql.locale import LocaleMutation
    from ipgov.web.app import create_app
    from tests.conftest import GraphQLClient

    original = schema_module.core_contribution

    def with_locale():
        part = original()
        if LocaleMutation not in part.mutation:
            part.mutation.append(LocaleMutation)
        return part

    monkeypatch.setattr(schema_module, "core_contribution", with_locale)
    app = create_app(platform)
    await platform.authz.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://ipgov.test") as client:
        yield GraphQLClient(client)


async def test_set_my_locale_stores_validates_audits_and_takes_effect(platform, gql_with_locale):
    gql = gql_with_locale
    group = await make_group(platform, "acme")
    tid, token = group.ids["acme-a"], group.token("a-admin")
    before = await gql.post(REVIEW_RUN, {"t": tid}, token)
    chosen = await gql(SET_LOCALE, {"l": "zh-CN"}, token)
    after = await gql.post(REVIEW_RUN, {"t": tid}, token, headers={"accept-language": "en"})
    refused = await gql(SET_LOCALE, {"l": "fr"}, token)
    cleared = await gql(SET_LOCALE, {"l": None}, token)
    browser = await gql.post(REVIEW_RUN, {"t": tid}, token, headers={"accept-language": "en"})
    anonymous = await gql(SET_LOCALE, {"l": "en"})

    assert before.json()["errors"][0]["message"] == "no such review in this tenant"
    assert chosen["data"]["setMyLocale"] == {"locale": "zh-CN", "errors": []}
    assert after.json()["errors"][0]["message"] == "该租户中不存在此审查。"
    assert refused["data"]["setMyLocale"]["locale"] is None
    assert refused["data"]["setMyLocale"]["errors"] == [{
        "code": "UNSUPPORTED_LOCALE", "field": "locale",
        "message": "不支持的语言 'fr'：请使用 en 或 zh-CN。",  # asked in zh-CN
        "messageEn": "unsupported language 'fr': use one of en, zh-CN"}]
    assert cleared["data"]["setMyLocale"]["locale"] == ""
    assert browser.json()["errors"][0]["message"] == "no such review in this tenant"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with platform.db.system_session("test: audit") as s:
        stored = (await s.get(User, group.users["a-admin"])).locale
        events = list((await s.execute(select(AuditEvent.details).where(
            AuditEvent.tenant_id == PLATFORM_TENANT_ID,
            AuditEvent.action == "user.locale_changed"))).scalars())
    assert stored == "" and [e["locale"] for e in events] == ["zh-CN", ""]
    assert [(f["before"], f["after"]) for e in events for f in e["changes"]["fields"]] == [
        ("", "zh-CN"), ("zh-CN", "")]  # the core records each change's before and after
