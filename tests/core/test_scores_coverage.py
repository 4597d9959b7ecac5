"""Scores say what they rest on: a check with nothing to assess is *not assessed* (never a
pass), a dimension nothing assessed has no score (never 100), and coverage (assessed of
applicable checks) stands beside every score in the stored run, GraphQL (both languages), the
supervision overview and group aggregation. Runs stored before coverage read as unknown."""

from __future__ import annotations

from sqlalchemy import update

from ipgov.api import Check
from ipgov.reviews.checks import Function, GovernanceDomain, Severity
from ipgov.reviews.models import CheckResult, ReviewRun
from ipgov.reviews.scoring import (
    Assessment,
    ScoredCheck,
    aggregate_scores,
    dimensions,
    score_run,
)
from tests.conftest import make_group
from tests.core.test_review_engine import P, enable, install_checks, review, rows

RUN_SCORES = """query($t: ID!, $id: ID!) { reviewRun(tenantId: $t, id: $id) {
  statusLabel overallScore { score assessment assessedChecks applicableChecks summary }
  functionScores { key label score assessment assessmentLabel assessedChecks
                   applicableChecks passedChecks coverage summary }
  domainScores { key score assessment }
  checkResults { checkId status statusLabel reason } } }"""
OVERVIEW = """query { supervisionOverview { edges { node { tenant { slug governanceModeLabel }
  trend { coverage } functionScores { key score assessment assessedChecks applicableChecks } }
  } } }"""


def _probe(cid: str, outcome, function=Function.PROTECT,
           domain=GovernanceDomain.MANAGEMENT_SYSTEMS, severity=Severity.MEDIUM) -> Check:
    async def run(ctx):
        if outcome == "nothing":
            return ctx.not_assessed("the register is empty", "台账为空")
        if outcome == "n/a":
            return ctx.not_applicable("only for hybrid subsidiaries", "仅适用于混合式子公司")
        if outcome == "boom":
            raise ValueError("boom")
        return [ctx.finding(k, f"found {k}") for k in outcome]

    return Check(id=f"{P}.{cid}", title=f"Probe {cid}", title_zh=f"探针 {cid}", domain=domain,
                 function=function, severity=severity, run=run, recommendation="Fix it")


