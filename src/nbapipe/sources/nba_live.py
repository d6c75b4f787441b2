"""Fetch NBA.com stats responses through ``nba_api`` into an on-disk cache, politely.

``fetch_nba_stats`` builds each request with the ``nba_api`` endpoint classes, sends it through
a transport (``nba_api``'s HTTP client unless one is given), and writes the raw response body to
``cache_dir/<endpoint>/<parameters>.json``. A cached response is never fetched again. The files
it returns are ingested like any saved file: ``ingest_nba_stats(engine, paths)``.

Politeness: at least ``min_interval`` seconds between requests, exponential backoff on
timeouts, connection errors, HTTP 429 and 5xx, and a clear error when NBA.com blocks us.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from nbapipe.errors import InputError, NbapipeError
from nbapipe.season import parse_seasons, season_label

# (endpoint, parameters, timeout in seconds) -> (HTTP status, response body). Raises
# TimeoutError/ConnectionError (or requests' exceptions) when NBA.com does not answer.
Transport = Callable[[str, dict[str, Any], float], tuple[int, str]]

KINDS = {
    "team_logs": "LeagueGameLog team rows of a season (season=)",
    "player_logs": "LeagueGameLog player rows of a season (season=)",
    "playbyplay": "PlayByPlayV3 per game (game_ids=)",
    "boxscore": "BoxScoreTraditionalV3 per game (game_ids=)",
    "scoreboard": "ScoreboardV2 per date (date_from=, date_to=)",
    "shots": "ShotChartDetail, every field-goal attempt of a season or of games",
}
BLOCKED_HINT = (
    "it blocks many cloud and data-centre IPs; run from a home connection or ingest saved "
    "files with `nbapipe ingest nba-stats PATH`"
)


def nba_api_transport(endpoint: str, parameters: dict[str, Any], timeout: float) -> tuple[int, str]:
    """Send one request with ``nba_api``'s stats client (its headers, session and URL)."""
    from nba_api.stats.library.http import NBAStatsHTTP

    response = NBAStatsHTTP().send_api_request(
        endpoint=endpoint, parameters=parameters, timeout=timeout
    )
    # NBAResponse exposes the status code only as an attribute.
    return int(getattr(response, "_status_code", 0) or 0), response.get_response()


def fetch_nba_stats(
    kind: str,
    *,
    season: int | str | None = None,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    game_ids: Iterable[str] = (),
    cache_dir: str | Path,
    client: Transport | None = None,
    min_interval: float = 0.6,
    retries: int = 4,
    season_types: Sequence[str] = ("Regular Season",),
    timeout: float = 30.0,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[Path]:
    """Fetch (or find in the cache) every response ``kind`` needs; returns the cached files.

    ``client`` replaces the HTTP layer (tests pass recordings); ``sleep`` and ``clock`` replace
    real time. Raises NbapipeError when NBA.com keeps failing or blocks the client.
    """
    if kind not in KINDS:
        known = "; ".join(f"{k}: {v}" for k, v in KINDS.items())
        raise InputError(f"unknown NBA.com fetch kind {kind!r}; known kinds: {known}")
    if min_interval < 0 or retries < 0:
        raise InputError("min_interval and retries must not be negative")
    try:  # nba_api's endpoint classes build every request (and bring requests with them)
        import nba_api  # noqa: F401
    except ImportError:
        raise InputError("live fetching needs nba_api: pip install 'nbapipe[live]'") from None
    plan = _requests(kind, season, date_from, date_to, list(game_ids), season_types)
    cache = Path(cache_dir)
    pacer = _Pacer(min_interval, sleep, clock)
    paths = []
    for endpoint, params in plan:
        path = cache_path(cache, endpoint, params)
        if not path.exists():
            body = _fetch(
                client or nba_api_transport, endpoint, params, pacer, retries, backoff, timeout
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".part")
            tmp.write_text(body, encoding="utf-8")
            os.replace(tmp, path)  # a crash never leaves a half-written cache entry
        paths.append(path)
    return paths


def cache_path(cache_dir: Path, endpoint: str, params: dict[str, Any]) -> Path:
    """Where the response to ``endpoint`` with ``params`` is cached (stable across runs)."""
    exact = json.dumps({k: params[k] for k in sorted(params)}, default=str)
    digest = hashlib.sha256(f"{endpoint}?{exact}".encode()).hexdigest()[:10]
    shown = "_".join(f"{k}={v}" for k, v in sorted(params.items()) if v not in (None, "", 0, "0"))
    shown = re.sub(r"[^A-Za-z0-9=._-]+", "-", shown)[:120] or "default"
    return cache_dir / endpoint.lower() / f"{shown}.{digest}.json"


class _Pacer:
    """Keeps at least ``interval`` seconds between the starts of consecutive requests."""

    def __init__(self, interval: float, sleep: Callable[[float], None], clock: Callable[[], float]):
        self.interval, self.sleep, self.clock = interval, sleep, clock
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            gap = self.clock() - self.last
            if gap < self.interval:
                self.sleep(self.interval - gap)
        self.last = self.clock()


def _fetch(
    client: Transport,
    endpoint: str,
    params: dict[str, Any],
    pacer: _Pacer,
    retries: int,
    backoff: float,
    timeout: float,
) -> str:
    """One response body, retrying transient failures with exponential backoff."""
    import requests

    what = f"{endpoint} ({_short(params)})"
    silent = True  # every failure so far was no answer at all (the usual sign of a block)
    problem = ""
    for attempt in range(retries + 1):
        if attempt:
            pacer.sleep(backoff * 2 ** (attempt - 1))
        pacer.wait()
        try:
            status, body = client(endpoint, params, timeout)
        except (OSError, requests.RequestException) as exc:  # timeouts, refused, reset
            problem = f"no answer: {type(exc).__name__}"
            continue
        if status == 403:
            raise NbapipeError(f"NBA.com refused {what} (HTTP 403): {BLOCKED_HINT}")
        if status == 429 or status >= 500:
            silent, problem = False, f"HTTP {status}"
            continue
        if status != 200:
            raise InputError(f"NBA.com rejected {what}: HTTP {status} {body[:200]!r}")
        try:
            json.loads(body)
        except ValueError:
            # An HTML or error page in place of data: a block page, or a transient failure.
            problem = f"a page that is not JSON ({body.strip()[:60]!r})"
            continue
        return body
    tries = retries + 1
    if silent:
        raise NbapipeError(
            f"NBA.com did not answer {what} after {tries} tries ({problem}): {BLOCKED_HINT}"
        )
    raise NbapipeError(
        f"NBA.com kept failing {what} after {tries} tries ({problem}); try again later or "
        "ingest saved files with `nbapipe ingest nba-stats PATH`"
    )


def _short(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items() if v not in (None, "", 0, "0"))


# -- request plans --------------------------------------------------------------------------


def _season_label(season: int | str | None, kind: str) -> str:
    if season is None:
        raise InputError(f"fetch kind {kind!r} needs season= (e.g. 2024 or '2024-25')")
    years = parse_seasons(str(season), where=f"fetch {kind}")
    if len(years) != 1:
        raise InputError(f"fetch kind {kind!r} takes one season, not {season!r}")
    return season_label(years[0])


def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"invalid {name} {value!r}: write it as YYYY-MM-DD") from None


