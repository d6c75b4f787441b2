"""Models: one SQL SELECT file each, with its declaration in a header block at the top.

    -- name: nba_analytics.team_offense_game_summary
    -- description: One row per team per game: box score, possessions, ratings, pace, zones.
    -- grain: one row per team per game date
    -- key: game_date, team_abbr
    -- date_column: game_date
    -- upstream: nba_raw.schedule (critical), nba_raw.play_by_play (optional)
    -- lookback: 0 days

An upstream marked ``(critical, same-day)`` is a pre-game table whose rows for date D the model
reads as well as its history: the runner requires them on every scheduled date D.
``-- team_games: team_abbr`` (the output column naming the team; the output has ``game_id``):
both teams of every completed game of a written date should have rows; the runner records
each team-game without as a failure row (the date is written with the rest) and ``validate``
reports it.
    -- check: unique_key
    -- check: not_null(team_abbr, points)
    -- check: range(pace, 80, 125) warn
    -- column pace: possessions per 48 minutes on actual team minutes [possessions]

The body reads ``{{ start_date }}`` / ``{{ end_date }}`` (the half-open range being computed,
as DATE literals), vocabulary placeholders (``{{ PAINT_MAX_FEET }}``, see nbapipe.vocab) and
template functions of a column (``{{ HASH_TEXT_DOUBLE(s.pace) }}``).
The pipeline knows models only through these declarations.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from nbapipe.errors import NbapipeError

_HEADER_LINE = re.compile(r"^--\s*([a-z_]+)\s*:\s*(.*)$")
_COLUMN_LINE = re.compile(r"^--\s*column\s+([a-z_0-9]+)\s*:\s*(.*)$")
_UPSTREAM = re.compile(
    r"^\s*([a-z_]+\.[a-z_0-9]+)\s*(?:\((critical|optional)(\s*,\s*same-day)?\))?\s*$"
)
# Commas separate upstreams, except inside their parentheses.
_UPSTREAM_SEP = re.compile(r",(?![^()]*\))")
_LOOKBACK = re.compile(r"^\s*(\d+)\s+(days?|games?)\s*$")
_CHECK = re.compile(r"^\s*([a-z_]+)\s*(?:\((.*)\))?\s*(error|warn)?\s*$")


class ModelError(NbapipeError):
    """A model file's declaration is malformed."""


@dataclass(frozen=True)
class Upstream:
    table: str
    critical: bool
    same_day: bool = False  # the model reads this pre-game table's rows of the date itself


@dataclass(frozen=True)
class Check:
    kind: str  # unique_key, not_null, range, expr, varies, share
    args: tuple[str, ...]
    severity: str  # error: the interval fails; warn: recorded only

    @property
    def label(self) -> str:
        return f"{self.kind}({', '.join(self.args)})" if self.args else self.kind


@dataclass(frozen=True)
class Model:
    name: str  # schema-qualified output table
    description: str
    grain: str
    key: tuple[str, ...]
    date_column: str
    upstream: tuple[Upstream, ...]
    lookback_days: int
    lookback_games: int
    checks: tuple[Check, ...]
    sql: str  # the body (header removed)
    path: str
    column_docs: dict[str, str] = field(default_factory=dict)  # column -> meaning [unit]
    # The output column naming the team, when both teams of every completed game of a
    # written date must have rows (a per-game table); None otherwise.
    team_games: str | None = None

    @property
    def schema(self) -> str:
        return self.name.split(".")[0]

    @property
    def table(self) -> str:
        return self.name.split(".")[1]

    @property
    def fingerprint(self) -> str:
        """Changes whenever the model's SQL or declaration changes (forces recomputation)."""
        return hashlib.sha256(Path(self.path).read_bytes()).hexdigest()[:16]

    @property
    def season_lookback(self) -> bool:
        """Game-count windows reach back an unknown number of days: the rest of the season."""
        return self.lookback_games > 0


