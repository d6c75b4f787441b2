"""A synthetic NBA league: a deterministic, vectorised simulator of every canonical raw table.

Players carry persistent, slowly drifting skills across games and seasons; the schedule follows
the NBA formula; every box score is aggregated from a simulated play-by-play; sportsbooks price
player points and game lines from recent form and true expectation. The same seed and seasons
give identical tables. Nothing here touches the network or the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nbapipe.identity import normalize_name, split_suffix, strip_accents
from nbapipe.season import calendar, season_label
from nbapipe.sources import schema
from nbapipe.teams import TEAM_ABBRS, TEAMS

Progress = Callable[[str, int, int], None]

# ----------------------------------------------------------------------------- league shape

N_TEAMS = len(TEAMS)
# NBA rosters carry 13-17 players (15 standard contracts plus two-way deals); most carry 14-15.
ROSTER_SIZES = np.array([13, 14, 15, 16, 17])
ROSTER_SIZE_P = np.array([0.08, 0.30, 0.37, 0.17, 0.08])
# Off-season churn: ~17% of players change teams, ~10-15% of roster spots go to newcomers.
MOVE_RATE = 0.17
ROOKIE_SHARE = (0.10, 0.15)
# Mid-season trades move 15-25 players between mid-December and the deadline.
TRADED_PLAYERS = (15, 25)
TRADE_WINDOW = ((12, 15), (2, 6))  # (month, day) of the first and last trade day

# Talent is not spread evenly: contenders and rebuilding teams (SD of a team's talent offset at
# league creation), and the draft sends better rookies to weaker teams.
TEAM_TALENT_SD = 0.45
DRAFT_BOOST = 0.6

POSITIONS = ("G", "F", "C")
POSITION_P = np.array([0.42, 0.40, 0.18])

# NBA.com person ids for players who entered the league since ~2015 start near 1626000;
# each season's newcomers get a fresh block above every earlier id.
FIRST_PERSON_ID = 1626000
ROOKIE_ID_BASE, ROOKIE_ID_STEP = 1630000, 400

# ------------------------------------------------------------------------------- skills
# Zone shares (paint <= 8 ft, mid-range, three) by position; attempt-weighted they give the
# league's ~47% paint, ~12% mid-range, ~41% three.
ZONE_SHARE = np.array([[0.33, 0.13, 0.54], [0.43, 0.12, 0.45], [0.73, 0.11, 0.16]])
# Make rates by position and zone: league ~0.58 paint, ~0.42 mid-range, ~0.36 three.
ZONE_PCT = np.array([[0.529, 0.405, 0.345], [0.552, 0.403, 0.340], [0.602, 0.390, 0.318]])
FT_PCT = np.array([0.815, 0.780, 0.705])
# A better player (talent z) shoots a bit better, uses more possessions and plays more.
PCT_PER_TALENT = 0.02
FT_PER_TALENT = 0.012
USAGE_PER_TALENT = 0.24
# Position multipliers of event tendencies: assist, off. rebound, def. rebound, block, steal,
# turnover, foul, foul-drawing (each player also has his own log-normal multiplier).
TENDENCIES = ("ast", "oreb", "dreb", "blk", "stl", "tov", "foul", "draw")
TEND_POS = np.array(
    [
        [2.3, 0.45, 0.65, 0.35, 1.15, 1.20, 0.90, 1.00],  # G
        [1.0, 1.00, 1.00, 1.00, 1.00, 0.95, 1.00, 1.00],  # F
        [0.8, 2.30, 1.90, 2.80, 0.75, 0.90, 1.15, 1.30],  # C
    ]
)
USAGE_POS = np.array([1.12, 1.00, 0.95])
# Within-season drift: daily random-walk steps of talent (minutes role), shot volume and
# shooting touch, so recent games predict the next ones better than old ones.
DRIFT_STEP = {"talent": 0.010, "usage": 0.008, "shoot": 0.0013}
# Age curve of talent between seasons: young players improve, veterans decline.
AGE_CURVE = ((22, 0.22), (25, 0.10), (29, 0.02), (32, -0.08), (99, -0.22))
# Each summer a player's own shot volume, shooting touch and tendencies move part of the way
# back to his position's norm (the share kept), then take a new step: with the season's drift
# carried over, each spread stays near where the league began (usage SD ~0.2, touch SD
# ~0.03-0.04, tendencies ~0.3) however many seasons are simulated. Without it they drift
# apart as a random walk, and after fifteen seasons one player averages 60 points.
SKILL_KEPT = {"usage": 0.80, "pct": 0.87, "tend": 0.98}

# ------------------------------------------------------------------------------- minutes
# Minutes by rotation rank among available players (sums to 240); ranks 11+ get garbage time
# now and then (the 11th man in 35% of games, each rank further down about half as often),
# otherwise a coach's-decision DNP: the end of the bench plays a handful of games a season.
MINUTES_BY_RANK = np.array([36.0, 34.0, 32.0, 30.0, 28.0, 25.0, 21.0, 17.0, 11.0, 6.0])
GARBAGE_MINUTES, GARBAGE_P, GARBAGE_P_DECAY = 3.0, 0.35, 0.5
MINUTES_NOISE, MAX_MINUTES = 2.4, 44.0
MIN_AVAILABLE = 8  # a team never dresses fewer than eight players
OT_ROTATION = 7  # overtime minutes go to the seven players who played most

# ------------------------------------------------------------------------------ injuries
# Hazard per game of an injury episode; a few episodes are long (weeks to season-ending).
EPISODE_HAZARD = 0.010
EPISODE_HAZARD_AGE = 0.0007  # extra per year over 28
EPISODE_MEAN = (3.0, 9.0)  # geometric means of short and medium episodes, in games
EPISODE_MEDIUM_P, EPISODE_LONG_P = 0.22, 0.05
# Training-camp injuries: some players start the season out for a few weeks.
CAMP_INJURY_P, CAMP_INJURY_MEAN, CAMP_INJURY_MAX = 0.08, 10.0, 30
KNOCK_P = 0.03  # day-to-day knock: listed questionable/probable/doubtful
REST_B2B_P, REST_P = 0.18, 0.008  # stars rest mostly on the second night of back-to-backs
# Report statuses and how often a listed player ends up available to play.
STATUSES = ("", "out", "doubtful", "questionable", "probable", "available")
PLAY_P = np.array([1.0, 0.0, 0.2, 0.55, 0.9, 1.0])
KNOCK_STATUS_P = np.array([0.0, 0.0, 0.17, 0.55, 0.28, 0.0])
RESOLVE_LATE_P = 0.3  # share of q/d/p listings the second report resolves to out/available
REPORT_TIMES_ET = (13.5, 17.5)  # hours: the early-afternoon and evening reports

MINOR_INJURIES = (
    "Left Ankle; Sprain",
    "Right Ankle; Sprain",
    "Lower Back; Soreness",
    "Right Knee; Soreness",
    "Left Knee; Soreness",
    "Left Hamstring; Tightness",
    "Right Calf; Tightness",
    "Right Wrist; Sprain",
    "Left Hip; Contusion",
    "Right Thumb; Sprain",
    "Left Shoulder; Soreness",
    "Right Foot; Soreness",
    "Neck; Stiffness",
    "Left Quad; Contusion",
)
MAJOR_INJURIES = (
    "Left Hamstring; Strain",
    "Right Calf; Strain",
    "Left Knee; Meniscus Tear",
    "Right Foot; Fracture",
    "Right Hand; Fracture",
    "Lower Back; Herniated Disc",
    "Left Ankle; High Sprain",
    "Right Knee; MCL Sprain",
    "Concussion Protocol",
    "Left Groin; Strain",
)
REASONS: tuple[tuple[str, str], ...] = (
    *((f"Injury/Illness - {r}", "injury") for r in MINOR_INJURIES),
    *((f"Injury/Illness - {r}", "injury") for r in MAJOR_INJURIES),
    ("Injury/Illness - Illness", "illness"),
    ("Rest", "rest"),
    ("Personal Reasons", "personal"),
)
R_MINOR = np.arange(len(MINOR_INJURIES))
R_MAJOR = len(MINOR_INJURIES) + np.arange(len(MAJOR_INJURIES))
R_ILLNESS, R_REST, R_PERSONAL = len(REASONS) - 3, len(REASONS) - 2, len(REASONS) - 1

# ------------------------------------------------------------------------- play-by-play
PACE_MEAN, PACE_SD = 99.5, 2.2  # team possessions per 48 minutes
GAME_PACE_SD = 4.0  # game-to-game noise of total possessions
# Per chance (a possession or its extension after an offensive rebound).
P_TURNOVER = 0.13
P_SHOOTING_FOUL = 0.072  # fouled on a missed shot: free throws, no field-goal attempt
P_BONUS_FOUL = 0.022  # non-shooting foul in the penalty: two free throws
P_SIDE_OUT_FOUL = 0.05  # non-shooting foul that does not end the possession
P_STEAL = 0.55  # share of turnovers that are steals
P_OFFENSIVE_FOUL = 0.27  # share of non-steal turnovers that are offensive fouls
P_OREB_FG, P_OREB_FT = 0.255, 0.13
P_ASSIST = np.array([0.50, 0.55, 0.83])  # of made shots, by zone
P_BLOCK = np.array([0.14, 0.05, 0.012])  # of missed shots, by zone
P_AND_ONE = np.array([0.042, 0.015, 0.004])  # of made shots, by zone
FOULED_ZONE_TILT = np.array([3.0, 1.0, 0.35])  # shooting fouls happen mostly at the rim
PUTBACK_PAINT_P = 0.3  # a chance after an offensive rebound is often a putback
HOME_EDGE = 0.008  # make-rate bonus at home (about 2.5 points a game)
DEFENSE_EDGE = 0.04  # make-rate change per unit of a team's minutes-weighted defense
MAX_CHANCES = 8
MAX_FOULS = 6
FOUL_TROUBLE_P = 0.7  # players on five fouls play carefully: most would-be sixth fouls move
DUNK_P = np.array([0.08, 0.12, 0.22])  # of paint attempts, by position
DUNK_EDGE = 0.30
QUARTER_SECONDS, OT_SECONDS = 720.0, 300.0
# Game state: per point of lead a team's make rate drops (starters sit, the trailing team
# presses); keeps game margins near the NBA's ~14-point spread and gives close games.
RUBBER_BAND = 0.002

EVENT_TYPES = ("shot", "free throw", "rebound", "turnover", "foul")
ET_SHOT, ET_FT, ET_REB, ET_TOV, ET_FOUL = range(5)
ROLES = ("assist", "block", "steal", "fouled")
ROLE_AST, ROLE_BLK, ROLE_STL, ROLE_FOULED = range(4)
PAINT_SUBTYPES = ("layup", "dunk", "hook shot", "floating jump shot", "driving layup")
MID_SUBTYPES = ("jump shot", "pullup jump shot", "step back jump shot", "turnaround fadeaway shot")
THREE_SUBTYPES = (
    "3pt jump shot",
    "3pt pullup jump shot",
    "3pt step back jump shot",
    "3pt running jump shot",
)
FT_SUBTYPES = (
    "free throw 1/1",
    "free throw 1/2",
    "free throw 2/2",
    "free throw 1/3",
    "free throw 2/3",
    "free throw 3/3",
)
TOV_STEAL_SUBTYPES = ("bad pass", "lost ball")
TOV_OTHER_SUBTYPES = ("traveling", "out of bounds lost ball", "shot clock", "3 second violation")
SUBTYPES = (
    *PAINT_SUBTYPES,
    *MID_SUBTYPES,
    *THREE_SUBTYPES,
    *FT_SUBTYPES,
    "offensive",
    "defensive",
    *TOV_STEAL_SUBTYPES,
    *TOV_OTHER_SUBTYPES,
    "offensive foul",
    "shooting",
    "personal",
)
_SUB = {s: i for i, s in enumerate(SUBTYPES)}
# Order of events inside one chance.
SUB_SIDE_FOUL, SUB_ACTION, SUB_OFF_FOUL, SUB_SHOOT_FOUL, SUB_FT, SUB_REBOUND = 0, 1, 2, 3, 4, 7

# ------------------------------------------------------------------------------- markets
BOOKMAKERS = ("draftkings", "fanduel", "betmgm", "caesars", "betrivers", "espnbet")
PROP_COVERAGE = np.array([0.96, 0.95, 0.78, 0.72, 0.52, 0.62])
LINE_COVERAGE = np.array([1.0, 1.0, 0.97, 0.95, 0.85, 0.9])
BOOK_SHADE_P = 0.06  # chance a book hangs a prop half a point above (and below) consensus
PROP_MIN_MINUTES = 18.0  # books post points props for rotation players
FORM_GAMES = 10
FORM_WEIGHT = 0.4  # weight of last-10 form against the true expectation in the fair line
PROP_NOISE, SPREAD_NOISE, TOTAL_NOISE = 0.9, 1.3, 3.0
CHANCES_PER_POSSESSION = 1.14  # offensive rebounds extend ~12% of possessions
BOOK_MARGIN_SHRINK = 0.8  # books know leads shrink late in games (see RUBBER_BAND)
VIG = 0.0225  # added to each side's implied probability (-110 / -110)
OPEN_MINUTES = (540, 660)  # opening snapshot, minutes before tip
CLOSE_MINUTES = (20, 60)

# ---------------------------------------------------------------------------------- names


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated words of a constant block of text."""
    return tuple(text.split())