async def test_a_check_with_nothing_to_assess_lowers_coverage_not_the_score(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    install_checks(platform, [
        _probe("empty_register", "nothing"),  # protect: nothing to assess
        _probe("hybrid_only", "n/a", function=Function.RESPOND),  # does not apply
        _probe("monitor_ok", [], function=Function.MONITOR),  # assessed, holds
        _probe("monitor_bad", ["k"], function=Function.MONITOR, severity=Severity.LOW),
        _probe("broken", "boom", function=Function.MONITOR),
    ])
    await enable(platform, tid, P)

    run = await review(platform, tid)

    assert "protect" not in run.scores["functions"]  # nothing assessed: no score, never 100
    assert "respond" not in run.scores["functions"]
    assert run.scores["functions"]["monitor"] == round(100 * 2 / 3, 1)  # medium holds, low not
    coverage = run.scores["coverage"]["functions"]
    assert coverage["protect"] == {"assessed": 0, "applicable": 1, "passed": 0,
                                   "not_assessed": 1, "errors": 0}
    assert "respond" not in coverage  # not applicable: outside the coverage entirely
    assert coverage["monitor"] == {"assessed": 2, "applicable": 3, "passed": 1,
                                   "not_assessed": 0, "errors": 1}
    results = {r.check_id: r for r in await rows(platform, CheckResult,
                                                 CheckResult.run_id == run.id)}
    assert results[f"{P}.empty_register"].status == "not_assessed"
    assert results[f"{P}.empty_register"].reason["reason"] == "the register is empty"
    assert results[f"{P}.hybrid_only"].status == "not_applicable"

    token = acme.token("a-admin")
    body = await gql.post(RUN_SCORES, {"t": tid, "id": run.id}, token=token,
                          headers={"accept-language": "zh-CN"})
    data = body.json()["data"]["reviewRun"]
    by_key = {d["key"]: d for d in data["functionScores"]}
    assert [d["key"] for d in data["functionScores"]] == [f.value for f in Function]
    assert by_key["protect"]["score"] is None and by_key["protect"]["label"] == "保护"
    assert by_key["protect"]["assessment"] == "not_assessed"
    assert by_key["protect"]["assessmentLabel"] == "未评估"
    assert "未评估" in by_key["protect"]["summary"]
    assert by_key["monitor"]["assessment"] == "partial"
    assert (by_key["monitor"]["assessedChecks"], by_key["monitor"]["applicableChecks"],
            by_key["monitor"]["passedChecks"]) == (2, 3, 1)
    assert by_key["monitor"]["coverage"] == round(2 / 3, 3)
    assert "覆盖率 67%" in by_key["monitor"]["summary"]
    assert by_key["recover"]["assessment"] == "not_assessed"  # no check covers it
    assert data["statusLabel"] == "部分完成（部分检查出错）"
    reasons = {c["checkId"]: c for c in data["checkResults"]}
    assert reasons[f"{P}.empty_register"]["reason"] == "台账为空"
    assert reasons[f"{P}.empty_register"]["statusLabel"] == "未评估"

    english = (await gql(RUN_SCORES, {"t": tid, "id": run.id}, token=token))["data"]
    monitor = next(d for d in english["reviewRun"]["functionScores"] if d["key"] == "monitor")
    assert monitor["summary"] == ("1 of 2 assessed checks hold; 2 of 3 applicable checks "
                                  "could assess (coverage 67%)")


async def test_supervision_shows_coverage_and_not_assessed_per_function(platform, gql):
    acme = await make_group(platform, "acme")
    install_checks(platform, [_probe("empty_register", "nothing"),
                              _probe("identify_ok", [], function=Function.IDENTIFY)])
    for slug in ("acme", "acme-a", "acme-b", "acme-c"):
        await enable(platform, acme.ids[slug], P)
        await review(platform, acme.ids[slug])

    body = await gql(OVERVIEW, token=acme.token("auditor"))
    nodes = {e["node"]["tenant"]["slug"]: e["node"]
             for e in body["data"]["supervisionOverview"]["edges"]}
    assert set(nodes) == {"acme", "acme-a", "acme-b", "acme-c"}
    for node in nodes.values():
        scores = {f["key"]: f for f in node["functionScores"]}
        assert scores["protect"] == {"key": "protect", "score": None,
                                     "assessment": "not_assessed", "assessedChecks": 0,
                                     "applicableChecks": 1}
        assert scores["identify"]["score"] == 100 and scores["identify"]["assessment"] == \
            "assessed"
        assert node["trend"][-1]["coverage"] is not None
    assert nodes["acme"]["tenant"]["governanceModeLabel"].startswith("hybrid")


async def test_a_run_stored_before_coverage_reads_as_unknown(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    run = await review(platform, tid)
    legacy = {"functions": {"govern": 100.0, "identify": 100.0}, "domains": {}, "overall": 100}
    async with platform.db.system_session("test: a run of the old engine") as s:
        await s.execute(update(ReviewRun).where(ReviewRun.id == run.id).values(scores=legacy))

    body = await gql(RUN_SCORES, {"t": tid, "id": run.id}, token=acme.token("a-admin"))
    scores = {d["key"]: d for d in body["data"]["reviewRun"]["functionScores"]}
    assert scores["identify"]["score"] == 100 and scores["identify"]["assessment"] == "unknown"
    assert scores["identify"]["assessedChecks"] is None
    assert "before coverage was kept" in scores["identify"]["summary"]
    assert scores["protect"]["score"] is None
    assert scores["protect"]["assessment"] == "not_assessed"


def test_scores_rest_only_on_assessed_checks_weighted_by_severity():
    checks = [ScoredCheck("govern", "resources", "critical", "passed"),
              ScoredCheck("govern", "resources", "high", "findings", deficient=True),
              ScoredCheck("govern", "top_level_design", "medium", "not_assessed"),
              ScoredCheck("identify", "top_level_design", "low", "not_assessed"),
              ScoredCheck("protect", "resources", "low", "findings", deficient=False)]
    scores = score_run(checks)
    assert scores["functions"] == {"govern": round(100 * 4 / 7, 1), "protect": 100.0}
    assert "identify" not in scores["functions"]
    assert "top_level_design" not in scores["domains"]
    views = {v.key: v for v in dimensions(scores, "functions")}
    assert views["identify"].assessment == Assessment.NOT_ASSESSED
    assert views["identify"].score is None and views["identify"].applicable == 1
    assert views["govern"].assessment == Assessment.PARTIAL and views["govern"].coverage == 0.667
    assert views["protect"].assessment == Assessment.ASSESSED  # an info finding holds


def test_group_aggregation_sums_coverage_and_averages_only_assessed_children():
    a = score_run([ScoredCheck("protect", "resources", "medium", "passed")])
    b = score_run([ScoredCheck("protect", "resources", "medium", "not_assessed")])
    total = aggregate_scores([a, b])
    assert total["functions"] == {"protect": 100.0}  # b assessed nothing: not averaged as 100
    assert total["coverage"]["functions"]["protect"]["assessed"] == 1
    assert total["coverage"]["functions"]["protect"]["applicable"] == 2
    legacy = aggregate_scores([a, {"functions": {"protect": 90.0}, "overall": 90.0}])
    assert "coverage" not in legacy  # a child without coverage: the group's is unknown


async def test_exports_carry_coverage_and_say_not_assessed(platform, gql):
    import csv
    import io

    acme = await make_group(platform, "acme")
    install_checks(platform, [_probe("empty_register", "nothing"),
                              _probe("identify_ok", [], function=Function.IDENTIFY)])
    await enable(platform, acme.ids["acme-a"], P)
    await review(platform, acme.ids["acme-a"])
    auth = {"authorization": f"Bearer {acme.token('auditor')}"}

    response = await gql.client.get("/supervision/export.csv", headers=auth)
    lines = {(r["slug"], r["function"]): r for r in csv.DictReader(io.StringIO(response.text))}
    protect, identify = lines["acme-a", "protect"], lines["acme-a", "identify"]
    assert (protect["score"], protect["assessment"], protect["assessed_checks"],
            protect["applicable_checks"]) == ("", "not_assessed", "0", "1")
    assert (identify["score"], identify["assessment"], identify["assessed_checks"]) == (
        "100.0", "assessed", "1")
    assert lines["acme-b", "identify"]["assessment"] == "not_assessed"  # never reviewed

    zh = (await gql.client.get("/supervision/report", params={"lang": "zh-CN"},
                               headers=auth)).text
    assert "<th>识别</th>" in zh and "<th>identify</th>" not in zh
    assert "未评估" in zh and "1/1" in zh


def test_the_command_line_prints_each_score_with_what_it_rests_on():
    from ipgov.reviews.reading import score_lines

    scores = score_run([ScoredCheck("govern", "resources", "medium", "passed"),
                        ScoredCheck("protect", "resources", "medium", "not_assessed")])
    lines = score_lines(scores)
    assert lines[0].split()[:2] == ["Govern", "100"]
    protect = next(line for line in lines if line.startswith("Protect"))
    assert "not assessed" in protect and "none of the 1 applicable checks" in protect
    assert lines[-1].startswith("overall")
