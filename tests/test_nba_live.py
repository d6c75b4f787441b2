"""Fetching NBA.com stats through nba_api: cache, pacing, retries, block message, ingest.

No test touches the network: the transport is replaced by the real recorded responses in
../shared/data/nba_api_recordings, and any real HTTP attempt fails the test.
"""

from __future__ import annotations

import itertools
import socket
from pathlib import Path

import pytest
import requests

from conftest import SHARED_DATA
from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.errors import InputError, NbapipeError
from nbapipe.sources import nba_live
from nbapipe.sources.nba_live import fetch_nba_stats
from nbapipe.sources.nba_stats import ingest_nba_stats
from nbapipe.warehouse import migrate

DATA = SHARED_DATA
RECORDINGS = {
    "leaguegamelog": "LeagueGameLog.json",
    "playbyplayv3": "PlayByPlayV3.json",
    "boxscoretraditionalv3": "BoxScoreTraditionalV3.json",
    "scoreboardv2": "ScoreboardV2.json",
    "shotchartdetail": "ShotChartDetail.json",
}
GAME = "0022200552"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any real HTTP attempt (requests or a raw socket) fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def recordings() -> Path:
    if not DATA.exists():
        pytest.skip("../shared/data not present: real-data tests need it beside the checkout")
    return DATA / "nba_api_recordings"


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class Recorded:
    """A transport answering from the recordings, after scripted failures if any."""

    def __init__(self, folder: Path, clock: FakeClock | None = None, script=()) -> None:
        self.folder, self.clock, self.script = folder, clock, list(script)
        self.calls: list[tuple[str, dict, float | None]] = []

    def __call__(self, endpoint: str, params: dict, timeout: float) -> tuple[int, str]:
        self.calls.append((endpoint, dict(params), self.clock() if self.clock else None))
        if self.script:
            outcome = self.script.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        return 200, (self.folder / RECORDINGS[endpoint]).read_text(encoding="utf-8")


def fetch(kind: str, transport, tmp_path: Path, clock: FakeClock | None = None, **kwargs):
    clock = clock or FakeClock()
    return fetch_nba_stats(
        kind, cache_dir=tmp_path / "cache", client=transport, sleep=clock.sleep, clock=clock,
        **kwargs,
    )  # fmt: skip


def test_nba_live_cached_response_is_never_fetched_twice(recordings, tmp_path: Path) -> None:
    transport = Recorded(recordings)
    first = fetch("boxscore", transport, tmp_path, game_ids=[GAME])
    assert len(transport.calls) == 1 and first[0].exists()
    assert first[0].parent.name == "boxscoretraditionalv3" and GAME in first[0].name
    again = fetch("boxscore", transport, tmp_path, game_ids=[GAME])
    assert again == first and len(transport.calls) == 1
    assert first[0].read_text(encoding="utf-8") == (
        recordings / RECORDINGS["boxscoretraditionalv3"]
    ).read_text(encoding="utf-8")


def test_nba_live_requests_are_paced_by_min_interval(recordings, tmp_path: Path) -> None:
    clock = FakeClock()
    transport = Recorded(recordings, clock)
    games = ["0022200550", "0022200551", GAME]
    fetch("playbyplay", transport, tmp_path, clock, game_ids=games, min_interval=0.6)
    times = [t for _, _, t in transport.calls]
    assert [c[1]["GameID"] for c in transport.calls] == games
    assert all(b - a >= 0.6 - 1e-9 for a, b in itertools.pairwise(times))
    assert clock.sleeps == [0.6, 0.6]  # no sleep before the first request


def test_nba_live_transient_failures_are_retried_with_backoff(recordings, tmp_path: Path) -> None:
    clock = FakeClock()
    script = [(429, "slow down"), (503, "busy"), TimeoutError("read timed out")]
    transport = Recorded(recordings, clock, script)
    paths = fetch("scoreboard", transport, tmp_path, clock, date_from="2026-02-22",
                  min_interval=0.0, backoff=1.0, retries=4)  # fmt: skip
    assert len(transport.calls) == 4 and paths[0].exists()
    assert clock.sleeps == [1.0, 2.0, 4.0]  # exponential backoff between the tries
    assert transport.calls[0][1]["GameDate"] == "02/22/2026"


