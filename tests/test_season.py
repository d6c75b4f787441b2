"""Season calendar and season-string parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from nbapipe.errors import InputError
from nbapipe.season import calendar, is_early_season, parse_seasons, season_year_of
from nbapipe.teams import TEAM_ABBRS, team_abbr


def test_season_parse_accepts_ranges_lists_and_single_seasons() -> None:
    assert parse_seasons("2021-22..2024-25") == [2021, 2022, 2023, 2024]
    assert parse_seasons("2024-25") == [2024]
    assert parse_seasons("2024") == [2024]
    assert parse_seasons("2021-22, 2023-24") == [2021, 2023]
    assert parse_seasons("1999-2000") == [1999]


@pytest.mark.parametrize("bad", ["2021-2x", "2021-23", "21-22", "", "2024-25..2021-22", "abc"])
def test_season_parse_rejects_malformed_with_one_line_message(bad: str) -> None:
    with pytest.raises(InputError) as info:
        parse_seasons(bad, where="--seasons")
    assert "\n" not in str(info.value)
    assert "--seasons" in str(info.value)


def test_season_year_follows_october_rule() -> None:
    assert season_year_of(dt.date(2024, 10, 22)) == 2024
    assert season_year_of(dt.date(2025, 4, 13)) == 2024
    assert season_year_of(dt.date(2025, 9, 30)) == 2024


def test_season_real_openers_and_early_season_window() -> None:
    openers = {y: calendar(y).opener.isoformat() for y in (2021, 2022, 2023, 2024)}
    assert openers == {
        2021: "2021-10-19",
        2022: "2022-10-18",
        2023: "2023-10-24",
        2024: "2024-10-22",
    }
    assert is_early_season(dt.date(2024, 11, 4))  # day 13
    assert not is_early_season(dt.date(2024, 11, 5))  # day 14


def test_season_generic_calendar_is_a_plausible_season() -> None:
    cal = calendar(2010)
    assert cal.opener.weekday() == 1 and cal.opener.month == 10
    assert 165 <= (cal.regular_season_end - cal.opener).days <= 180
    assert cal.opener < cal.all_star_break[0] < cal.all_star_break[1] < cal.regular_season_end


def test_teams_variants_and_full_names_map_to_tricodes() -> None:
    assert len(TEAM_ABBRS) == 30
    assert team_abbr("BRK") == "BKN"
    assert team_abbr("pho") == "PHX"
    assert team_abbr("Los Angeles Clippers") == "LAC"
    assert team_abbr("Portland Trail Blazers") == "POR"


def test_teams_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"unknown team code 'XYZ' \(--team\)"):
        team_abbr("XYZ", where="--team")
