"""First appearance: of a claim and the claims linked to it, which was dated earliest, and how surely.

Pure: each appearance is given as plain values (a label, the published
datetime or None, its precision). A date known to the month stands for the
whole month: it is "not before" the month's first day, and it cannot be put
before another appearance in that same month. Appearances whose date is
unknown are counted, never ranked: any of them may be earlier.
"""

import calendar
import datetime
from dataclasses import dataclass

from archive.text import dates


@dataclass(frozen=True)
class Appearance:
    key: object
    when: datetime.datetime | None
    precision: str
    zone_stated: bool = True

    @property
    def dated(self):
        return self.when is not None and self.precision != "unknown"

    def interval(self):
        """The earliest and latest day the date allows."""
        day = self.when.date()
        if self.precision == "year":
            return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
        if self.precision == "month":
            last = calendar.monthrange(day.year, day.month)[1]
            return day.replace(day=1), day.replace(day=last)
        return day, day

    @property
    def display(self):
        return dates.display(self.when, self.precision, zone_stated=self.zone_stated)


@dataclass(frozen=True)
class FirstAppearance:
    first: Appearance | None
    not_before: datetime.date | None  # when the first's date is partial: the earliest it can be
    tied: tuple  # other appearances that may be as early (their dates overlap the first's)
    undated: int  # appearances whose date is unknown

    @property
    def summary(self):
        if self.first is None:
            return "Date unknown for every appearance." if self.undated else ""
        text = f"Earliest dated appearance: {self.first.display}"
        if self.not_before:
            text += f" (not before {self.not_before.strftime('%-d %B %Y')})"
        return text + "."


def first_appearance(appearances):
    """The earliest dated of ``appearances`` (``Appearance``), with what is uncertain about it."""
    dated = [a for a in appearances if a.dated]
    undated = len(appearances) - len(dated)
    if not dated:
        return FirstAppearance(None, None, (), undated)

    def order(a):
        lo, hi = a.interval()
        return (lo, hi, a.when)

    dated.sort(key=order)
    first = dated[0]
    lo, hi = first.interval()
    tied = tuple(a for a in dated[1:] if a.interval()[0] <= hi)
    not_before = lo if first.precision in ("month", "year") else None
    return FirstAppearance(first, not_before, tied, undated)