def test_nba_live_silence_after_all_retries_says_nba_blocks_us(recordings, tmp_path: Path) -> None:
    clock = FakeClock()
    transport = Recorded(recordings, clock, [requests.ConnectTimeout("timed out")] * 3)
    with pytest.raises(NbapipeError) as info:
        fetch("team_logs", transport, tmp_path, clock, season="2024-25", retries=2)
    message = str(info.value)
    assert message.startswith("NBA.com did not answer leaguegamelog")
    assert "after 3 tries" in message and "data-centre IPs" in message
    assert "`nbapipe ingest nba-stats PATH`" in message and "\n" not in message
    assert not list((tmp_path / "cache").rglob("*.json"))  # nothing cached on failure


def test_nba_live_forbidden_is_reported_at_once(recordings, tmp_path: Path) -> None:
    transport = Recorded(recordings, None, [(403, "<html>Access Denied</html>")])
    with pytest.raises(
        NbapipeError, match=r"refused playbyplayv3 \(GameID=0022200552\) \(HTTP 403\)"
    ):
        fetch("playbyplay", transport, tmp_path, game_ids=[GAME])
    assert len(transport.calls) == 1


def test_nba_live_server_errors_after_all_retries_say_try_later(recordings, tmp_path: Path) -> None:
    transport = Recorded(recordings, None, [(502, "bad gateway")] * 5)
    with pytest.raises(NbapipeError, match=r"kept failing .* after 5 tries \(HTTP 502\)"):
        fetch("boxscore", transport, tmp_path, game_ids=[GAME], retries=4)


def test_nba_live_bad_arguments_are_refused_before_any_request(tmp_path: Path) -> None:
    def transport(*args):
        raise AssertionError("no request expected")

    with pytest.raises(InputError, match=r"unknown NBA\.com fetch kind 'odds'"):
        fetch("odds", transport, tmp_path)
    with pytest.raises(InputError, match=r"needs season="):
        fetch("team_logs", transport, tmp_path)
    with pytest.raises(InputError, match=r"not NBA\.com game ids"):
        fetch("boxscore", transport, tmp_path, game_ids=["22200552"])


def test_nba_live_without_the_live_extra_says_how_to_install_it(monkeypatch, tmp_path) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "nba_api", None)  # as if `pip install .` without [live]
    with pytest.raises(InputError, match=r"needs nba_api: pip install 'nbapipe\[live\]'"):
        fetch("team_logs", None, tmp_path, season="2024-25")


def test_nba_live_default_transport_goes_through_nba_api(monkeypatch, recordings) -> None:
    from nba_api.stats.library.http import NBAStatsHTTP, NBAStatsResponse

    seen = {}

    def send(self, endpoint, parameters, timeout=None, **kwargs):
        seen.update(endpoint=endpoint, parameters=parameters, timeout=timeout)
        body = (recordings / "ScoreboardV2.json").read_text(encoding="utf-8")
        return NBAStatsResponse(response=body, status_code=200, url="recorded")

    monkeypatch.setattr(NBAStatsHTTP, "send_api_request", send)
    status, body = nba_live.nba_api_transport("scoreboardv2", {"GameDate": "02/22/2026"}, 7.0)
    assert status == 200 and '"GameHeader"' in body
    assert seen == {"endpoint": "scoreboardv2", "parameters": {"GameDate": "02/22/2026"},
                    "timeout": 7.0}  # fmt: skip


def test_nba_live_fetched_files_ingest_through_the_adapter(recordings, tmp_path: Path) -> None:
    transport = Recorded(recordings)
    paths = fetch("team_logs", transport, tmp_path, season="2025-26")
    paths += fetch("playbyplay", transport, tmp_path, game_ids=[GAME])
    paths += fetch("boxscore", transport, tmp_path, game_ids=[GAME])
    engine = DuckDBEngine(":memory:")
    migrate(engine)
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES (?, DATE '2023-01-02', 2022, 'CLE', 'CHI', 'test')",
        [GAME],
    )
    _, outcomes = ingest_nba_stats(engine, paths)
    assert [o.status for o in outcomes] == ["loaded"] * 3
    counts = dict(
        engine.fetchall(
            "SELECT 'schedule', count(*) FROM nba_raw.schedule WHERE source = 'nba_stats' "
            "UNION ALL SELECT 'pbp', count(*) FROM nba_raw.play_by_play "
            "UNION ALL SELECT 'players', count(*) FROM nba_raw.player_boxscores"
        )
    )
    assert counts == {"schedule": 844, "pbp": 546, "players": 23}
    # Fetching again finds everything cached and re-ingesting changes nothing.
    calls = len(transport.calls)
    again = fetch("playbyplay", transport, tmp_path, game_ids=[GAME])
    _, outcomes = ingest_nba_stats(engine, again)
    assert len(transport.calls) == calls and outcomes[0].status == "unchanged"
    engine.close()
