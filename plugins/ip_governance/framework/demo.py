"""Demo profiles for the Hanwei group: group targets set at HQ, subsidiaries with real gaps.

What the group review shows: HQ and Hanwei Semiconductor and Hanwei Europe have gaps (high and
low), Hanwei Medical has a legacy target below the group's and a year-old assessment, Hanwei
Software has never assessed itself; Hanwei Cloud and Hanwei Industrial pass every check.
"""

from __future__ import annotations

from datetime import timedelta

from ipgov.api import DemoContext, new_id, utcnow

from .catalog import BUILTIN_ID
from .models import Profile, ProfileEntry

__all__ = ["load_demo"]

GROUP_TARGET = {
    "GV.OC-01": 3, "GV.OC-04": 3, "GV.RM-01": 4, "GV.RM-02": 3, "GV.RR-01": 3, "GV.RR-02": 3,
    "GV.PO-01": 3, "GV.ST-01": 3, "GV.OV-01": 3, "GV.SC-01": 3, "ID.AM-01": 3, "ID.RA-01": 3,
    "ID.RA-03": 3, "PR.MT-01": 4, "PR.TS-01": 3, "PR.TS-02": 3, "PR.PC-01": 3, "OP.LC-01": 3,
    "OP.LC-02": 3, "MO.CI-01": 3, "MO.LE-02": 3, "RS.MA-01": 3, "RS.IN-01": 3, "RC.RP-01": 2,
    "RC.BC-02": 3,
}

# slug: (own target tiers, current tiers as changes to "meets the group target", age in days)
TENANTS: dict[str, tuple[dict[str, int], dict[str, int] | None, int]] = {
    "hanwei-group": ({**GROUP_TARGET}, {"GV.ST-01": 2, "MO.CI-01": 2}, 30),
    "hanwei-semiconductor": ({"PR.TS-01": 4, "PR.TS-02": 4, "ID.LS-01": 3},
                             {"PR.TS-01": 3, "PR.TS-02": 2, "ID.RA-03": 1, "ID.LS-01": 2}, 20),
    "hanwei-medical": ({"GV.RM-01": 2, "RS.IN-02": 3}, {"RS.IN-02": 3}, 400),
    "hanwei-software": ({}, None, 0),
    "hanwei-cloud": ({"GV.OC-01": 2, "ID.AM-01": 3, "PR.TS-02": 3, "MO.SC-02": 3},
                     {"GV.OC-01": 2, "ID.AM-01": 3, "PR.TS-02": 3, "MO.SC-02": 3}, 60),
    "hanwei-industrial": ({"OP.LC-02": 4}, {"OP.LC-02": 4}, 90),
    "hanwei-europe": ({}, {"GV.RM-01": 2, "OP.LC-02": 3, "PR.MT-01": 3}, 45),
}
NOTES = {
    "PR.TS-02": "NDAs signed; access to the process recipes is not yet logged.",
    "ID.RA-03": "FTO only for US launches so far.",
    "GV.RM-01": "Appetite set by the board in 2025; tolerance per risk type pending.",
}


def _add(demo: DemoContext, tenant_id: str, kind: str, tiers: dict[str, int],
         age_days: int) -> None:
    when = utcnow() - timedelta(days=age_days)
    profile = Profile(id=new_id(), tenant_id=tenant_id, kind=kind, framework_key=BUILTIN_ID,
                      assessed_at=when, assessed_by=demo.actor)
    demo.session.add(profile)
    for outcome, tier in tiers.items():
        demo.session.add(ProfileEntry(
            tenant_id=tenant_id, profile_id=profile.id, outcome_id=outcome, tier=tier,
            note=NOTES.get(outcome, "") if kind == "current" else "", evidence=[],
            updated_by=demo.actor, updated_at=when))


async def load_demo(demo: DemoContext) -> None:
    """Current and target profiles for the demo tenants (HQ's target is the group target)."""
    for slug, (target, current_changes, age) in TENANTS.items():
        tenant_id = demo.tenants.get(slug)
        if tenant_id is None:
            continue
        if target:
            _add(demo, tenant_id, "target", target, age)
        if current_changes is not None:
            meets = {**GROUP_TARGET, **(target if slug != "hanwei-medical" else {})}
            _add(demo, tenant_id, "current", {**meets, **current_changes}, age)
    await demo.session.flush()