def _game_ids(game_ids: list[str], kind: str) -> list[str]:
    if not game_ids:
        raise InputError(f"fetch kind {kind!r} needs game_ids=[...] (NBA.com 10-digit ids)")
    bad = [g for g in game_ids if not re.fullmatch(r"00\d{8}", str(g))]
    if bad:
        raise InputError(f"not NBA.com game ids (10 digits, e.g. 0022400001): {bad[:5]}")
    return [str(g) for g in game_ids]


def _us_date(day: dt.date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def _requests(
    kind: str,
    season: int | str | None,
    date_from: dt.date | str | None,
    date_to: dt.date | str | None,
    game_ids: list[str],
    season_types: Sequence[str],
) -> list[tuple[str, dict[str, Any]]]:
    """(endpoint, parameters) of every request, built by the nba_api endpoint classes."""
    from nba_api.stats.endpoints import (
        boxscoretraditionalv3,
        leaguegamelog,
        playbyplayv3,
        scoreboardv2,
        shotchartdetail,
    )

    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    built: list[Any] = []
    if kind in ("team_logs", "player_logs"):
        label = _season_label(season, kind)
        for season_type in season_types:
            built.append(
                leaguegamelog.LeagueGameLog(
                    season=label,
                    season_type_all_star=season_type,
                    player_or_team_abbreviation="T" if kind == "team_logs" else "P",
                    date_from_nullable=_us_date(start),
                    date_to_nullable=_us_date(end),
                    get_request=False,
                )
            )
    elif kind == "playbyplay":
        for gid in _game_ids(game_ids, kind):
            built.append(playbyplayv3.PlayByPlayV3(game_id=gid, get_request=False))
    elif kind == "boxscore":
        for gid in _game_ids(game_ids, kind):
            built.append(
                boxscoretraditionalv3.BoxScoreTraditionalV3(game_id=gid, get_request=False)
            )
    elif kind == "scoreboard":
        if start is None:
            raise InputError("fetch kind 'scoreboard' needs date_from= (and optionally date_to=)")
        end = end or start
        if end < start:
            raise InputError(f"date_to {end} is before date_from {start}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # nba_api prefers V3
            for n in range((end - start).days + 1):
                day = start + dt.timedelta(days=n)
                built.append(scoreboardv2.ScoreboardV2(game_date=_us_date(day), get_request=False))
    else:  # shots: every attempt (ContextMeasure FGA), misses included
        common = {"team_id": 0, "player_id": 0, "context_measure_simple": "FGA",
                  "get_request": False}  # fmt: skip
        if game_ids:
            for gid in _game_ids(game_ids, kind):
                # Digits 4-5 of a game id are the season's start year.
                label = season_label(2000 + int(gid[3:5]))
                built.append(
                    shotchartdetail.ShotChartDetail(
                        **common, season_nullable=label, game_id_nullable=gid
                    )
                )
        else:
            for season_type in season_types:
                built.append(
                    shotchartdetail.ShotChartDetail(
                        **common,
                        season_nullable=_season_label(season, kind),
                        season_type_all_star=season_type,
                        date_from_nullable=_us_date(start),
                        date_to_nullable=_us_date(end),
                    )
                )
    return [(b.endpoint, dict(b.parameters)) for b in built]