FIRST_NAMES = _words(
    """
    Aaron Adrian Alec Alonzo Amari Andre Anthony Austin Bennett Blake Brandon Bruce Bryce Caleb
    Cam Cameron Chris Cole Collin Corey Dalen Damian Daniel Darius David Dean Dejon Derrick
    Devin Dillon Dominic Donovan Drew Dylan Elijah Emmanuel Eric Evan Fred Gabe Gary Grant
    Hunter Isaac Isaiah Ivan Jabari Jace Jalen Jamal Jared Jarrett Javon Jaylen Jaylin Jeremy
    Jerome Jordan Josh Julian Justin Kai Keegan Keon Kevin Khalil Kobe Kris Kyle Lamar Landry
    Lonnie Malik Marcus Mark Mason Matt Max Miles Moses Nate Nick Noah Obi Omar Oscar Patrick
    Quentin Reggie Ricky Romeo Russell Ryan Sam Scottie Seth Spencer Stephon Terrence Thomas Tre
    Trey Tyler Tyrese Victor Walker Wendell Xavier Zach Zion Nikola Luka Bogdan Jonas Dāvis
    Kristaps Alperen Théo José Nicolás Moussa Vasilije Goga Dario Jusuf Bojan Usman Ousmane
    Killian Rui Yuki Santi Matías Gonçalo Łukasz Björn Søren Mikaël Gaël Andrés Jérémie Ömer
    D'Angelo De'Aaron De'Anthony Ja'Kobe Day'Ron Jae'Sean Ta'Quan Ke'Shawn Da'Vion Tre'Von
    """
)
LAST_NAMES = _words(
    """
    Adams Allen Anderson Bailey Baker Barnes Bates Bell Bennett Brooks Brown Bryant Butler
    Campbell Carter Clark Coleman Collins Cooper Cox Davis Dixon Edwards Ellis Evans Fisher Ford
    Foster Freeman Gibson Gordon Graham Grant Gray Green Griffin Hall Hamilton Harris Hayes
    Henderson Hill Holmes Howard Hughes Hunter Jackson James Jenkins Johnson Jones Jordan Kelly
    King Knight Lewis Lopez Marshall Martin Mason Matthews Miller Mitchell Moore Morgan Morris
    Murray Myers Nelson Owens Parker Patterson Payne Perry Peters Phillips Porter Powell Price
    Reed Reid Richardson Roberts Robinson Rogers Ross Russell Sanders Scott Simmons Simpson
    Smith Stewart Stevens Sullivan Taylor Thomas Thompson Turner Walker Wallace Ward Washington
    Watson Webb Wells White Williams Wilson Wood Wright Young Diallo Ndiaye Okafor Okoro Mensah
    Tshibangu Jokić Şengün Porziņģis Vučević Bogdanović Kovačević Marković Jović Šarić
    Hernangómez Núñez Peña Dvořák Løvgren Ødegaard Kalniņš Yılmaz Çelik Öztürk Đorđević
    Łukasiewicz Müller Brännström Schröder Valančiūnas Gašić O'Neale O'Connor O'Brien D'Souza
    Smith-Rowe Walker-Kidd Harris-Doyle Okafor-Reid Brooks-Madison Lindqvist-Moore Jones-Garcia
    Bell-Haynes
    """
)
SUFFIXES = ((" Jr.", 0.03), (" II", 0.015), (" III", 0.007))


# ================================================================================= helpers


