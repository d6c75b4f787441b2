"""The 30 NBA teams: tricodes, names, conferences, divisions, arena coordinates."""

from __future__ import annotations

from dataclasses import dataclass

from nbapipe.errors import InputError


@dataclass(frozen=True)
class Team:
    abbr: str
    nba_team_id: int
    city: str
    nickname: str
    conference: str
    division: str
    arena_lat: float
    arena_lon: float

    @property
    def full_name(self) -> str:
        return f"{self.city} {self.nickname}"


# tricode, NBA.com team id, city, nickname, conference, division, arena latitude, longitude
_TEAMS = (
    ("ATL", 1610612737, "Atlanta", "Hawks", "East", "Southeast", 33.7573, -84.3963),
    ("BOS", 1610612738, "Boston", "Celtics", "East", "Atlantic", 42.3662, -71.0621),
    ("BKN", 1610612751, "Brooklyn", "Nets", "East", "Atlantic", 40.6826, -73.9754),
    ("CHA", 1610612766, "Charlotte", "Hornets", "East", "Southeast", 35.2251, -80.8392),
    ("CHI", 1610612741, "Chicago", "Bulls", "East", "Central", 41.8807, -87.6742),
    ("CLE", 1610612739, "Cleveland", "Cavaliers", "East", "Central", 41.4965, -81.6882),
    ("DAL", 1610612742, "Dallas", "Mavericks", "West", "Southwest", 32.7905, -96.8103),
    ("DEN", 1610612743, "Denver", "Nuggets", "West", "Northwest", 39.7487, -105.0077),
    ("DET", 1610612765, "Detroit", "Pistons", "East", "Central", 42.3410, -83.0551),
    ("GSW", 1610612744, "Golden State", "Warriors", "West", "Pacific", 37.7680, -122.3877),
    ("HOU", 1610612745, "Houston", "Rockets", "West", "Southwest", 29.7508, -95.3621),
    ("IND", 1610612754, "Indiana", "Pacers", "East", "Central", 39.7640, -86.1555),
    ("LAC", 1610612746, "LA", "Clippers", "West", "Pacific", 33.9450, -118.3410),
    ("LAL", 1610612747, "Los Angeles", "Lakers", "West", "Pacific", 34.0430, -118.2673),
    ("MEM", 1610612763, "Memphis", "Grizzlies", "West", "Southwest", 35.1382, -90.0506),
    ("MIA", 1610612748, "Miami", "Heat", "East", "Southeast", 25.7814, -80.1870),
    ("MIL", 1610612749, "Milwaukee", "Bucks", "East", "Central", 43.0451, -87.9172),
    ("MIN", 1610612750, "Minnesota", "Timberwolves", "West", "Northwest", 44.9795, -93.2760),
    ("NOP", 1610612740, "New Orleans", "Pelicans", "West", "Southwest", 29.9490, -90.0821),
    ("NYK", 1610612752, "New York", "Knicks", "East", "Atlantic", 40.7505, -73.9934),
    ("OKC", 1610612760, "Oklahoma City", "Thunder", "West", "Northwest", 35.4634, -97.5151),
    ("ORL", 1610612753, "Orlando", "Magic", "East", "Southeast", 28.5392, -81.3839),
    ("PHI", 1610612755, "Philadelphia", "76ers", "East", "Atlantic", 39.9012, -75.1720),
    ("PHX", 1610612756, "Phoenix", "Suns", "West", "Pacific", 33.4457, -112.0712),
    ("POR", 1610612757, "Portland", "Trail Blazers", "West", "Northwest", 45.5316, -122.6668),
    ("SAC", 1610612758, "Sacramento", "Kings", "West", "Pacific", 38.5802, -121.4997),
    ("SAS", 1610612759, "San Antonio", "Spurs", "West", "Southwest", 29.4270, -98.4375),
    ("TOR", 1610612761, "Toronto", "Raptors", "East", "Atlantic", 43.6435, -79.3791),
    ("UTA", 1610612762, "Utah", "Jazz", "West", "Northwest", 40.7683, -111.9011),
    ("WAS", 1610612764, "Washington", "Wizards", "East", "Southeast", 38.8981, -77.0209),
)

TEAMS: tuple[Team, ...] = tuple(Team(*row) for row in _TEAMS)
TEAM_ABBRS: tuple[str, ...] = tuple(t.abbr for t in TEAMS)
BY_ABBR: dict[str, Team] = {t.abbr: t for t in TEAMS}
BY_ID: dict[int, Team] = {t.nba_team_id: t for t in TEAMS}

# Codes other sites use for the same franchises (Basketball-Reference, ESPN, older NBA.com).
_VARIANTS = {
    "BRK": "BKN",
    "NJN": "BKN",
    "CHO": "CHA",
    "CHH": "CHA",
    "PHO": "PHX",
    "NOH": "NOP",
    "NOK": "NOP",
    "GS": "GSW",
    "NY": "NYK",
    "SA": "SAS",
    "NO": "NOP",
    "UTAH": "UTA",
    "WSH": "WAS",
    "SEA": "OKC",
}

# Full names as sportsbooks write them, lower-cased, plus common short forms.
_NAMES: dict[str, str] = {}
for _t in TEAMS:
    _NAMES[_t.full_name.lower()] = _t.abbr
    _NAMES[_t.nickname.lower()] = _t.abbr
_NAMES["los angeles clippers"] = "LAC"
_NAMES["la lakers"] = "LAL"


def team_abbr(code_or_name: str, *, where: str = "") -> str:
    """Map a tricode, a variant code or a full team name to the NBA tricode.

    Raises InputError naming the bad value (and ``where`` it came from) when unknown.
    """
    value = (code_or_name or "").strip()
    upper = value.upper()
    if upper in BY_ABBR:
        return upper
    if upper in _VARIANTS:
        return _VARIANTS[upper]
    by_name = _NAMES.get(value.lower())
    if by_name:
        return by_name
    place = f" ({where})" if where else ""
    raise InputError(
        f"unknown team code {code_or_name!r}{place}; expected one of {', '.join(TEAM_ABBRS)}"
    )
