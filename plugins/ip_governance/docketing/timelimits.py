"""Date arithmetic of time limits: months with the month-end rule and roll-forward past
non-working days. Both are what the offices' rules say (e.g. CN Implementing Regulations
Rule 5, EPC Rule 131(4) and 134(1), 35 U.S.C. 21(b), JP Patent Act Art. 3)."""

from __future__ import annotations

from datetime import date, timedelta

from .rules import Calendar

__all__ = ["add_months", "add_years", "month_end", "roll_forward"]

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_days(year: int, month: int) -> int:
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if leap else _DAYS[month - 1]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months``; a month without that day ends the limit on its last day
    (filing 2024-02-29 plus 12 months is 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _month_days(year, month)))


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years, by the same month-end rule."""
    return add_months(day, 12 * years)


def month_end(day: date) -> date:
    """The last day of ``day``'s month (EPC Rule 51(1) renewal due dates)."""
    return day.replace(day=_month_days(day.year, day.month))


def roll_forward(day: date, office: Calendar | None) -> date:
    """The first working day on or after ``day`` in ``office``'s calendar (unchanged
    without a calendar)."""
    if office is None:
        return day
    for _ in range(40):  # the longest closure listed (Spring Festival, New Year) is far shorter
        if not ((office.weekends and day.weekday() >= 5) or day in office.dates):
            return day
        day += timedelta(days=1)
    return day
