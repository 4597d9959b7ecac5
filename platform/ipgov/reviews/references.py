"""What a finding cites: references a reader can look up, never a section of an internal note.

Checks declare ``references``: framework outcomes of the built-in IP-CSF catalog
(``IP-CSF GV.RM-01``) and clauses of the standards it maps to (``GB/T 29490-2023 6.1``,
``ISO 56005``). Findings stored before references existed (and partner checks that still give
only ``seed_ref``) carry a section number of the design notes ("5.1.2 b"); ``LEGACY`` maps each
such section to the outcome and clause that say the same, so those findings keep a useful
citation. Clause numbers are outline references only (no text of a standard is reproduced).
"""

from __future__ import annotations

from typing import Any

__all__ = ["LEGACY", "references_for"]

G = "GB/T 29490-2023 "
LEGACY: dict[str, tuple[str, ...]] = {
    "1": ("IP-CSF RS.MA-01", "IP-CSF RC.RP-01", G + "10.1"),
    "3": ("IP-CSF GV.OV-01", G + "9.3"),
    "3 a": ("IP-CSF GV.RR-01", G + "5.1"),
    "3 b": ("IP-CSF GV.RR-02", G + "5.3"),
    "3 c": ("IP-CSF GV.RM-01", G + "6.1"),
    "3 c; 6.1": ("IP-CSF GV.RM-01", "IP-CSF ID.RA-02", G + "6.1"),
    "3 c; 5.1.2 c": ("IP-CSF GV.RM-01", G + "6.1"),
    "3 d": ("IP-CSF GV.OC-03", G + "4.2"),
    "4.1": ("IP-CSF GV.OV-02", G + "9.1"),
    "5.1": ("IP-CSF GV.ST-01", G + "6.2"),
    "5.1.1": ("IP-CSF MO.PF-01", G + "6.2"),
    "5.1.1 item 4": ("IP-CSF OP.MN-01", G + "8.2"),
    "5.1.2 b": ("IP-CSF GV.OV-01", G + "9.3", G + "10.2"),
    "5.1.2 c": ("IP-CSF GV.RM-01", G + "6.1"),
    "5.1.3": ("IP-CSF GV.ST-03", G + "6.2"),
    "5.2": ("IP-CSF GV.RR-02", G + "5.3"),
    "5.2 a": ("IP-CSF GV.RR-03", G + "5.3"),
    "5.2 c": ("IP-CSF PR.AT-01", G + "7.2", G + "7.3"),
    "5.3": ("IP-CSF GV.OV-03", G + "4.4"),
    "5.3 a": ("IP-CSF GV.OV-03", G + "4.4"),
    "6.1": ("IP-CSF MO.PF-02", G + "9.1"),
    "7.2 b": ("IP-CSF PR.PS-01", G + "7.1"),
    "7.3": ("IP-CSF MO.CI-01", G + "9.1"),
    "7.3 b": ("IP-CSF PR.PS-02", G + "7.5"),
    "7.4 a": ("IP-CSF PR.PC-01", G + "8.4"),
    "7.4 b": ("IP-CSF ID.AM-02", G + "5.3"),
    "7.4 c": ("IP-CSF PR.DS-01", G + "7.5"),
    "7.4 d": ("IP-CSF PR.TS-02", G + "8.4"),
    "7.4 e": ("IP-CSF PR.DS-03", G + "7.5"),
}


def references_for(check: Any, seed_ref: str = "") -> list[str]:
    """The references of a finding: its check's when declared, else the mapping of its
    stored (or its check's) ``seed_ref``; a stored reference stays as it is, an unmapped
    section reads "design note §x"."""
    if check is not None and check.references:
        return list(check.references)
    section = (seed_ref or (check.seed_ref if check is not None else "")).strip()
    if not section:
        return []
    if section in LEGACY:
        return list(LEGACY[section])
    if section[0].isalpha():  # already a reference ("IP-CSF GV.RM-01"), stored as the first
        return [section]
    return [f"design note §{section}"]
