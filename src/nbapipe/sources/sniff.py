"""Which source a file belongs to, from its CSV header or JSON shape: so that an adapter given
another source's file refuses it with the command that reads it, instead of loading part of it
or answering only "unknown layout".

Sources are named as on the command line (``nbapipe ingest <name>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# liveData and PlayByPlayV3 are both {"game": {"gameId", "actions": [...]}}; their action
# types tell them apart ('2pt' / 'Made Shot', 'freethrow' / 'Free Throw', ...).
LIVE_ACTION_TYPES = frozenset({"2pt", "3pt", "freethrow", "jumpball", "block", "steal"})
V3_ACTION_TYPES = frozenset({"made shot", "missed shot", "free throw", "jump ball"})

WHAT = {
    "nba-stats": "an NBA.com stats file (game logs, shot chart, box score or PlayByPlayV3)",
    "nbacom-pbp": "NBA.com liveData play-by-play (actionType 2pt, 3pt, freethrow, ...)",
    "odds-api": "an Odds API file (props or game lines)",
    "bigdataball": "a BigDataBall play-by-play CSV",
}
PBP_V3 = "a stats.nba.com PlayByPlayV3 response (actionType Made Shot, Free Throw, ...)"

_CSV_MARKS: dict[str, tuple[frozenset[str], ...]] = {
    "odds-api": (frozenset({"player", "market", "line", "bookmaker", "game", "game_time"}),),
    "bigdataball": (frozenset({"game_id", "play_id", "remaining_time", "event_type", "a1", "h1"}),),
    "nba-stats": (
        frozenset({"game_id", "player_id", "loc_x", "loc_y", "shot_distance"}),  # shot chart
        frozenset({"player_id", "date", "matchup", "fga", "pts"}),  # player game log
        frozenset({"team_abbreviation", "game_id", "game_date", "matchup", "pts"}),  # team log
    ),
}


def play_by_play_kind(actions: Iterable[Any]) -> str | None:
    """'nbacom-pbp' (liveData) or 'nba-stats' (PlayByPlayV3) when the action types say which."""
    types = {str(a.get("actionType") or "").strip().lower() for a in actions if isinstance(a, dict)}
    live, v3 = bool(types & LIVE_ACTION_TYPES), bool(types & V3_ACTION_TYPES)
    if live != v3:
        return "nbacom-pbp" if live else "nba-stats"
    return None


def csv_source(header: Sequence[str]) -> str | None:
    """The source whose CSV layout ``header`` is, or None."""
    present = {h.strip().lower() for h in header}
    for source, marks in _CSV_MARKS.items():
        if any(mark <= present for mark in marks):
            return source
    return None


def _is_odds_event(value: Any) -> bool:
    return isinstance(value, dict) and "commence_time" in value and "home_team" in value


def json_source(doc: Any) -> str | None:
    """The source whose JSON layout ``doc`` is, or None."""
    if isinstance(doc, list):
        return "odds-api" if doc and all(_is_odds_event(e) for e in doc) else None
    if not isinstance(doc, dict):
        return None
    if ("timestamp" in doc and "data" in doc) or _is_odds_event(doc):
        return "odds-api"
    if "resultSets" in doc or "resultSet" in doc or "boxScoreTraditional" in doc:
        return "nba-stats"
    game = doc.get("game")
    if isinstance(game, dict) and isinstance(game.get("actions"), list):
        return play_by_play_kind(game["actions"])
    return None


def pointer(found: str | None, reader: str) -> str:
    """'; it looks like <what>: ingest it with `nbapipe ingest <found>`' when ``found`` is a
    source other than ``reader``; '' otherwise."""
    if found is None or found == reader:
        return ""
    return f"; it looks like {WHAT[found]}: ingest it with `nbapipe ingest {found}`"