def parse_model(text: str, path: str) -> Model:
    fields: dict[str, list[str]] = {}
    body_lines: list[str] = []
    in_header = True
    column_docs: dict[str, str] = {}
    for line in text.splitlines():
        c = _COLUMN_LINE.match(line.strip()) if in_header else None
        if c:
            column_docs[c.group(1)] = c.group(2).strip()
            continue
        m = _HEADER_LINE.match(line.strip()) if in_header else None
        if m:
            fields.setdefault(m.group(1), []).append(m.group(2).strip())
            continue
        if in_header and line.strip().startswith("--"):
            continue  # a plain comment inside the header
        if in_header and not line.strip():
            continue
        in_header = False
        body_lines.append(line)

    def one(key: str, default: str | None = None) -> str:
        values = fields.get(key)
        if not values:
            if default is None:
                raise ModelError(f"{path}: header is missing '-- {key}: ...'")
            return default
        return " ".join(values)

    upstream = []
    for item in _UPSTREAM_SEP.split(",".join(fields.get("upstream", []))):
        if not item.strip():
            continue
        m = _UPSTREAM.match(item)
        if not m:
            raise ModelError(f"{path}: bad upstream {item.strip()!r}")
        upstream.append(Upstream(m.group(1), m.group(2) != "optional", m.group(3) is not None))

    lookback_days = lookback_games = 0
    m = _LOOKBACK.match(one("lookback", "0 days"))
    if not m:
        raise ModelError(f"{path}: lookback must be 'N days' or 'N games'")
    if m.group(2).startswith("day"):
        lookback_days = int(m.group(1))
    else:
        lookback_games = int(m.group(1))

    team_games = one("team_games", "").strip() or None
    if team_games is not None and not re.fullmatch(r"[a-z_][a-z_0-9]*", team_games):
        raise ModelError(f"{path}: team_games must name one output column, not {team_games!r}")

    checks = []
    for raw in fields.get("check", []):
        cm = _CHECK.match(raw)
        if not cm or cm.group(1) not in (
            "unique_key",
            "not_null",
            "range",
            "expr",
            "varies",
            "share",
        ):
            raise ModelError(f"{path}: bad check {raw!r}")
        args = tuple(a.strip() for a in _split_args(cm.group(2) or ""))
        arity = {"unique_key": (0, 0), "range": (3, 3), "share": (2, 3)}.get(cm.group(1), (1, None))
        if len(args) < arity[0] or (arity[1] is not None and len(args) > arity[1]):
            raise ModelError(f"{path}: check {raw!r} takes the wrong number of arguments")
        if cm.group(1) == "share" and not _is_fraction(args[1]):
            raise ModelError(f"{path}: check {raw!r}: the share must be a number from 0 to 1")
        if cm.group(1) == "share" and len(args) == 3 and not args[2].isdigit():
            raise ModelError(f"{path}: check {raw!r}: min_rows must be a whole number")
        checks.append(Check(cm.group(1), args, cm.group(3) or "error"))

    body = "\n".join(body_lines).strip().rstrip(";")
    if not body.lower().lstrip().startswith(("with", "select")):
        raise ModelError(f"{path}: the body must be one SELECT (optionally WITH ...)")
    return Model(
        name=one("name"),
        description=one("description"),
        grain=one("grain"),
        key=tuple(k.strip() for k in one("key").split(",")),
        date_column=one("date_column"),
        upstream=tuple(upstream),
        lookback_days=lookback_days,
        lookback_games=lookback_games,
        checks=tuple(checks),
        sql=body,
        path=path,
        column_docs=column_docs,
        team_games=team_games,
    )


def _is_fraction(text: str) -> bool:
    try:
        return 0.0 <= float(text) <= 1.0
    except ValueError:
        return False


def _split_args(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    if current.strip():
        parts.append(current)
    return parts


@cache
def all_models() -> dict[str, Model]:
    """Every model shipped in nbapipe/models, keyed by output table name."""
    root = resources.files("nbapipe") / "models"
    models: dict[str, Model] = {}
    for path in sorted(Path(str(root)).rglob("*.sql")):
        model = parse_model(path.read_text(encoding="utf-8"), str(path))
        if model.name in models:
            raise ModelError(f"{path}: model {model.name} is defined twice")
        models[model.name] = model
    return models


def dependency_order(models: dict[str, Model]) -> list[Model]:
    """Models ordered so each comes after the models whose tables it reads (from declarations)."""
    order: list[Model] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ModelError(f"dependency cycle: {' -> '.join((*trail, name))}")
        state[name] = 1
        for up in models[name].upstream:
            if up.table in models:
                visit(up.table, (*trail, name))
        state[name] = 2
        order.append(models[name])

    for name in sorted(models):
        visit(name, ())
    return order


def resolve(names: list[str] | None, *, from_model: str | None = None) -> list[Model]:
    """The models to run, in dependency order: all, a named subset, or one and downstream."""
    models = all_models()
    if names and from_model:
        raise ModelError(
            "give either --models (these models) or --from-model (one and everything "
            "downstream of it), not both"
        )

    def find(name: str) -> str:
        if name in models:
            return name
        matches = [m for m in models if m.split(".")[1] == name]
        if len(matches) == 1:
            return matches[0]
        raise ModelError(f"unknown model {name!r}; models: {', '.join(sorted(models))}")

    ordered = dependency_order(models)
    if from_model:
        start = find(from_model)
        selected = {start}
        for m in ordered:  # downstream closure: order guarantees parents come first
            if any(u.table in selected for u in m.upstream):
                selected.add(m.name)
        return [m for m in ordered if m.name in selected]
    if names:
        wanted = {find(n) for n in names}
        return [m for m in ordered if m.name in wanted]
    return ordered


_ARG = r"[A-Za-z_0-9][A-Za-z_0-9.]*"
_PLACEHOLDER = re.compile(
    r"\{\{\s*([A-Za-z_][A-Za-z_0-9]*)\s*"
    rf"(?:\(\s*({_ARG}(?:\s*,\s*{_ARG})*)\s*\))?\s*\}}\}}"
)


def render(model: Model, values: Mapping[str, str | Callable[..., str]]) -> str:
    """Fill ``{{ name }}`` placeholders and ``{{ NAME(column, ...) }}`` template functions
    (arguments: columns or numbers); an unknown placeholder, or one used the wrong way, is an
    error, not blank SQL."""

    def sub(m: re.Match[str]) -> str:
        key, arg = m.group(1), m.group(2)
        value = values.get(key)
        if value is None:
            raise ModelError(f"{model.path}: unknown placeholder {{{{ {key} }}}}")
        if callable(value) != (arg is not None):
            use = f"{key}(column)" if callable(value) else key
            raise ModelError(f"{model.path}: {m.group(0)} should read {{{{ {use} }}}}")
        if not callable(value):
            return value
        args = [a.strip() for a in arg.split(",")]
        try:
            return value(*args)
        except (TypeError, ValueError):
            raise ModelError(f"{model.path}: {m.group(0)}: wrong arguments") from None

    return _PLACEHOLDER.sub(sub, model.sql)
