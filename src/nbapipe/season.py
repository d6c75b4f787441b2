"""Season calendar: season_year, openers, regular-season ends, All-Star breaks, early season."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nbapipe.errors import InputError

# Days 0..13 after the opener are "early season" (spec section 0, BOOTSTRAP_DAYS).
BOOTSTRAP_DAYS = 14


@dataclass(frozen=True)
class SeasonCalendar:
    season_year: int
    opener: dt.date
    regular_season_end: dt.date
    all_star_break: tuple[dt.date, dt.date]  # first and last day without games

    @property
    def label(self) -> str:
        return season_label(self.season_year)


# Real dates: opener, last regular-season day, All-Star break (inclusive, no games).
_KNOWN = {
    2021: ("2021-10-19", "2022-04-10", ("2022-02-18", "2022-02-23")),
    2022: ("2022-10-18", "2023-04-09", ("2023-02-17", "2023-02-22")),
    2023: ("2023-10-24", "2024-04-14", ("2024-02-16", "2024-02-21")),
    2024: ("2024-10-22", "2025-04-13", ("2025-02-14", "2025-02-19")),
    2025: ("2025-10-21", "2026-04-12", ("2026-02-13", "2026-02-18")),
    2026: ("2026-10-21", "2027-04-11", ("2027-02-12", "2027-02-17")),  # provisional
}


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def calendar(season_year: int) -> SeasonCalendar:
    """The calendar of a season; real dates where known, a typical NBA calendar otherwise."""
    if season_year in _KNOWN:
        opener, end, (b0, b1) = _KNOWN[season_year]
        return SeasonCalendar(season_year, _d(opener), _d(end), (_d(b0), _d(b1)))
    # Typical season: opens the Tuesday on or after Oct 18, 24 weeks + 5 days long,
    # All-Star Sunday on the third Sunday of February with a six-day break around it.
    oct18 = dt.date(season_year, 10, 18)
    opener = oct18 + dt.timedelta(days=(1 - oct18.weekday()) % 7)
    end = opener + dt.timedelta(days=173)
    feb15 = dt.date(season_year + 1, 2, 15)
    asg = feb15 + dt.timedelta(days=(6 - feb15.weekday()) % 7)
    return SeasonCalendar(
        season_year, opener, end, (asg - dt.timedelta(days=2), asg + dt.timedelta(days=3))
    )


def season_year_of(day: dt.date) -> int:
    """Start year of the season a date belongs to: October or later is that year's season."""
    return day.year if day.month >= 10 else day.year - 1


def season_label(season_year: int) -> str:
    return f"{season_year}-{(season_year + 1) % 100:02d}"


def is_early_season(day: dt.date) -> bool:
    """True for the first BOOTSTRAP_DAYS days from the season's real opener."""
    cal = calendar(season_year_of(day))
    return cal.opener <= day < cal.opener + dt.timedelta(days=BOOTSTRAP_DAYS)


_ONE = re.compile(r"^(\d{4})(?:-(\d{2}|\d{4}))?$")


def _parse_one(text: str, where: str) -> int:
    m = _ONE.match(text.strip())
    if not m:
        raise InputError(
            f"invalid season {text!r}{where}: write it as 2024-25 (or 2024), "
            "a range as 2021-22..2024-25"
        )
    start = int(m.group(1))
    if m.group(2) is not None:
        end = int(m.group(2))
        expected = (start + 1) % 100 if len(m.group(2)) == 2 else start + 1
        if end != expected:
            raise InputError(
                f"invalid season {text!r}{where}: {start} is followed by "
                f"{season_label(start)}, not {m.group(2)}"
            )
    if not 1946 <= start <= 2100:
        raise InputError(f"invalid season {text!r}{where}: year out of range")
    return start


def parse_seasons(text: str, *, where: str = "") -> list[int]:
    """Parse '2024-25', '2021-22..2024-25' or '2021-22,2023-24' into season start years."""
    place = f" ({where})" if where else ""
    if not text or not text.strip():
        raise InputError(f"no season given{place}: write it as 2024-25 or 2021-22..2024-25")
    years: list[int] = []
    for part in text.split(","):
        if ".." in part:
            lo_text, hi_text = part.split("..", 1)
            lo, hi = _parse_one(lo_text, place), _parse_one(hi_text, place)
            if hi < lo:
                raise InputError(f"invalid season range {part.strip()!r}{place}: end before start")
            years.extend(range(lo, hi + 1))
        else:
            years.append(_parse_one(part, place))
    return sorted(set(years))