def _rng(seed: int, *keys: int) -> np.random.Generator:
    """An independent generator for one stage: depends only on the seed and the keys."""
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def _group_rank(groups: np.ndarray) -> np.ndarray:
    """Position of each element inside its run of equal, contiguous group ids."""
    n = len(groups)
    idx = np.arange(n)
    first = np.ones(n, dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    return idx - np.maximum.accumulate(np.where(first, idx, 0))


def _bounds(sorted_groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each group id in an array sorted by group."""
    ids = np.arange(n_groups)
    return np.searchsorted(sorted_groups, ids, "left"), np.searchsorted(sorted_groups, ids, "right")


def _round_to_total(values: np.ndarray, groups: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Integers whose group sums equal ``totals`` (largest remainder); values must sum to them."""
    floor = np.floor(values).astype(np.int64)
    deficit = totals - np.bincount(groups, floor, minlength=len(totals)).astype(np.int64)
    order = np.lexsort((-(values - floor), groups))
    rank = _group_rank(groups[order])
    bump = np.zeros(len(values), dtype=np.int64)
    bump[order] = rank < deficit[groups[order]]
    return floor + bump


def _half_points(x: np.ndarray, rng: np.random.Generator, whole_p: float) -> np.ndarray:
    """Round to a .5 line (x.5 mostly, a whole number with probability ``whole_p``)."""
    whole = rng.random(len(x)) < whole_p
    return np.where(whole, np.round(x), np.floor(x) + 0.5)


def _american(p: np.ndarray) -> np.ndarray:
    """American odds (rounded to 5) of an implied probability that includes the vig."""
    fav = -100.0 * p / (1.0 - p)
    dog = 100.0 * (1.0 - p) / p
    return (np.round(np.where(p >= 0.5, fav, dog) / 5.0) * 5.0).astype(np.int64)


def _decimal(american: np.ndarray) -> np.ndarray:
    a = american.astype(np.float64)
    return np.where(a < 0, 1.0 + 100.0 / np.abs(np.where(a < 0, a, -1.0)), 1.0 + a / 100.0)


def _et_offset_hours(day: dt.date) -> int:
    """Hours to add to US/Eastern wall time for UTC: 4 in daylight time, 5 in standard time."""
    nov1 = dt.date(day.year, 11, 1)
    dst_end = nov1 + dt.timedelta(days=(6 - nov1.weekday()) % 7)  # first Sunday of November
    mar1 = dt.date(day.year, 3, 1)
    dst_start = mar1 + dt.timedelta(days=(6 - mar1.weekday()) % 7 + 7)  # second Sunday of March
    if day.month >= 7:
        return 5 if day >= dst_end else 4
    return 4 if day >= dst_start else 5


def _et_to_utc(days: np.ndarray, hours_et: np.ndarray) -> np.ndarray:
    """UTC timestamps (datetime64[us]) of US/Eastern wall-clock hours on given dates."""
    unique = np.unique(days)
    offsets = np.array([_et_offset_hours(d.item()) for d in unique])
    off = offsets[np.searchsorted(unique, days)]
    micro = np.round((hours_et + off) * 3600.0).astype(np.int64) * 1_000_000
    return days.astype("datetime64[us]") + micro.astype("timedelta64[us]")


def _strings(values: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """String column taking ``values[idx]``; negative indices become NULL."""
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    idx = np.asarray(idx)
    return arr.take(pa.array(np.where(idx < 0, 0, idx), mask=idx < 0, type=pa.int64()))


def _col(values: np.ndarray, type_: pa.DataType, null: np.ndarray | None = None) -> pa.Array:
    """Arrow column of ``values`` as ``type_``; ``null`` marks NULL rows."""
    values = np.asarray(values)
    if pa.types.is_integer(type_):
        values = values.astype(type_.to_pandas_dtype())
    return pa.array(values, type=type_, mask=null)


# ================================================================================= players


@dataclass
class _Pool:
    """Every player ever created, as parallel arrays indexed by player number."""

    pid: np.ndarray  # NBA-like person id
    name: list[str]
    lookup: list[str]
    pos: np.ndarray  # 0 G, 1 F, 2 C
    age: np.ndarray
    talent: np.ndarray  # latent quality: minutes role, usage, efficiency
    usage: np.ndarray  # idiosyncratic log shot volume
    zone: np.ndarray  # (n, 3) attempt shares paint / mid / three
    pct: np.ndarray  # (n, 3) idiosyncratic make-rate offsets
    ft: np.ndarray
    tend: np.ndarray  # (n, 8) idiosyncratic log tendencies, TENDENCIES order
    defense: np.ndarray
    team: np.ndarray  # current team, -1 = out of the league
    first: np.ndarray  # first and last simulated season on a roster (-1 = none)
    last: np.ndarray
    next_id: int

    @property
    def size(self) -> int:
        return len(self.pid)


def _names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """``n`` new display names, unique by lookup and by lookup without suffix."""
    out: list[str] = []
    while len(out) < n:
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        r, suffix = rng.random(), ""
        for text, p in SUFFIXES:
            if r < p:
                suffix = text
                break
            r -= p
        name = f"{first} {last}{suffix}"
        keys = {normalize_name(name), normalize_name(split_suffix(name)[0])}
        if keys & taken:
            continue
        taken |= keys
        out.append(name)
    return out


def _new_players(
    rng: np.random.Generator, pool: _Pool | None, n: int, season: int, rookies: bool
) -> _Pool:
    """``n`` fresh players (rookies, or a whole starting league) appended to ``pool``."""
    pos = rng.choice(3, n, p=POSITION_P)
    if rookies:
        age = 19.0 + rng.gamma(2.0, 0.8, n)
        talent = rng.normal(-0.55, 0.85, n)
    else:
        age = np.clip(19.5 + rng.gamma(3.0, 2.3, n), 19.0, 39.0)
        talent = rng.normal(0.0, 1.0, n) + np.where((age > 24) & (age < 31), 0.2, -0.1)
    alpha = ZONE_SHARE[pos] * 22.0
    zone = rng.gamma(alpha)
    zone /= zone.sum(axis=1, keepdims=True)
    taken = set() if pool is None else {k for nm in pool.name for k in _name_keys(nm)}
    names = _names(rng, n, taken)
    start = (
        FIRST_PERSON_ID
        if pool is None
        else max(pool.next_id, ROOKIE_ID_BASE + ROOKIE_ID_STEP * max(season - 2019, 0))
    )
    if pool is None:  # veterans got their ids first
        order = np.argsort(-age, kind="stable")
        ids = np.empty(n, dtype=np.int64)
        ids[order] = start + np.cumsum(rng.integers(1, 8, n))
    else:
        ids = start + np.cumsum(rng.integers(1, 6, n)).astype(np.int64)
    new = _Pool(
        pid=ids.astype(np.int64),
        name=names,
        lookup=[normalize_name(nm) for nm in names],
        pos=pos,
        age=age,
        talent=talent,
        usage=rng.normal(0.0, 0.2, n),
        zone=zone,
        pct=rng.normal(0.0, 1.0, (n, 3)) * np.array([0.035, 0.04, 0.03]),
        ft=np.clip(FT_PCT[pos] + FT_PER_TALENT * talent + rng.normal(0.0, 0.06, n), 0.45, 0.95),
        tend=rng.normal(0.0, 0.3, (n, len(TENDENCIES))),
        defense=0.5 * talent + rng.normal(0.0, 0.8, n),
        team=np.full(n, -1),
        first=np.full(n, -1),
        last=np.full(n, -1),
        next_id=int(ids.max()) + 1,
    )
    if pool is None:
        return new
    merged = {}
    for f in (
        "pid",
        "pos",
        "age",
        "talent",
        "usage",
        "zone",
        "pct",
        "ft",
        "tend",
        "defense",
        "team",
        "first",
        "last",
    ):
        merged[f] = np.concatenate([getattr(pool, f), getattr(new, f)])
    return _Pool(
        name=pool.name + new.name, lookup=pool.lookup + new.lookup, next_id=new.next_id, **merged
    )


def _name_keys(name: str) -> tuple[str, str]:
    return normalize_name(name), normalize_name(split_suffix(name)[0])


def _roster_targets(rng: np.random.Generator) -> np.ndarray:
    return rng.choice(ROSTER_SIZES, N_TEAMS, p=ROSTER_SIZE_P)


def _create_league(rng: np.random.Generator, season: int) -> _Pool:
    """The opening league: a full roster of veterans and young players for every team."""
    sizes = _roster_targets(rng)
    pool = _new_players(rng, None, int(sizes.sum()), season, rookies=False)
    pool.team = rng.permutation(np.repeat(np.arange(N_TEAMS), sizes))
    pool.talent += rng.normal(0.0, TEAM_TALENT_SD, N_TEAMS)[pool.team]
    return pool


def _offseason(pool: _Pool, rng: np.random.Generator, season: int) -> _Pool:
    """A year passes: players age, some leave, some move, rookies fill the open spots."""
    inl = pool.team >= 0
    n = pool.size
    pool.age[inl] += 1.0
    bands = np.array([a for a, _ in AGE_CURVE])
    shift = np.array([s for _, s in AGE_CURVE])[np.searchsorted(bands, pool.age, "left")]
    pool.talent += np.where(inl, shift + rng.normal(0.0, 0.2, n), 0.0)
    pool.usage = SKILL_KEPT["usage"] * pool.usage + rng.normal(0.0, 0.08, n)
    pool.pct = SKILL_KEPT["pct"] * pool.pct + rng.normal(0.0, 0.008, (n, 3))
    pool.tend = SKILL_KEPT["tend"] * pool.tend + rng.normal(0.0, 0.06, (n, len(TENDENCIES)))
    logit = -3.1 + 0.45 * (pool.age - 32.0) - 0.9 * pool.talent
    leave = inl & (rng.random(n) < 1.0 / (1.0 + np.exp(-logit)))
    free = inl & ~leave & (rng.random(n) < MOVE_RATE)
    stay = inl & ~leave & ~free
    targets = _roster_targets(rng)
    slots = np.zeros(N_TEAMS, dtype=np.int64)
    for t in range(N_TEAMS):
        mine = np.flatnonzero(stay & (pool.team == t))
        if len(mine) > targets[t]:  # release the weakest to free agency
            cut = mine[np.argsort(pool.talent[mine])[: len(mine) - targets[t]]]
            stay[cut], free[cut] = False, True
        slots[t] = targets[t] - min(len(mine), targets[t])
    pool.team[leave | free] = -1
    n_slots = int(slots.sum())
    n_rookies = round(rng.uniform(*ROOKIE_SHARE) * targets.sum())
    fa = np.flatnonzero(free)
    fa = fa[np.argsort(-(pool.talent[fa] + rng.normal(0.0, 0.5, len(fa))), kind="stable")]
    n_sign = min(max(n_slots - n_rookies, 0), len(fa))
    open_slots = rng.permutation(np.repeat(np.arange(N_TEAMS), slots))
    pool.team[fa[:n_sign]] = open_slots[:n_sign]
    n_new = n_slots - n_sign
    kept = pool.team >= 0
    team_talent = np.bincount(pool.team[kept], pool.talent[kept], N_TEAMS) / np.maximum(
        np.bincount(pool.team[kept], minlength=N_TEAMS), 1
    )
    pool = _new_players(rng, pool, n_new, season, rookies=True)
    pool.team[n:] = open_slots[n_sign:]
    pool.talent[n:] += DRAFT_BOOST * (team_talent.mean() - team_talent[pool.team[n:]])
    return pool


def _drift(pool: _Pool, n_days: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Daily random walks of talent, usage and shooting for every player, (players, days)."""
    return {
        k: np.cumsum(rng.normal(0.0, step, (pool.size, n_days)), axis=1)
        for k, step in DRIFT_STEP.items()
    }


def _carry_drift(pool: _Pool, drift: dict[str, np.ndarray]) -> None:
    """End of season: where a player drifted to becomes his new baseline."""
    pool.talent += drift["talent"][:, -1]
    pool.usage += drift["usage"][:, -1]
    pool.pct += drift["shoot"][:, -1:]


# ================================================================================= rosters


@dataclass
class _Stints:
    """Roster stints of one season: who was on which team on which days (inclusive)."""

    player: np.ndarray
    team: np.ndarray
    start: np.ndarray  # season day index
    end: np.ndarray
    trade: np.ndarray  # True for stints that began with a trade


def _rosters(pool: _Pool, season: int, n_days: int, rng: np.random.Generator) -> _Stints:
    """Season rosters, then mid-season trades between the middle of December and the deadline."""
    cal = calendar(season)
    players = np.flatnonzero(pool.team >= 0)
    player, team = list(players), list(pool.team[players])
    start, end, trade = [0] * len(players), [n_days - 1] * len(players), [False] * len(players)
    current = {int(p): i for i, p in enumerate(players)}  # player -> his open stint
    (m0, d0), (m1, d1) = TRADE_WINDOW
    first = (dt.date(season, m0, d0) - cal.opener).days
    last = (dt.date(season + 1, m1, d1) - cal.opener).days
    target = int(rng.integers(TRADED_PLAYERS[0], TRADED_PLAYERS[1] + 1))
    deals: list[tuple[int, int, int, int]] = []
    n_moved = 0
    while n_moved < target:
        size = 1 if rng.random() < 0.65 else 2
        a, b = rng.choice(N_TEAMS, 2, replace=False)
        deals.append((int(rng.integers(first, last + 1)), int(a), int(b), size))
        n_moved += 2 * size
    traded: set[int] = set()
    cur_team = pool.team.copy()
    for day, a, b, size in sorted(deals):
        moving = []
        for t in (a, b):
            mine = np.flatnonzero(cur_team == t)
            mine = mine[np.argsort(-pool.talent[mine])][1:]  # franchise players stay
            mine = np.array([p for p in mine if int(p) not in traded])
            if len(mine) < size:
                break
            moving.append(rng.choice(mine, size, replace=False))
        if len(moving) < 2:
            continue
        for group, dest in ((moving[0], b), (moving[1], a)):
            for p in group:
                p = int(p)
                end[current[p]] = day - 1
                current[p] = len(player)
                player.append(p)
                team.append(dest)
                start.append(day)
                end.append(n_days - 1)
                trade.append(True)
                traded.add(p)
                cur_team[p] = dest
    pool.team[:] = cur_team
    pool.first[players] = np.where(pool.first[players] < 0, season, pool.first[players])
    pool.last[players] = season
    return _Stints(
        np.array(player), np.array(team), np.array(start), np.array(end), np.array(trade)
    )


# ================================================================================ schedule


@dataclass
class _Schedule:
    """One season's games, sorted by game id (date, then tip-off)."""

    home: np.ndarray
    away: np.ndarray
    day: np.ndarray  # season day index
    date: np.ndarray  # datetime64[D]
    tip: np.ndarray  # datetime64[us], UTC
    game_id: list[str]
    legacy_id: list[str]
    b2b: np.ndarray  # (games, 2): home / away team played the day before

    @property
    def n(self) -> int:
        return len(self.home)


def _matchups(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The 1230 (home, away) pairs of the NBA formula, each team 41 home and 41 away."""
    conf = [t.conference for t in TEAMS]
    home: list[int] = []
    away: list[int] = []

    def add(a: int, b: int, a_home: int, b_home: int) -> None:
        home.extend([a] * a_home + [b] * b_home)
        away.extend([b] * a_home + [a] * b_home)

    for a in range(N_TEAMS):  # two games, one in each arena, against the other conference
        for b in range(a + 1, N_TEAMS):
            if conf[a] != conf[b]:
                add(a, b, 1, 1)
    for c in ("East", "West"):
        divisions = sorted({t.division for t in TEAMS if t.conference == c})
        members = [
            rng.permutation([i for i, t in enumerate(TEAMS) if t.division == d]) for d in divisions
        ]
        for m in members:  # four games against each division rival
            for i in range(5):
                for j in range(i + 1, 5):
                    add(int(m[i]), int(m[j]), 2, 2)
        # Against the other two divisions: four games with three teams of each and three games
        # with two; in the three-game pairs each team hosts twice exactly once per division.
        for d1 in range(3):
            for d2 in range(d1 + 1, 3):
                shift = int(rng.integers(5))
                for i, a in enumerate(members[d1]):
                    for j, b in enumerate(members[d2]):
                        r = (j - i - shift) % 5
                        add(int(a), int(b), *((2, 2) if r < 3 else (2, 1) if r == 3 else (1, 2)))
    return np.array(home), np.array(away)


def _game_days(season: int) -> list[dt.date]:
    """Dates games may be played: opener to season end minus the All-Star break and holidays."""
    cal = calendar(season)
    thanksgiving = dt.date(season, 11, 22)
    thanksgiving += dt.timedelta(days=(3 - thanksgiving.weekday()) % 7)
    off = {thanksgiving, dt.date(season, 12, 24)}
    days = []
    d = cal.opener
    while d <= cal.regular_season_end:
        if not (cal.all_star_break[0] <= d <= cal.all_star_break[1]) and d not in off:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


# Relative number of games by weekday (Mon..Sun): Wednesday and Friday are busy, Thursday light.
WEEKDAY_LOAD = np.array([0.95, 1.0, 1.25, 0.7, 1.2, 1.05, 0.85])
B2B_PENALTY = 0.05  # scheduling score lost per team that played the day before
REMATCH_DAYS, REMATCH_PENALTY = 10, 0.25


def _assign_dates(
    home: np.ndarray, away: np.ndarray, days: list[dt.date], rng: np.random.Generator
) -> np.ndarray | None:
    """Greedy day-by-day placement; returns each game's index into ``days`` or None if stuck."""
    n_games = len(home)
    left = np.bincount(home, minlength=N_TEAMS) + np.bincount(away, minlength=N_TEAMS)
    last1 = np.full(N_TEAMS, -10)  # ordinal of each team's last game day
    last2 = np.full(N_TEAMS, -10)  # ... and the one before
    pair = np.minimum(home, away) * N_TEAMS + np.maximum(home, away)
    met = np.full(N_TEAMS * N_TEAMS, -100)
    placed = np.full(n_games, -1)
    for i, day in enumerate(days):
        o = day.toordinal()
        days_left = len(days) - i
        games_left = int((placed < 0).sum())
        if games_left == 0:
            break
        blocked = (last1 == o - 1) & (last2 == o - 2)  # no three days in a row
        b2b = (last1 == o - 1).astype(float)
        urgency = left / days_left
        must = left >= 0.62 * days_left
        cand = np.flatnonzero((placed < 0) & ~blocked[home] & ~blocked[away])
        if days_left <= 1:
            target = N_TEAMS // 2
        else:
            mean = games_left / days_left * WEEKDAY_LOAD[day.weekday()] / WEEKDAY_LOAD.mean()
            target = int(np.clip(round(mean + rng.normal(0.0, 1.3)), 2, 15))
        h, a = home[cand], away[cand]
        score = (
            urgency[h]
            + urgency[a]
            + 0.3 * rng.random(len(cand))
            - B2B_PENALTY * (b2b[h] + b2b[a])
            - REMATCH_PENALTY * (o - met[pair[cand]] < REMATCH_DAYS)
            + 5.0 * (must[h].astype(float) + must[a])
        )
        busy = np.zeros(N_TEAMS, dtype=bool)
        n_today = 0
        n_must = int(must.sum())
        for g in cand[np.argsort(-score, kind="stable")]:
            if n_today >= target and n_must == 0:
                break
            hg, ag = home[g], away[g]
            if busy[hg] or busy[ag]:
                continue
            if n_today >= target and not (must[hg] or must[ag]):
                continue
            busy[hg] = busy[ag] = True
            n_must -= int(must[hg]) + int(must[ag])
            placed[g] = i
            n_today += 1
        played = busy
        last2[played] = last1[played]
        last1[played] = o
        left = left - played
        met[pair[placed == i]] = o
    return placed if (placed >= 0).all() else None


def _schedule(season: int, rng: np.random.Generator) -> _Schedule:
    """The regular season: NBA-formula matchups placed on dates, tip-offs and NBA game ids."""
    cal = calendar(season)
    days = _game_days(season)
    for _ in range(50):
        home, away = _matchups(rng)
        placed = _assign_dates(home, away, days, rng)
        if placed is not None:
            break
    else:  # pragma: no cover - the greedy placement always succeeds in practice
        raise RuntimeError(f"could not schedule season {season}")
    day_dates = np.array(days, dtype="datetime64[D]")
    date = day_dates[placed]
    # Tip-off by the home team's time zone: Eastern 7:00/7:30, Central 8:00, Mountain 9:00 or
    # 10:00, Pacific 10:00 PM ET.
    tz = np.array([_TIMEZONE[t.abbr] for t in TEAMS])[home]
    eastern = np.where(rng.random(len(home)) < 0.55, 19.0, 19.5)
    mountain = np.where(rng.random(len(home)) < 0.6, 21.0, 22.0)
    hours = np.select([tz == 0, tz == 1, tz == 2], [eastern, 20.0, mountain], 22.0)
    order = np.lexsort((home, hours, date))
    home, away, date, hours, placed = (
        home[order],
        away[order],
        date[order],
        hours[order],
        placed[order],
    )
    day = (date - np.datetime64(cal.opener, "D")).astype(np.int64)
    yy = season % 100
    game_id = [f"002{yy:02d}{k + 1:05d}" for k in range(len(home))]
    ymd = np.datetime_as_string(date).tolist()
    legacy = [
        f"{d.replace('-', '')}_{TEAM_ABBRS[a]}_{TEAM_ABBRS[h]}"
        for d, a, h in zip(ymd, away, home, strict=True)
    ]
    played = np.zeros((N_TEAMS, int(day.max()) + 2), dtype=bool)
    played[home, day + 1] = True
    played[away, day + 1] = True
    b2b = np.stack([played[home, day], played[away, day]], axis=1)
    return _Schedule(home, away, day, date, _et_to_utc(date, hours), game_id, legacy, b2b)


_TIMEZONE = {  # 0 Eastern, 1 Central, 2 Mountain, 3 Pacific
    **{
        a: 0
        for a in (
            "ATL",
            "BOS",
            "BKN",
            "CHA",
            "CLE",
            "DET",
            "IND",
            "MIA",
            "NYK",
            "ORL",
            "PHI",
            "TOR",
            "WAS",
        )
    },
    **{a: 1 for a in ("CHI", "DAL", "HOU", "MEM", "MIL", "MIN", "NOP", "OKC", "SAS")},
    **{a: 2 for a in ("DEN", "PHX", "UTA")},
    **{a: 3 for a in ("GSW", "LAC", "LAL", "POR", "SAC")},
}


# ============================================================================ player-games


class _PlayerGames:
    """One row per rostered player per team game, as parallel arrays (reorderable)."""

    def __init__(self, **cols: np.ndarray) -> None:
        self.cols = cols

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return len(self.cols["player"])

    def set(self, **cols: np.ndarray) -> None:
        self.cols.update(cols)

    def reorder(self, order: np.ndarray) -> None:
        self.cols = {k: v[order] for k, v in self.cols.items()}


def _player_games(
    sched: _Schedule, stints: _Stints, pool: _Pool, drift: dict[str, np.ndarray]
) -> _PlayerGames:
    """Rostered players of every team game, with their skills as of that day."""
    parts_p, parts_g, parts_s = [], [], []
    for t in range(N_TEAMS):
        games = np.flatnonzero((sched.home == t) | (sched.away == t))
        st = np.flatnonzero(stints.team == t)
        gd = sched.day[games]
        on = (stints.start[st, None] <= gd[None, :]) & (gd[None, :] <= stints.end[st, None])
        si, gi = np.nonzero(on)
        parts_p.append(stints.player[st[si]])
        parts_g.append(games[gi])
        parts_s.append((sched.away[games[gi]] == t).astype(np.int64))
    player, game, side = (np.concatenate(x) for x in (parts_p, parts_g, parts_s))
    day = sched.day[game]
    pos = pool.pos[player]
    talent = pool.talent[player] + drift["talent"][player, day]
    usage = np.exp(USAGE_PER_TALENT * talent + pool.usage[player] + drift["usage"][player, day])
    pct = (
        ZONE_PCT[pos]
        + PCT_PER_TALENT * talent[:, None]
        + pool.pct[player]
        + drift["shoot"][player, day][:, None]
    )
    tend = np.exp(pool.tend[player]) * TEND_POS[pos]
    tov_i = TENDENCIES.index("tov")
    tend[:, tov_i] *= np.exp(-0.1 * talent) * (usage / usage.mean()) ** 0.6
    return _PlayerGames(
        player=player,
        game=game,
        side=side,
        tg=2 * game + side,
        team=np.where(side == 0, sched.home[game], sched.away[game]),
        day=day,
        talent=talent,
        usage=usage * USAGE_POS[pos],
        zone=pool.zone[player],
        pct=np.clip(pct, 0.15, 0.85),
        ft=pool.ft[player],
        tend=tend,
        defense=pool.defense[player] + talent * 0.3,
        star=(pool.talent[player] > 1.0) & (pool.age[player] >= 28),
        age=pool.age[player],
        pos=pos,
    )


# ================================================================================ injuries


def _injuries(pg: _PlayerGames, sched: _Schedule, rng: np.random.Generator) -> None:
    """Injury episodes, knocks and rest: report statuses, reasons and who can play."""
    order = np.lexsort((pg.day, pg.player))
    n = len(order)
    player = pg.player[order]
    first = np.ones(n, dtype=bool)
    first[1:] = player[1:] != player[:-1]
    idx = np.arange(n)
    p_end = np.empty(n, dtype=np.int64)  # one past the player's last row
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], n)
    p_end[:] = np.repeat(ends, np.diff(np.append(starts, n)))
    age = pg.age[order]
    hazard = EPISODE_HAZARD + EPISODE_HAZARD_AGE * np.clip(age - 28.0, 0.0, None)
    begin = rng.random(n) < hazard
    kind = rng.random(n)
    length = np.where(
        kind < EPISODE_LONG_P,
        rng.integers(25, 61, n),
        np.minimum(
            np.where(
                kind < EPISODE_LONG_P + EPISODE_MEDIUM_P,
                rng.geometric(1.0 / EPISODE_MEAN[1], n),
                rng.geometric(1.0 / EPISODE_MEAN[0], n),
            ),
            25,
        ),
    )
    camp = first & (rng.random(n) < CAMP_INJURY_P)
    begin |= camp
    length = np.where(
        camp, np.minimum(rng.geometric(1.0 / CAMP_INJURY_MEAN, n), CAMP_INJURY_MAX), length
    )
    cat = rng.random(n)
    reason = np.where(length >= 8, rng.choice(R_MAJOR, n), rng.choice(R_MINOR, n))
    short = length <= 3
    reason = np.where(
        short & (cat < 0.12), R_ILLNESS, np.where(short & (cat > 0.95), R_PERSONAL, reason)
    )
    # Coverage: the latest-ending episode started so far (per player, ends never cross players).
    end_excl = np.minimum(idx + length, p_end)
    enc = np.where(begin, end_excl * (n + 1) + idx, -1)
    run = np.maximum.accumulate(enc)
    cov_end, src = run // (n + 1), run % (n + 1)
    out = (run >= 0) & (idx < cov_end)
    status = np.zeros(n, dtype=np.int64)
    why = np.full(n, -1)
    status[out] = 1
    why[out] = reason[src[out]]
    # First game back: listed probable or available with the same reason.
    back = np.zeros(n, dtype=bool)
    back[1:] = ~out[1:] & out[:-1] & ~first[1:]
    status[back] = np.where(rng.random(int(back.sum())) < 0.5, 4, 5)
    why[back] = why[np.flatnonzero(back) - 1]
    # Rest: stars sit some second nights of back-to-backs.
    b2b = sched.b2b[pg.game[order], pg.side[order]]
    rest = pg.star[order] & (status == 0) & (rng.random(n) < np.where(b2b, REST_B2B_P, REST_P))
    status[rest], why[rest] = 1, R_REST
    # Day-to-day knocks.
    knock = (status == 0) & (rng.random(n) < KNOCK_P)
    k = int(knock.sum())
    status[knock] = rng.choice(len(STATUSES), k, p=KNOCK_STATUS_P)
    why[knock] = np.where(rng.random(k) < 0.15, R_ILLNESS, rng.choice(R_MINOR, k))
    plays = rng.random(n) < PLAY_P[status]
    late = status.copy()
    resolve = np.isin(status, (2, 3, 4)) & (rng.random(n) < RESOLVE_LATE_P)
    late[resolve] = np.where(plays[resolve], 5, 1)
    inv = np.empty(n, dtype=np.int64)
    inv[order] = idx
    pg.set(status_early=status[inv], status_late=late[inv], reason=why[inv], plays=plays[inv])
    _dress_enough(pg, rng)


def _dress_enough(pg: _PlayerGames, rng: np.random.Generator) -> None:
    """Clear listed players late where a team would otherwise dress fewer than eight."""
    n_tg = int(pg.tg.max()) + 1
    avail = np.bincount(pg.tg, pg.plays, minlength=n_tg)
    short = avail < MIN_AVAILABLE
    if not short.any():
        return
    cand = np.flatnonzero(short[pg.tg] & ~pg.plays & (pg.reason != R_REST))
    out_first = pg.status_early[cand] == 1  # clear day-to-day listings before "out" ones
    cand = cand[np.lexsort((rng.random(len(cand)), out_first, pg.tg[cand]))]
    rank = _group_rank(pg.tg[cand])
    flip = cand[rank < (MIN_AVAILABLE - avail)[pg.tg[cand]]]
    plays, late = pg.plays.copy(), pg.status_late.copy()
    plays[flip], late[flip] = True, 5
    pg.set(plays=plays, status_late=late)


# ================================================================================= minutes


def _garbage_p(rank: np.ndarray) -> np.ndarray:
    """Chance that a player below the rotation (rank >= 10) gets garbage time."""
    return GARBAGE_P * GARBAGE_P_DECAY ** np.maximum(rank - len(MINUTES_BY_RANK), 0)


def _expected_minutes(pg: _PlayerGames, mask: np.ndarray, n_tg: int) -> np.ndarray:
    """Pre-game minutes expectation: rotation rank by talent among ``mask`` players."""
    key = np.where(mask, pg.talent, -np.inf)
    order = np.lexsort((-key, pg.tg))
    rank = np.empty(len(pg), dtype=np.int64)
    rank[order] = _group_rank(pg.tg[order])
    template = np.where(
        rank < len(MINUTES_BY_RANK),
        MINUTES_BY_RANK[np.minimum(rank, len(MINUTES_BY_RANK) - 1)],
        GARBAGE_MINUTES * _garbage_p(rank),
    )
    m = np.where(mask, template, 0.0)
    tot = np.bincount(pg.tg, m, minlength=n_tg)
    return m * 240.0 / np.where(tot > 0, tot, 1.0)[pg.tg]


def _minutes(pg: _PlayerGames, n_tg: int, rng: np.random.Generator) -> None:
    """Regulation minutes (whole seconds, 240 per team), starters and coach's-decision DNPs.

    Reorders ``pg`` by team game, players who played first by minutes."""
    key = np.where(pg.plays, pg.talent + rng.normal(0.0, 0.15, len(pg)), -np.inf)
    order = np.lexsort((-key, pg.tg))
    pg.reorder(order)
    key = key[order]
    rank = _group_rank(pg.tg)
    avail = pg.plays
    garbage = rng.random(len(pg)) < _garbage_p(rank)
    top = rank < len(MINUTES_BY_RANK)
    base = np.where(
        top, MINUTES_BY_RANK[np.minimum(rank, len(MINUTES_BY_RANK) - 1)], GARBAGE_MINUTES
    )
    playing = avail & (top | garbage)
    m = base + rng.normal(0.0, np.where(top, MINUTES_NOISE, 1.0))
    m = np.where(playing, np.clip(m, 1.5, MAX_MINUTES), 0.0)
    for _ in range(2):
        tot = np.bincount(pg.tg, m, minlength=n_tg)
        m = np.minimum(m * (240.0 / tot)[pg.tg], MAX_MINUTES + 0.5)
    tot = np.bincount(pg.tg, m, minlength=n_tg)
    sec = _round_to_total(m * (240.0 / tot)[pg.tg] * 60.0, pg.tg, np.full(n_tg, 14400))
    # Within each team game: players by seconds played, most first.
    order = np.lexsort((-sec, pg.tg))
    pg.reorder(order)
    sec = sec[order]
    rank = _group_rank(pg.tg)
    pg.set(reg_seconds=sec, played=sec > 0, starter=(sec > 0) & (rank < 5), rank=rank)


# ================================================================================== events


class _Picker:
    """Weighted choice of a player within a team game's contiguous rows of ``pg``."""

    def __init__(self, weights: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
        self.cs = np.cumsum(weights)
        base = np.concatenate([[0.0], self.cs])[start]
        self.base = base
        self.total = np.concatenate([[0.0], self.cs])[end] - base
        self.last = np.maximum(end - 1, start)

    def __call__(self, tg: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        r = self.base[tg] + rng.random(len(tg)) * self.total[tg]
        return np.minimum(np.searchsorted(self.cs, r, "right"), self.last[tg])


@dataclass
class _Ctx:
    """What the event engine needs about a season: player-game skills and team-game factors."""

    pg: _PlayerGames
    start: np.ndarray  # first pg row of each team game
    end: np.ndarray
    pace: np.ndarray  # per game, possessions per team
    p_tov: np.ndarray  # per team game (offense)
    p_sf: np.ndarray
    make_adj: np.ndarray  # per team game, when on offense (home edge + opponent defense)
    oreb: np.ndarray  # per team game offensive-rebound rate on a missed shot
    zone_cum: np.ndarray  # pg (n, 3) cumulative zone shares
    fouled_zone_cum: np.ndarray


def _context(pg: _PlayerGames, sched: _Schedule, pace: np.ndarray) -> _Ctx:
    """Team-game factors from the minutes-weighted skills of the players who play."""
    n_tg = 2 * sched.n
    start, end = _bounds(pg.tg, n_tg)
    m = pg.reg_seconds / 60.0
    t = {name: pg.tend[:, i] for i, name in enumerate(TENDENCIES)}

    def team_mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(pg.tg, m * x, minlength=n_tg) / 240.0

    def factor(x: np.ndarray) -> np.ndarray:
        v = team_mean(x)
        return v / v.mean()

    opp = np.arange(n_tg) ^ 1
    tov = factor(t["tov"]) ** 0.7 * factor(t["stl"])[opp] ** 0.4
    home = np.arange(n_tg) % 2 == 0
    p_tov = P_TURNOVER * tov * np.where(home, 0.98, 1.02)
    p_sf = P_SHOOTING_FOUL * factor(pg.usage * t["draw"]) ** 0.7
    defense = team_mean(pg.defense)
    make_adj = (
        np.where(home, HOME_EDGE, -HOME_EDGE) - DEFENSE_EDGE * (defense - defense.mean())[opp]
    )
    oreb = np.clip(P_OREB_FG * (factor(t["oreb"]) / factor(t["dreb"])[opp]) ** 0.5, 0.12, 0.42)
    tilt = pg.zone * FOULED_ZONE_TILT
    return _Ctx(
        pg=pg,
        start=start,
        end=end,
        pace=pace[sched.home] * 0.5 + pace[sched.away] * 0.5,
        p_tov=p_tov,
        p_sf=p_sf,
        make_adj=make_adj,
        oreb=oreb,
        zone_cum=np.cumsum(pg.zone, axis=1),
        fouled_zone_cum=np.cumsum(tilt / tilt.sum(axis=1, keepdims=True), axis=1),
    )


def _pickers(ctx: _Ctx, minutes: np.ndarray) -> dict[str, _Picker]:
    """One weighted picker per action, weights = minutes x the player's tendency."""
    pg = ctx.pg
    t = {name: pg.tend[:, i] for i, name in enumerate(TENDENCIES)}
    w = {
        "shot": pg.usage,
        "draw": pg.usage * t["draw"],
        "ast": t["ast"] * pg.usage**0.3,
        "oreb": t["oreb"],
        "dreb": t["dreb"],
        "blk": t["blk"],
        "stl": t["stl"],
        "tov": t["tov"],
        "foul": t["foul"],
    }
    return {k: _Picker(minutes * v, ctx.start, ctx.end) for k, v in w.items()}


def _zone_of(cum: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(len(rows))[:, None]
    return (u >= cum[rows][:, :2]).sum(axis=1)


def _shot_geometry(
    rng: np.random.Generator, zone: np.ndarray, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shot-chart spot (tenths of a foot, basket at 0), distance, subtype and dunk flag."""
    n = len(zone)
    u = rng.random(n)
    # Paint: most attempts at the rim (0-4 ft), the rest floaters and hooks out to 8 ft.
    paint_d = np.where(
        u < 0.72, np.clip(rng.gamma(1.6, 0.9, n), 0.0, 4.0), rng.uniform(4.0, 7.9, n)
    )
    mid_d = np.clip(rng.triangular(8.2, 14.0, 21.8, n), 8.2, 21.8)
    three_d = 23.9 + rng.gamma(1.2, 0.9, n) + np.where(rng.random(n) < 0.03, 5.0, 0.0)
    d = np.select([zone == 0, zone == 1], [paint_d, mid_d], three_d)
    ang = np.where(
        zone == 0,
        rng.uniform(-1.6, 1.6, n),
        np.where(zone == 1, rng.uniform(-1.45, 1.45, n), rng.uniform(-1.13, 1.13, n)),
    )
    x = np.round(d * 10.0 * np.sin(ang))
    y = np.round(d * 10.0 * np.cos(ang))
    corner = (zone == 2) & (rng.random(n) < 0.24)
    x = np.where(corner, np.sign(rng.random(n) - 0.5) * rng.integers(220, 233, n), x)
    y = np.where(corner, rng.integers(-40, 90, n), y)
    dist = np.round(np.hypot(x, y) / 10.0, 1)
    dunk = (zone == 0) & (dist <= 3.0) & (rng.random(n) < DUNK_P[pos] / 0.6)
    paint_sub = np.where(
        dist <= 4.0, np.where(rng.random(n) < 0.2, 4, 0), np.where(rng.random(n) < 0.5, 2, 3)
    )
    paint_sub = np.where(dunk, 1, paint_sub)
    mid_sub = len(PAINT_SUBTYPES) + rng.choice(4, n, p=[0.45, 0.3, 0.12, 0.13])
    three_sub = (
        len(PAINT_SUBTYPES)
        + len(MID_SUBTYPES)
        + np.where(corner, 0, rng.choice(4, n, p=[0.55, 0.25, 0.12, 0.08]))
    )
    sub = np.select([zone == 0, zone == 1], [paint_sub, mid_sub], three_sub)
    return x, y, dist, sub, dunk


class _Events:
    """Event columns appended part by part, concatenated once."""

    FIELDS = (
        "chance",
        "sub",
        "ftn",
        "etype",
        "esub",
        "p1",
        "p2",
        "role",
        "made",
        "stype",
        "dist",
        "x",
        "y",
        "pts",
    )

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(
        self,
        chance: np.ndarray,
        sub: int | np.ndarray,
        etype: int,
        esub: int | np.ndarray,
        p1: np.ndarray,
        **rest: np.ndarray | int,
    ) -> None:
        n = len(chance)
        if n == 0:
            return
        nan = np.full(n, np.nan)
        cols = {
            "chance": chance,
            "sub": sub,
            "ftn": 0,
            "etype": etype,
            "esub": esub,
            "p1": p1,
            "p2": -1,
            "role": -1,
            "made": -1,
            "stype": -1,
            "dist": nan,
            "x": nan,
            "y": nan,
            "pts": 0,
        }
        cols.update(rest)
        self.parts.append({k: np.broadcast_to(v, (n,)) for k, v in cols.items()})

    def concat(self) -> dict[str, np.ndarray]:
        return {f: np.concatenate([p[f] for p in self.parts]) for f in self.FIELDS}


def _turnovers(
    ev: _Events,
    pick: dict[str, _Picker],
    cid: np.ndarray,
    off: np.ndarray,
    dfn: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Turnovers: a steal on about half; some are offensive fouls (a foul event too)."""
    n = len(cid)
    loser = pick["tov"](off, rng)
    steal = rng.random(n) < P_STEAL
    charge = ~steal & (rng.random(n) < P_OFFENSIVE_FOUL)
    other = _SUB[TOV_OTHER_SUBTYPES[0]] + rng.choice(4, n, p=[0.35, 0.35, 0.18, 0.12])
    sub = np.where(
        steal,
        _SUB[TOV_STEAL_SUBTYPES[0]] + rng.integers(0, 2, n),
        np.where(charge, _SUB["offensive foul"], other),
    )
    stealer = np.where(steal, pick["stl"](dfn, rng), -1)
    ev.add(cid, SUB_ACTION, ET_TOV, sub, loser, p2=stealer, role=np.where(steal, ROLE_STL, -1))
    ev.add(
        cid[charge],
        SUB_OFF_FOUL,
        ET_FOUL,
        _SUB["offensive"],
        loser[charge],
        p2=pick["dreb"](dfn[charge], rng),
        role=ROLE_FOULED,
    )


def _field_goals(
    ev: _Events,
    ctx: _Ctx,
    pick: dict[str, _Picker],
    cid: np.ndarray,
    off: np.ndarray,
    dfn: np.ndarray,
    putback: bool,
    make_adj: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shots with spot, make, assist and block; returns (missed, and-one, and-one shooter)."""
    pg = ctx.pg
    n = len(cid)
    shooter = pick["shot"](off, rng)
    zone = _zone_of(ctx.zone_cum, shooter, rng)
    if putback:
        zone = np.where(rng.random(n) < PUTBACK_PAINT_P, 0, zone)
    pos = pg.pos[shooter]
    x, y, dist, sub, dunk = _shot_geometry(rng, zone, pos)
    # Dunks go in far more often; other paint shots give that back so the zone rate holds.
    dunk_share = np.where(zone == 0, DUNK_P[pos], 0.0)
    p = pg.pct[shooter, zone] + make_adj[off]
    p = np.where(dunk, p + DUNK_EDGE, p - DUNK_EDGE * dunk_share / (1.0 - dunk_share))
    made = rng.random(n) < np.clip(p, 0.05, 0.97)
    three = zone == 2
    assisted = made & (rng.random(n) < P_ASSIST[zone])
    blocked = ~made & (rng.random(n) < P_BLOCK[zone])
    helper = _pick_other(pick["ast"], off, shooter, ctx, rng)
    blocker = pick["blk"](dfn, rng)
    ev.add(
        cid,
        SUB_ACTION,
        ET_SHOT,
        sub,
        shooter,
        p2=np.select([assisted, blocked], [helper, blocker], -1),
        role=np.select([assisted, blocked], [ROLE_AST, ROLE_BLK], -1),
        made=made.astype(np.int64),
        stype=three.astype(np.int64),
        dist=dist,
        x=x,
        y=y,
        pts=np.where(made, np.where(three, 3, 2), 0),
    )
    and1 = made & (rng.random(n) < P_AND_ONE[zone])
    return np.flatnonzero(~made), np.flatnonzero(and1), shooter[and1]


def _free_throws(
    ev: _Events,
    ctx: _Ctx,
    pick: dict[str, _Picker],
    cid: np.ndarray,
    dfn: np.ndarray,
    shooter: np.ndarray,
    n_ft: np.ndarray,
    foul_sub: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Foul plus its free-throw trip per row; returns rows whose last free throw missed."""
    fouler = pick["foul"](dfn, rng)
    ev.add(cid, SUB_SHOOT_FOUL, ET_FOUL, foul_sub, fouler, p2=shooter, role=ROLE_FOULED)
    trip = np.repeat(np.arange(len(cid)), n_ft)
    ftn = _group_rank(trip) + 1
    of = n_ft[trip]
    made = rng.random(len(trip)) < ctx.pg.ft[shooter[trip]]
    label = np.select([of == 1, of == 2], [0, ftn], 2 + ftn)  # index into FT_SUBTYPES
    ev.add(
        cid[trip],
        SUB_FT,
        ET_FT,
        _SUB[FT_SUBTYPES[0]] + label,
        shooter[trip],
        ftn=ftn,
        made=made.astype(np.int64),
        stype=2,
        pts=made.astype(np.int64),
    )
    return trip[(ftn == of) & ~made]


def _rebounds(
    ev: _Events,
    ctx: _Ctx,
    pick: dict[str, _Picker],
    cid: np.ndarray,
    off: np.ndarray,
    dfn: np.ndarray,
    after_ft: np.ndarray,
    last_chance: bool,
    rng: np.random.Generator,
) -> np.ndarray:
    """A rebound after each miss; returns which were offensive (the possession goes on)."""
    p_oreb = np.where(after_ft, P_OREB_FT, ctx.oreb[off])
    o_reb = (rng.random(len(cid)) < p_oreb) & (not last_chance)
    grabber = np.where(o_reb, pick["oreb"](off, rng), pick["dreb"](dfn, rng))
    ev.add(cid, SUB_REBOUND, ET_REB, np.where(o_reb, _SUB["offensive"], _SUB["defensive"]), grabber)
    return o_reb


def _simulate_block(
    ctx: _Ctx,
    games: np.ndarray,
    n_poss: np.ndarray,
    seconds: float,
    pick: dict[str, _Picker],
    make_adj: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Possessions of one period (a quarter or an overtime) for ``games`` at once.

    Possessions alternate between the teams. Each round handles one chance of every live
    possession; an offensive rebound keeps the possession alive for the next round."""
    poss_game = np.repeat(games, n_poss)
    posj = _group_rank(poss_game)
    poss_side = (np.repeat(rng.integers(0, 2, len(games)), n_poss) + posj) % 2
    ev = _Events()
    ch_poss, ch_k = [], []
    alive = np.arange(len(poss_game))
    k = 0
    while alive.size:
        n = len(alive)
        cid = sum(len(c) for c in ch_poss) + np.arange(n)
        ch_poss.append(alive)
        ch_k.append(np.full(n, k))
        g, s = poss_game[alive], poss_side[alive]
        off, dfn = 2 * g + s, 2 * g + 1 - s
        if k == 0:  # a non-shooting foul that does not end the possession
            so = np.flatnonzero(rng.random(n) < P_SIDE_OUT_FOUL)
            ev.add(
                cid[so],
                SUB_SIDE_FOUL,
                ET_FOUL,
                _SUB["personal"],
                pick["foul"](dfn[so], rng),
                p2=pick["shot"](off[so], rng),
                role=ROLE_FOULED,
            )
        # How the chance ends: turnover, shooting foul on a miss, foul in the penalty, or a shot.
        u = rng.random(n)
        p_to = ctx.p_tov[off] * (1.0 if k == 0 else 0.5)
        cut = np.stack([p_to, p_to + ctx.p_sf[off], p_to + ctx.p_sf[off] + P_BONUS_FOUL], 1)
        kind = (u[:, None] >= cut).sum(axis=1)  # 0 turnover, 1 shooting foul, 2 bonus, 3 shot
        ti, si, bi, fi = (np.flatnonzero(kind == i) for i in range(4))
        _turnovers(ev, pick, cid[ti], off[ti], dfn[ti], rng)
        missed, and1, and1_shooter = _field_goals(
            ev, ctx, pick, cid[fi], off[fi], dfn[fi], k > 0, make_adj, rng
        )
        fouled_sf = pick["draw"](off[si], rng)
        sf_three = _zone_of(ctx.fouled_zone_cum, fouled_sf, rng) == 2
        trips = np.concatenate([fi[and1], si, bi])
        ft_missed = trips[
            _free_throws(
                ev,
                ctx,
                pick,
                cid[trips],
                dfn[trips],
                np.concatenate([and1_shooter, fouled_sf, pick["draw"](off[bi], rng)]),
                np.concatenate(
                    [np.ones(len(and1), int), np.where(sf_three, 3, 2), np.full(len(bi), 2)]
                ),
                np.concatenate(
                    [
                        np.full(len(and1) + len(si), _SUB["shooting"]),
                        np.full(len(bi), _SUB["personal"]),
                    ]
                ),
                rng,
            )
        ]
        rr = np.concatenate([fi[missed], ft_missed])
        after_ft = np.arange(len(rr)) >= len(missed)
        o_reb = _rebounds(
            ev, ctx, pick, cid[rr], off[rr], dfn[rr], after_ft, k + 1 >= MAX_CHANCES, rng
        )
        alive = alive[rr[o_reb]]
        k += 1
    events = ev.concat()
    chp, chk = np.concatenate(ch_poss), np.concatenate(ch_k)
    c = events["chance"]
    events["game"] = poss_game[chp][c]
    events["t"] = _chance_clock(poss_game[chp], posj[chp], chk, seconds, rng)[c]
    events["corder"] = posj[chp][c] * MAX_CHANCES + chk[c]
    return events


def _chance_clock(
    game: np.ndarray, posj: np.ndarray, k: np.ndarray, seconds: float, rng: np.random.Generator
) -> np.ndarray:
    """Elapsed seconds at the end of each chance: random shares of the period, putbacks quick."""
    dur = np.where(k == 0, rng.gamma(3.0, 1.0, len(k)), rng.gamma(1.5, 0.25, len(k)))
    order = np.lexsort((k, posj, game))
    g = game[order]
    tot = np.bincount(game, dur, minlength=int(game.max()) + 1)
    scaled = dur[order] * (seconds / tot[g])
    cum = np.cumsum(scaled)
    first = np.ones(len(order), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    base = np.maximum.accumulate(np.where(first, cum - scaled, 0.0))
    elapsed = np.empty(len(k))
    elapsed[order] = np.minimum(cum - base, seconds)
    return elapsed


def _pick_other(
    picker: _Picker, tg: np.ndarray, exclude: np.ndarray, ctx: _Ctx, rng: np.random.Generator
) -> np.ndarray:
    """Pick a teammate other than ``exclude`` (redraws, then the top-minutes other player)."""
    out = picker(tg, rng)
    for _ in range(6):
        same = np.flatnonzero(out == exclude)
        if not same.size:
            return out
        out[same] = picker(tg[same], rng)
    same = out == exclude
    top = ctx.start[tg]
    out[same] = np.where(exclude[same] == top[same], top[same] + 1, top[same])
    return out


def _play_by_play(
    ctx: _Ctx, sched: _Schedule, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Four quarters for every game, then overtime periods for tied games until none is tied."""
    pg = ctx.pg
    n_games, n_tg = sched.n, 2 * sched.n
    total = np.round(2.0 * ctx.pace + rng.normal(0.0, GAME_PACE_SD, n_games)).astype(np.int64)
    quarter_poss = total[:, None] // 4 + (np.arange(4)[None, :] < total[:, None] % 4)
    games = np.arange(n_games)
    reg_min = pg.reg_seconds / 60.0
    reg_pickers = _pickers(ctx, reg_min)
    # Overtime minutes: the seven who played most share 25 player-minutes, by regulation minutes.
    ot_w = np.where(pg.rank < OT_ROTATION, reg_min, 0.0)
    ot_sec = _round_to_total(
        ot_w / np.bincount(pg.tg, ot_w, minlength=n_tg)[pg.tg] * 1500.0,
        pg.tg,
        np.full(n_tg, 1500),
    )
    ot_pickers = _pickers(ctx, ot_sec / 60.0)
    score = np.zeros((n_games, 2), dtype=np.int64)
    blocks = []
    n_ot = np.zeros(n_games, dtype=np.int64)
    period = 0
    while True:
        if period < 4:
            play, n_poss, secs, pick = games, quarter_poss[:, period], QUARTER_SECONDS, reg_pickers
        else:
            play = games[(score[:, 0] == score[:, 1])]
            if not play.size:
                break
            n_poss = np.maximum(rng.poisson(2.0 * ctx.pace[play] * 5.0 / 48.0), 2)
            secs, pick = OT_SECONDS, ot_pickers
            n_ot[play] += 1
        lead = (score[:, 0] - score[:, 1]).repeat(2) * np.tile([1, -1], n_games)
        adj = ctx.make_adj - RUBBER_BAND * np.clip(lead, -30, 30)
        block = _simulate_block(ctx, play, n_poss, secs, pick, adj, rng)
        block["period"] = np.full(len(block["t"]), period + 1, dtype=np.int64)
        blocks.append(block)
        score += _score(block, pg, n_games)
        period += 1
    ev = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    order = np.lexsort((ev["ftn"], ev["sub"], ev["corder"], ev["period"], ev["game"]))
    ev = {k: v[order] for k, v in ev.items()}
    _cap_fouls(ev, ctx, reg_pickers["foul"], rng)
    pg.set(seconds=pg.reg_seconds + n_ot[pg.game] * ot_sec)
    return ev, n_ot


def _score(ev: dict[str, np.ndarray], pg: _PlayerGames, n_games: int) -> np.ndarray:
    side = pg.side[ev["p1"]]
    return np.stack(
        [np.bincount(ev["game"], ev["pts"] * (side == s), minlength=n_games) for s in (0, 1)],
        axis=1,
    ).astype(np.int64)


def _cap_fouls(
    ev: dict[str, np.ndarray], ctx: _Ctx, picker: _Picker, rng: np.random.Generator
) -> None:
    """Nobody commits a seventh foul (and few a sixth): excess fouls go to a teammate.

    An offensive foul moves together with its turnover, the event just before it."""
    pg = ctx.pg
    for attempt in range(6):
        fouls = np.flatnonzero(ev["etype"] == ET_FOUL)
        p1 = ev["p1"][fouls]
        order = np.lexsort((fouls, p1))
        nth = np.empty(len(fouls), dtype=np.int64)
        nth[order] = _group_rank(p1[order]) + 1
        careful = (nth == MAX_FOULS) & (rng.random(len(fouls)) < FOUL_TROUBLE_P) & (attempt == 0)
        over = fouls[(nth > MAX_FOULS) | careful]
        if not over.size:
            return
        new = _pick_other(picker, pg.tg[ev["p1"][over]], ev["p1"][over], ctx, rng)
        ev["p1"][over] = new
        charge = ev["esub"][over] == _SUB["offensive"]
        ev["p1"][over[charge] - 1] = new[charge]


# ============================================================================== box scores

# Box-score counts in the order of schema.BOX_SCORE_STATS (plus-minus is added separately).
BOX_KEYS = (
    "pts",
    "fgm",
    "fga",
    "tpm",
    "tpa",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "reb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
)


def _box_stats(ev: dict[str, np.ndarray], n_pg: int) -> dict[str, np.ndarray]:
    """Traditional box-score counts per player-game, aggregated from the events."""
    et, p1, p2, role = ev["etype"], ev["p1"], ev["p2"], ev["role"]
    made, three = ev["made"] == 1, ev["stype"] == 1
    shot, ft = et == ET_SHOT, et == ET_FT

    def count(rows: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(rows[mask], minlength=n_pg).astype(np.int64)

    s = {
        "fga": count(p1, shot),
        "fgm": count(p1, shot & made),
        "tpa": count(p1, shot & three),
        "tpm": count(p1, shot & three & made),
        "fta": count(p1, ft),
        "ftm": count(p1, ft & made),
        "oreb": count(p1, (et == ET_REB) & (ev["esub"] == _SUB["offensive"])),
        "dreb": count(p1, (et == ET_REB) & (ev["esub"] == _SUB["defensive"])),
        "ast": count(p2, role == ROLE_AST),
        "stl": count(p2, role == ROLE_STL),
        "blk": count(p2, role == ROLE_BLK),
        "tov": count(p1, et == ET_TOV),
        "pf": count(p1, et == ET_FOUL),
    }
    s["pts"] = 2 * s["fgm"] + s["tpm"] + s["ftm"]
    s["reb"] = s["oreb"] + s["dreb"]
    return s


def _plus_minus(
    pg: _PlayerGames, points: np.ndarray, n_ot: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Approximate plus-minus: the team margin pro rata to time on court, plus noise."""
    team = np.bincount(pg.tg, points, minlength=int(pg.tg.max()) + 1)
    margin = team - team[np.arange(len(team)) ^ 1]
    share = pg.seconds / (2880.0 + 300.0 * n_ot[pg.game])
    noise = rng.normal(0.0, 3.0, len(pg)) * np.sqrt(share)
    return np.round(margin[pg.tg] * share + noise).astype(np.int64)


# ================================================================================= markets


def _expected_points(pg: _PlayerGames, ctx: _Ctx, minutes: np.ndarray, n_tg: int) -> np.ndarray:
    """A sharp book's expectation of each player's points given expected minutes."""
    t_draw = pg.tend[:, TENDENCIES.index("draw")]
    shot_w, draw_w = minutes * pg.usage, minutes * pg.usage * t_draw
    shot_share = shot_w / np.maximum(np.bincount(pg.tg, shot_w, minlength=n_tg), 1e-9)[pg.tg]
    draw_share = draw_w / np.maximum(np.bincount(pg.tg, draw_w, minlength=n_tg), 1e-9)[pg.tg]
    pct = np.clip(pg.pct + ctx.make_adj[pg.tg][:, None], 0.05, 0.95)
    per_shot = (pg.zone * pct * np.array([2.0, 2.0, 3.0])).sum(axis=1)
    per_shot += (pg.zone * pct * P_AND_ONE).sum(axis=1) * pg.ft
    fouled = pg.zone * FOULED_ZONE_TILT
    fouled_three = fouled[:, 2] / fouled.sum(axis=1)
    per_trip = (2.0 + fouled_three) * pg.ft
    p_tov = ctx.p_tov[pg.tg]
    p_sf = ctx.p_sf[pg.tg]
    chances = ctx.pace[pg.game] * CHANCES_PER_POSSESSION
    p_fga = 1.0 - p_tov - p_sf - P_BONUS_FOUL
    return chances * (
        p_fga * shot_share * per_shot + (p_sf * per_trip + P_BONUS_FOUL * 2.0 * pg.ft) * draw_share
    )


def _form(pg: _PlayerGames, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean points of each player's last ten games played before this one, and how many."""
    order = np.lexsort((pg.day, pg.player))
    played = pg.played[order]
    pts = np.where(played, points[order], 0).astype(np.float64)
    cs_p = np.concatenate([[0.0], np.cumsum(pts)])
    cs_n = np.concatenate([[0], np.cumsum(played)])
    player = pg.player[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = player[1:] != player[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    i = np.arange(len(order))
    n_prev = cs_n[i] - cs_n[start]
    # Index where the tenth-previous played game sits: count-based search in the cumsum.
    lo_count = np.maximum(cs_n[i] - FORM_GAMES, cs_n[start])
    lo = np.searchsorted(cs_n, lo_count, "left")
    lo = np.maximum(lo, start)
    total = cs_p[i] - cs_p[lo]
    n = np.minimum(n_prev, FORM_GAMES)
    mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    out_mean, out_n = np.empty(len(order)), np.empty(len(order), dtype=np.int64)
    out_mean[order], out_n[order] = mean, n
    return out_mean, out_n


def _snapshots(sched: _Schedule, rng: np.random.Generator) -> np.ndarray:
    """Opening and closing snapshot times per game, as minutes before tip (games, 2)."""
    return np.stack(
        [
            rng.integers(OPEN_MINUTES[0], OPEN_MINUTES[1] + 1, sched.n),
            rng.integers(CLOSE_MINUTES[0], CLOSE_MINUTES[1] + 1, sched.n),
        ],
        axis=1,
    )


def _move(open_line: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Closing move toward ``target``: mostly none, else half a point or a point."""
    gap = target - open_line
    u = rng.random(len(gap))
    step = np.where(
        np.abs(gap) > 1.5,
        np.where(u < 0.45, 1.0, np.where(u < 0.8, 0.5, 0.0)),
        np.where(np.abs(gap) > 0.75, np.where(u < 0.45, 0.5, 0.0), np.where(u < 0.06, 0.5, 0.0)),
    )
    return open_line + np.sign(gap) * step


def _prices(fair: np.ndarray, line: np.ndarray, slope: float) -> tuple[np.ndarray, np.ndarray]:
    """American over/under prices around -110, leaning to the side the fair value favours."""
    p = np.clip(0.5 + slope * (fair - line), 0.45, 0.55)
    return _american(p + VIG), _american(1.0 - p + VIG)


def _props(
    pg: _PlayerGames,
    ctx: _Ctx,
    points: np.ndarray,
    snaps: np.ndarray,
    n_tg: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Player-points lines, opening and closing, for rotation players of every game."""
    listed_out = np.isin(pg.status_early, (1, 2))
    exp_open = _expected_minutes(pg, ~listed_out, n_tg)
    exp_close = _expected_minutes(pg, pg.plays, n_tg)
    true_open = _expected_points(pg, ctx, exp_open, n_tg)
    true_close = _expected_points(pg, ctx, exp_close, n_tg)
    form, n_form = _form(pg, points)
    w = FORM_WEIGHT * np.minimum(n_form, FORM_GAMES) / FORM_GAMES
    # Form is measured at the player's recent minutes; rescale to tonight's expectation.
    fair_open = (1.0 - w) * true_open + w * np.nan_to_num(form)
    fair_close = fair_open + (true_close - true_open)
    rows = np.flatnonzero(~listed_out & (exp_open >= PROP_MIN_MINUTES))
    n = len(rows)
    consensus = np.maximum(
        _half_points(fair_open[rows] + rng.normal(0, PROP_NOISE, n), rng, 0.1), 0.5
    )
    closing = np.maximum(_move(consensus, fair_close[rows], rng), 0.5)
    has_close = pg.plays[rows]
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("row", "snap", "book", "line", "over", "under")
    }
    for b in range(len(BOOKMAKERS)):
        covered = rng.random(n) < PROP_COVERAGE[b]
        shade = rng.random(n)
        off = np.where(shade < BOOK_SHADE_P, 0.5, np.where(shade < 2 * BOOK_SHADE_P, -0.5, 0.0))
        for snap, base, fair, keep in (
            (0, consensus, fair_open[rows], covered),
            (1, closing, fair_close[rows], covered & has_close),
        ):
            line = np.maximum(base + off, 0.5)
            over, under = _prices(fair, line, 0.025)
            sel = np.flatnonzero(keep)
            parts["row"].append(rows[sel])
            parts["snap"].append(np.full(len(sel), snap))
            parts["book"].append(np.full(len(sel), b))
            parts["line"].append(line[sel])
            parts["over"].append(over[sel])
            parts["under"].append(under[sel])
    out = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort(
        (pg.rank[out["row"]], pg.side[out["row"]], out["book"], out["snap"], pg.game[out["row"]])
    )
    return {k: v[order] for k, v in out.items()}


def _lines(
    pg: _PlayerGames, ctx: _Ctx, sched: _Schedule, n_tg: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Spreads and totals per game and book, opening and closing, from team expectations."""
    listed_out = np.isin(pg.status_early, (1, 2))
    team_open = np.bincount(
        pg.tg,
        _expected_points(pg, ctx, _expected_minutes(pg, ~listed_out, n_tg), n_tg),
        minlength=n_tg,
    )
    team_close = np.bincount(
        pg.tg,
        _expected_points(pg, ctx, _expected_minutes(pg, pg.plays, n_tg), n_tg),
        minlength=n_tg,
    )
    n = sched.n
    margin_o = BOOK_MARGIN_SHRINK * (team_open[0::2] - team_open[1::2])
    margin_c = BOOK_MARGIN_SHRINK * (team_close[0::2] - team_close[1::2])
    total_o, total_c = team_open[0::2] + team_open[1::2], team_close[0::2] + team_close[1::2]
    spread_open = -_half_points(margin_o + rng.normal(0, SPREAD_NOISE, n), rng, 0.4)
    spread_close = _move(spread_open, -margin_c, rng)
    tot_open = _half_points(total_o + rng.normal(0, TOTAL_NOISE, n), rng, 0.1)
    tot_close = _move(tot_open, total_c, rng)
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("game", "snap", "book", "market", "outcome", "point", "price")
    }
    for b in range(len(BOOKMAKERS)):
        covered = np.flatnonzero(rng.random(n) < LINE_COVERAGE[b])
        shade = rng.random(n)
        off = np.where(shade < 0.12, 0.5, np.where(shade < 0.24, -0.5, 0.0))
        for snap, spread, fair_m, total, fair_t in (
            (0, spread_open, margin_o, tot_open, total_o),
            (1, spread_close, margin_c, tot_close, total_c),
        ):
            home_pt = spread + off
            p_home = np.clip(0.5 + 0.01 * (fair_m + home_pt), 0.475, 0.525)
            tot_pt = total + off
            p_over = np.clip(0.5 + 0.008 * (fair_t - tot_pt), 0.475, 0.525)
            rows = [
                (0, 0, home_pt, _american(p_home + VIG)),
                (0, 1, -home_pt, _american(1.0 - p_home + VIG)),
                (1, 2, tot_pt, _american(p_over + VIG)),
                (1, 3, tot_pt, _american(1.0 - p_over + VIG)),
            ]
            for market, outcome, point, price in rows:
                parts["game"].append(covered)
                parts["snap"].append(np.full(len(covered), snap))
                parts["book"].append(np.full(len(covered), b))
                parts["market"].append(np.full(len(covered), market))
                parts["outcome"].append(np.full(len(covered), outcome))
                parts["point"].append(point[covered])
                parts["price"].append(price[covered])
    out = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((out["outcome"], out["market"], out["book"], out["snap"], out["game"]))
    return {k: v[order] for k, v in out.items()}


# ================================================================================== tables


@dataclass
class _Season:
    """Everything simulated for one season, ready to be written as tables."""

    year: int
    pool: _Pool
    sched: _Schedule
    stints: _Stints
    pg: _PlayerGames
    ev: dict[str, np.ndarray]
    n_ot: np.ndarray
    box: dict[str, np.ndarray]
    props: dict[str, np.ndarray]
    lines: dict[str, np.ndarray]
    snaps: np.ndarray  # (games, 2) minutes before tip of the opening and closing snapshots
    open_ended: bool  # the last simulated season: final roster stints have no end date

    @cached_property
    def abbr(self) -> pa.Array:
        return pa.array(TEAM_ABBRS, pa.string())

    @cached_property
    def names(self) -> pa.Array:
        return pa.array(self.pool.name, pa.string())

    @cached_property
    def lookups(self) -> pa.Array:
        return pa.array(self.pool.lookup, pa.string())

    @cached_property
    def game_id(self) -> pa.Array:
        return pa.array(self.sched.game_id, pa.string())

    @cached_property
    def event_id(self) -> pa.Array:
        """The sportsbook feed's event id: a stable hash of the game id."""
        ids = [hashlib.md5(f"synthetic:{g}".encode()).hexdigest() for g in self.sched.game_id]
        return pa.array(ids, pa.string())

    @cached_property
    def team_points(self) -> np.ndarray:
        """(games, 2) final home and away scores."""
        pts = np.bincount(self.pg.tg, self.box["pts"], minlength=2 * self.sched.n)
        return pts.astype(np.int64).reshape(-1, 2)

    def years(self, n: int) -> pa.Array:
        return pa.array(np.full(n, self.year, np.int32), pa.int32())

    def game_columns(self, g: np.ndarray) -> list[pa.Array]:
        """game_id, game_date, season_year, home and away tricodes of games ``g``."""
        return [
            _strings(self.game_id, g),
            _col(self.sched.date[g], pa.date32()),
            self.years(len(g)),
            _strings(self.abbr, self.sched.home[g]),
            _strings(self.abbr, self.sched.away[g]),
        ]


def _schedule_table(d: _Season) -> pa.Table:
    """One row per game with the final score."""
    sc, n = d.sched, d.sched.n
    pts = d.team_points
    winner = np.where(pts[:, 0] > pts[:, 1], sc.home, sc.away)
    return pa.Table.from_arrays(
        [
            d.game_id,
            pa.array(sc.legacy_id, pa.string()),
            _col(sc.date, pa.date32()),
            _col(sc.tip, pa.timestamp("us")),
            d.years(n),
            pa.array(["Regular Season"] * n),
            _strings(d.abbr, sc.home),
            _strings(d.abbr, sc.away),
            _col(np.full(n, 3), pa.int32()),
            _col(pts[:, 0], pa.int32()),
            _col(pts[:, 1], pa.int32()),
            _strings(d.abbr, winner),
            _col(4 + d.n_ot, pa.int32()),
        ],
        schema=schema.SCHEDULE.arrow_schema(),
    )


def _rosters_table(d: _Season) -> pa.Table:
    """Roster stints by team, start date and player id."""
    st, pool = d.stints, d.pool
    order = np.lexsort((pool.pid[st.player], st.start, st.team))
    p = st.player[order]
    opener = np.datetime64(calendar(d.year).opener, "D")
    open_end = (st.end[order] == st.end.max()) & d.open_ended
    return pa.Table.from_arrays(
        [
            d.years(len(p)),
            _strings(d.abbr, st.team[order]),
            _strings(d.lookups, p),
            _strings(d.names, p),
            _col(pool.pid[p], pa.int64()),
            _col(opener + st.start[order], pa.date32()),
            _col(opener + st.end[order], pa.date32(), open_end),
            _strings(POSITIONS, pool.pos[p]),
            _strings(("season roster", "trade"), st.trade[order].astype(np.int64)),
        ],
        schema=schema.TEAM_ROSTERS.arrow_schema(),
    )


def _player_box_table(d: _Season) -> pa.Table:
    """Every rostered player of every game: home team first, then by minutes played."""
    pg, sc = d.pg, d.sched
    o = np.lexsort((pg.rank, pg.side, pg.game))
    g, p, played = pg.game[o], pg.player[o], pg.played[o]
    status = np.where(played, 0, np.where(pg.plays[o], 1, 2))  # active, dnp, inactive
    reasons = [r for r, _ in REASONS] + ["Coach's Decision"]
    reason = np.select([status == 1, status == 2], [len(REASONS), pg.reason[o]], -1)
    null = ~played
    return pa.Table.from_arrays(
        [
            *d.game_columns(g),
            _strings(d.abbr, pg.team[o]),
            _strings(d.abbr, np.where(pg.side[o] == 0, sc.away[g], sc.home[g])),
            _strings(d.lookups, p),
            _strings(d.names, p),
            _col(d.pool.pid[p], pa.int64()),
            pa.nulls(len(g), pa.string()),
            _strings(("active", "dnp", "inactive"), status),
            _strings(reasons, reason),
            _col(pg.starter[o], pa.bool_()),
            _col(pg.seconds[o] / 60.0, pa.float64(), null),
            *[_col(d.box[k][o], pa.int32(), null) for k in (*BOX_KEYS, "pm")],
        ],
        schema=schema.PLAYER_BOXSCORES.arrow_schema(),
    )


def _team_box_table(d: _Season) -> pa.Table:
    """Two rows per game: sums of the player rows; plus-minus is the game margin."""
    n_tg = 2 * d.sched.n
    game, side, opp = np.arange(n_tg) // 2, np.arange(n_tg) % 2, np.arange(n_tg) ^ 1
    pts = d.team_points.reshape(-1)
    teams = np.stack([d.sched.home, d.sched.away], axis=1).reshape(-1)
    sums = {k: np.bincount(d.pg.tg, d.box[k], minlength=n_tg) for k in BOX_KEYS}
    sums["pm"] = pts - pts[opp]
    return pa.Table.from_arrays(
        [
            _strings(d.game_id, game),
            _col(d.sched.date[game], pa.date32()),
            d.years(n_tg),
            _strings(d.abbr, teams),
            _strings(d.abbr, teams[opp]),
            _col(side == 0, pa.bool_()),
            _col(240.0 + 25.0 * d.n_ot[game], pa.float64()),
            *[_col(sums[k], pa.int32()) for k in (*BOX_KEYS, "pm")],
        ],
        schema=schema.TEAM_BOXSCORES.arrow_schema(),
    )


def _running_score(game: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Cumulative points within each game (rows sorted by game)."""
    cum = np.cumsum(points)
    first = np.flatnonzero(np.r_[True, game[1:] != game[:-1]])
    before = (cum - points)[first]
    return cum - np.repeat(before, np.diff(np.r_[first, len(game)]))


def _pbp_table(d: _Season) -> pa.Table:
    """Play-by-play rows with period, game clock and running score."""
    ev, pg = d.ev, d.pg
    g, period = ev["game"], ev["period"]
    seq = _group_rank(g) + 1
    clock = np.round(np.where(period <= 4, QUARTER_SECONDS, OT_SECONDS) - ev["t"], 1)
    side = pg.side[ev["p1"]]
    home = _running_score(g, np.where(side == 0, ev["pts"], 0))
    away = _running_score(g, np.where(side == 1, ev["pts"], 0))
    pl1 = pg.player[ev["p1"]]
    has2 = ev["p2"] >= 0
    p2 = np.where(has2, ev["p2"], 0)
    pl2 = np.where(has2, pg.player[p2], -1)
    no_geo = np.isnan(ev["dist"])
    return pa.Table.from_arrays(
        [
            *d.game_columns(g),
            _col(seq, pa.int64()),
            _col(seq, pa.int32()),
            _col(period, pa.int32()),
            _col(clock, pa.float64()),
            _strings(EVENT_TYPES, ev["etype"]),
            _strings(SUBTYPES, ev["esub"]),
            _strings(d.abbr, pg.team[ev["p1"]]),
            _strings(d.lookups, pl1),
            _strings(d.names, pl1),
            _col(d.pool.pid[pl1], pa.int64()),
            _strings(d.lookups, pl2),
            _strings(d.names, pl2),
            _col(d.pool.pid[np.maximum(pl2, 0)], pa.int64(), ~has2),
            _strings(d.abbr, np.where(has2, pg.team[p2], -1)),
            _strings(ROLES, ev["role"]),
            _col(ev["made"] == 1, pa.bool_(), ev["stype"] < 0),
            _strings(("2PT", "3PT", "FT"), ev["stype"]),
            _col(ev["dist"], pa.float64(), no_geo),
            _col(ev["x"], pa.float64(), no_geo),
            _col(ev["y"], pa.float64(), no_geo),
            pa.nulls(len(g), pa.string()),
            _col(ev["pts"], pa.int32()),
            _col(home, pa.int32()),
            _col(away, pa.int32()),
        ],
        schema=schema.PLAY_BY_PLAY.arrow_schema(),
    )


def _snapshot_columns(d: _Season, g: np.ndarray, snap: np.ndarray) -> list[pa.Array]:
    """source_event_id .. minutes_before_tipoff of market rows for games ``g``."""
    mins = d.snaps[g, snap]
    tip = d.sched.tip[g]
    taken = tip - (mins * 60_000_000).astype("timedelta64[us]")
    return [
        _strings(d.event_id, g),
        _col(d.sched.date[g], pa.date32()),
        _col(tip, pa.timestamp("us")),
        _strings(d.abbr, d.sched.home[g]),
        _strings(d.abbr, d.sched.away[g]),
        _col(taken, pa.timestamp("us")),
        _col(mins, pa.int32()),
    ]


def _props_table(d: _Season) -> pa.Table:
    """Player-points prop rows; bookmakers write names without diacritics."""
    row = d.props["row"]
    g, p = d.pg.game[row], d.pg.player[row]
    book_names = pa.array([strip_accents(nm) for nm in d.pool.name], pa.string())
    return pa.Table.from_arrays(
        [
            _strings(d.game_id, g),
            *_snapshot_columns(d, g, d.props["snap"]),
            _strings(BOOKMAKERS, d.props["book"]),
            pa.array(["player_points"] * len(row)),
            _strings(book_names, p),
            _strings(d.lookups, p),
            _col(d.props["line"], pa.float64()),
            _col(d.props["over"], pa.int32()),
            _col(d.props["under"], pa.int32()),
            _col(_decimal(d.props["over"]), pa.float64()),
            _col(_decimal(d.props["under"]), pa.float64()),
        ],
        schema=schema.PLAYER_PROPS.arrow_schema(),
    )


def _lines_table(d: _Season) -> pa.Table:
    """Spread and total rows: spreads name the team, totals Over/Under."""
    li = d.lines
    g, outcome = li["game"], li["outcome"]
    names = [*TEAM_ABBRS, "Over", "Under"]
    name = np.select(
        [outcome == 0, outcome == 1], [d.sched.home[g], d.sched.away[g]], N_TEAMS + outcome - 2
    )
    return pa.Table.from_arrays(
        [
            _strings(d.game_id, g),
            *_snapshot_columns(d, g, li["snap"]),
            _strings(BOOKMAKERS, li["book"]),
            _strings(("spreads", "totals"), li["market"]),
            _strings(names, name),
            _col(li["point"], pa.float64()),
            _col(li["price"], pa.int32()),
            _col(_decimal(li["price"]), pa.float64()),
        ],
        schema=schema.GAME_LINES.arrow_schema(),
    )


def _injury_table(d: _Season) -> pa.Table:
    """Two reports per game day (early afternoon and evening ET) listing every flagged player."""
    pg = d.pg
    early, late = np.flatnonzero(pg.status_early > 0), np.flatnonzero(pg.status_late > 0)
    r = np.concatenate([early, late])
    which = np.repeat([0, 1], [len(early), len(late)])
    status = np.where(which == 0, pg.status_early[r], pg.status_late[r])
    g = pg.game[r]
    ts = _et_to_utc(d.sched.date[g], np.array(REPORT_TIMES_ET)[which])
    o = np.lexsort((pg.player[r], pg.side[r], g, ts))
    r, g, ts, status = r[o], g[o], ts[o], status[o]
    reason = pg.reason[r]
    return pa.Table.from_arrays(
        [
            _col(ts, pa.timestamp("us")),
            _col(d.sched.date[g], pa.date32()),
            _strings(d.game_id, g),
            _col(d.sched.date[g], pa.date32()),
            _strings(d.abbr, pg.team[r]),
            _strings(d.names, pg.player[r]),
            _strings(d.lookups, pg.player[r]),
            _strings(STATUSES, status),
            _strings([t for t, _ in REASONS], reason),
            _strings([c for _, c in REASONS], reason),
        ],
        schema=schema.INJURY_REPORT.arrow_schema(),
    )


TABLE_BUILDERS: dict[str, Callable[[_Season], pa.Table]] = {
    "schedule": _schedule_table,
    "team_rosters": _rosters_table,
    "player_boxscores": _player_box_table,
    "team_boxscores": _team_box_table,
    "play_by_play": _pbp_table,
    "player_props": _props_table,
    "game_lines": _lines_table,
    "injury_report": _injury_table,
}


def _players_table(pool: _Pool) -> pa.Table:
    """One row per simulated player who was ever on a roster."""
    idx = np.flatnonzero(pool.first >= 0)
    idx = idx[np.argsort(pool.pid[idx], kind="stable")]
    return pa.table(
        {
            "nba_player_id": pa.array(pool.pid[idx], pa.int64()),
            "player_name": pa.array([pool.name[i] for i in idx], pa.string()),
            "player_lookup": pa.array([pool.lookup[i] for i in idx], pa.string()),
            "first_season": pa.array(pool.first[idx], pa.int32()),
            "last_season": pa.array(pool.last[idx], pa.int32()),
        }
    )


# ==================================================================================== main

STAGES = (
    "players",
    "rosters",
    "schedule",
    "injuries",
    "minutes",
    "play_by_play",
    "box_scores",
    "props",
    "lines",
)


def simulate_league(
    seasons: Sequence[int],
    seed: int = 7,
    progress: Progress | None = None,
    *,
    teams: int | None = None,
    weeks: int | None = None,
    namesakes: int = 0,
) -> dict[str, pa.Table]:
    """Simulate complete regular seasons; returns every raw table plus ``players``.

    ``teams`` keeps only the games between that many teams (chosen by the seed) and
    ``weeks`` only each season's first weeks after its opener: a small league for quick
    demos and property tests, carved out of the full simulation. ``namesakes`` then gives
    that many pairs of players (see :func:`plant_namesakes`) one display name."""
    years = sorted({int(s) for s in seasons})
    if not years:
        raise ValueError("simulate_league needs at least one season")
    if teams is not None and not 2 <= teams <= N_TEAMS:
        raise ValueError(f"teams must be between 2 and {N_TEAMS}")
    if weeks is not None and weeks < 1:
        raise ValueError("weeks must be at least 1")
    if namesakes < 0:
        raise ValueError("namesakes must be at least 0")
    total_steps = len(years) * len(STAGES)
    step = 0

    def report(stage: str, season: int) -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(f"{season_label(season)} {stage}", step, total_steps)

    pool: _Pool | None = None
    per_season: list[dict[str, pa.Table]] = []
    prev = None
    for season in years:
        cal = calendar(season)
        n_days = (cal.regular_season_end - cal.opener).days + 1
        if pool is None:
            pool = _create_league(_rng(seed, season, 0), season)
        else:
            for year in range(prev + 1, season + 1):
                pool = _offseason(pool, _rng(seed, year, 1), year)
        prev = season
        drift = _drift(pool, n_days, _rng(seed, season, 2))
        report("players", season)
        stints = _rosters(pool, season, n_days, _rng(seed, season, 3))
        report("rosters", season)
        sched = _schedule(season, _rng(seed, season, 4))
        report("schedule", season)
        pg = _player_games(sched, stints, pool, drift)
        _injuries(pg, sched, _rng(seed, season, 5))
        report("injuries", season)
        n_tg = 2 * sched.n
        _minutes(pg, n_tg, _rng(seed, season, 6))
        report("minutes", season)
        pace = _rng(seed, season, 7).normal(PACE_MEAN, PACE_SD, N_TEAMS)
        ctx = _context(pg, sched, pace)
        ev, n_ot = _play_by_play(ctx, sched, _rng(seed, season, 8))
        report("play_by_play", season)
        box = _box_stats(ev, len(pg))
        box["pm"] = _plus_minus(pg, box["pts"], n_ot, _rng(seed, season, 12))
        report("box_scores", season)
        snaps = _snapshots(sched, _rng(seed, season, 9))
        props = _props(pg, ctx, box["pts"], snaps, n_tg, _rng(seed, season, 10))
        report("props", season)
        lines = _lines(pg, ctx, sched, n_tg, _rng(seed, season, 11))
        data = _Season(
            season,
            pool,
            sched,
            stints,
            pg,
            ev,
            n_ot,
            box,
            props,
            lines,
            snaps,
            open_ended=season == years[-1],
        )
        per_season.append({name: build(data) for name, build in TABLE_BUILDERS.items()})
        report("lines", season)
        _carry_drift(pool, drift)
    assert pool is not None
    tables = {name: pa.concat_tables([s[name] for s in per_season]) for name in per_season[0]}
    tables["players"] = _players_table(pool)
    if teams is not None or weeks is not None:
        kept = None
        if teams is not None:
            kept = sorted(np.random.default_rng([seed, 99]).choice(TEAM_ABBRS, teams, False))
        ends = (
            None
            if weeks is None
            else {y: calendar(y).opener + dt.timedelta(weeks=weeks) for y in years}
        )
        tables = restrict_league(tables, kept, ends)
    if namesakes:
        tables = plant_namesakes(tables, namesakes, seed)
    return tables


def plant_namesakes(tables: dict[str, pa.Table], pairs: int, seed: int) -> dict[str, pa.Table]:
    """Give ``pairs`` pairs of players one display name, as the NBA has had (two Marcus
    Williams, two Tony Mitchell): the second of each pair takes the first's name everywhere
    it appears (box scores, play-by-play, rosters, props, injuries, ``players``) and keeps
    his own person id. Only names change, never a statistic.

    Pairs are drawn (by the seed) among players who play (have minutes) in ``tables`` and
    never played for the same team; with too few such players, as many pairs as there are."""
    box = tables["player_boxscores"]
    played = box.filter(pc.fill_null(pc.greater(box["minutes"], 0.0), False))
    teams_of: dict[int, set[str]] = {}
    name_of: dict[int, tuple[str, str]] = {}
    for pid, team, name, lookup in zip(
        played["nba_player_id"].to_pylist(),
        played["team_abbr"].to_pylist(),
        played["player_name"].to_pylist(),
        played["player_lookup"].to_pylist(),
        strict=True,
    ):
        teams_of.setdefault(pid, set()).add(team)
        name_of[pid] = (name, lookup)
    order = [int(p) for p in np.random.default_rng([seed, 98]).permutation(sorted(teams_of))]
    renamed: dict[int, tuple[str, str]] = {}  # second's id -> first's (name, lookup)
    taken: set[int] = set()
    for i, first in enumerate(order):
        if len(renamed) == pairs:
            break
        if first in taken:
            continue
        second = next(
            (p for p in order[i + 1 :] if p not in taken and not teams_of[p] & teams_of[first]),
            None,
        )
        if second is not None:
            taken |= {first, second}
            renamed[second] = name_of[first]
    if not renamed:
        return tables
    ids = list(renamed)
    old_lookups = [name_of[p][1] for p in ids]
    names = [renamed[p][0] for p in ids]
    lookups = [renamed[p][1] for p in ids]
    out = dict(tables)
    columns = {
        "player_boxscores": [("nba_player_id", "player_name", "player_lookup")],
        "team_rosters": [("nba_player_id", "player_name", "player_lookup")],
        "players": [("nba_player_id", "player_name", "player_lookup")],
        "play_by_play": [
            ("player_1_id", "player_1_name", "player_1_lookup"),
            ("player_2_id", "player_2_name", "player_2_lookup"),
        ],
    }
    for table_name, triples in columns.items():
        if table_name in out:
            for key, name_col, lookup_col in triples:
                out[table_name] = _rename(
                    out[table_name], key, ids, {name_col: names, lookup_col: lookups}
                )
    # Name-only tables know the player by his lookup; books write names without diacritics.
    for table_name, book in (("player_props", True), ("injury_report", False)):
        if table_name in out:
            shown = [strip_accents(n) for n in names] if book else names
            out[table_name] = _rename(
                out[table_name],
                "player_lookup",
                old_lookups,
                {"player_name": shown, "player_lookup": lookups},
            )
    return out


def _rename(table: pa.Table, key_col: str, keys: list, values: dict[str, list[str]]) -> pa.Table:
    """Set ``values`` (per key) in the rows whose ``key_col`` is one of ``keys``."""
    idx = pc.index_in(table[key_col], value_set=pa.array(keys, table.schema.field(key_col).type))
    hit = pc.is_valid(idx)
    if not pc.any(hit).as_py():
        return table
    for col, vals in values.items():
        i = table.schema.get_field_index(col)
        new = pc.take(pa.array(vals, pa.string()), idx)
        table = table.set_column(i, table.schema.field(i), pc.if_else(hit, new, table[col]))
    return table


def restrict_league(
    tables: dict[str, pa.Table],
    teams: Sequence[str] | None = None,
    season_ends: dict[int, dt.date] | None = None,
) -> dict[str, pa.Table]:
    """The part of a simulated league among ``teams`` and before each season's end date:
    the games between those teams, and every row that belongs to them."""
    sched = tables["schedule"]
    keep = np.ones(sched.num_rows, dtype=bool)
    if teams is not None:
        team_set = pa.array(list(teams))
        keep &= np.asarray(pc.is_in(sched["home_team_abbr"], team_set).to_numpy(False))
        keep &= np.asarray(pc.is_in(sched["away_team_abbr"], team_set).to_numpy(False))
    if season_ends is not None:
        dates = sched["game_date"].to_pylist()
        years = sched["season_year"].to_pylist()
        keep &= np.array(
            [
                d < season_ends.get(y, d + dt.timedelta(days=1))
                for d, y in zip(dates, years, strict=True)
            ]
        )
    games = pa.array(
        np.asarray(sched["game_id"].to_pylist(), dtype=object)[keep].tolist(), pa.string()
    )
    out = {"schedule": sched.filter(pa.array(keep))}
    for name, table in tables.items():
        if name == "schedule":
            continue
        if "game_id" in table.column_names:
            table = table.filter(pc.is_in(table["game_id"], games))
        elif name == "team_rosters" and teams is not None:
            table = table.filter(pc.is_in(table["team_abbr"], pa.array(list(teams))))
        out[name] = table
    return out
