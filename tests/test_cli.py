"""The command line: one-line errors without tracebacks, idempotent init, status output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nbapipe.pipeline.model import all_models


def nbapipe(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "NBAPIPE_WAREHOUSE"}
    full_env = {**base, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "nbapipe.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_cli_init_twice_is_a_noop(tmp_path: Path) -> None:
    first = nbapipe("init", cwd=tmp_path)
    assert first.returncode == 0 and "created warehouse" in first.stdout
    second = nbapipe("init", cwd=tmp_path)
    assert second.returncode == 0 and "up to date" in second.stdout
    assert (tmp_path / "nbapipe.duckdb").exists()


def test_cli_bad_season_string_is_one_line_error_and_writes_nothing(tmp_path: Path) -> None:
    result = nbapipe("ingest", "synthetic", "--seasons", "2021-2x", cwd=tmp_path)
    assert_one_line_error(result, "2021-2x", "--seasons")
    assert not (tmp_path / "nbapipe.duckdb").exists()


def test_cli_negative_namesakes_is_one_line_error_and_writes_nothing(tmp_path: Path) -> None:
    result = nbapipe("ingest", "synthetic", "--namesakes=-1", cwd=tmp_path)
    assert_one_line_error(result, "--namesakes", "-1")
    assert not (tmp_path / "nbapipe.duckdb").exists()


def test_cli_unknown_team_code_is_one_line_error(tmp_path: Path) -> None:
    nbapipe("init", cwd=tmp_path)
    result = nbapipe("status", "--team", "XYZ", cwd=tmp_path)
    assert_one_line_error(result, "unknown team code 'XYZ'", "--team")


def test_cli_read_only_folder_is_one_line_error_and_no_file(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        result = nbapipe("init", "--warehouse", str(ro / "w.duckdb"), cwd=tmp_path)
        assert_one_line_error(result, "read-only", str(ro))
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_cli_status_without_warehouse_says_to_init(tmp_path: Path) -> None:
    result = nbapipe("status", cwd=tmp_path)
    assert_one_line_error(result, "nbapipe init")
    assert not (tmp_path / "nbapipe.duckdb").exists()


def test_cli_warehouse_from_environment(tmp_path: Path) -> None:
    target = tmp_path / "env.duckdb"
    result = nbapipe("init", cwd=tmp_path, env={"NBAPIPE_WAREHOUSE": str(target)})
    assert result.returncode == 0
    assert target.exists() and not (tmp_path / "nbapipe.duckdb").exists()


def test_cli_warehouse_before_the_command(tmp_path: Path) -> None:
    before, own = tmp_path / "before.duckdb", tmp_path / "own.duckdb"
    assert nbapipe("-w", str(before), "init", cwd=tmp_path).returncode == 0
    assert before.exists() and not (tmp_path / "nbapipe.duckdb").exists()
    # the command's own option wins over the one before it
    assert nbapipe("-w", str(before), "init", "-w", str(own), cwd=tmp_path).returncode == 0
    assert own.exists()
    status = nbapipe("--warehouse", str(own), "status", "--json", cwd=tmp_path)
    assert json.loads(status.stdout)["warehouse"] == str(own)


def test_cli_debug_flag_shows_traceback(tmp_path: Path) -> None:
    result = nbapipe("--debug", "ingest", "synthetic", "--seasons", "20x", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "InputError" in result.stderr


@pytest.mark.slow
def test_cli_quickstart_prints_full_season_summary(tmp_path: Path) -> None:
    result = nbapipe("quickstart", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for label in ("games", "player-games (played)", "shots", "prop lines"):
        assert label in out
    assert "1,230" in out  # 30 teams x 82 games / 2
    status = nbapipe("status", "--json", cwd=tmp_path)
    data = json.loads(status.stdout)
    rows = {t["table"]: t for t in data["tables"]}
    assert rows["nba_raw.schedule"]["games"] == 1230
    assert rows["nba_raw.play_by_play"]["rows"] > 400_000
    assert rows["nba_raw.player_props"]["rows"] > 10_000
    assert data["registry_players"] >= 390
    assert data["registry_failures"] == 0
    team = json.loads(nbapipe("status", "--json", "--team", "bos", cwd=tmp_path).stdout)
    team_rows = {t["table"]: t for t in team["tables"]}
    assert team["team"] == "BOS" and team_rows["nba_raw.schedule"]["games"] == 82
    # On an 80-column terminal the tables wrap their other columns, never a name.
    narrow = nbapipe("status", cwd=tmp_path, env={"COLUMNS": "80"}).stdout
    for name in all_models():
        assert name.split(".")[1] in narrow, name
    for name in rows:
        assert name in narrow, name


def test_cli_backfill_with_missing_box_scores_says_what_failed_and_retries(tmp_path: Path) -> None:
    import duckdb

    from nbapipe import api

    wh = tmp_path / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, teams=6, weeks=3, warehouse=wh)
    with duckdb.connect(str(wh)) as con:  # one game date's player box scores never arrived
        (day,) = con.execute("SELECT max(game_date) FROM nba_raw.player_boxscores").fetchone()
        con.execute("DELETE FROM nba_raw.player_boxscores WHERE game_date = ?", [day])
    env = {"NBAPIPE_WAREHOUSE": str(wh)}
    for columns in ("200", "80"):  # the second run retries the failed dates: not "nothing to do"
        result = nbapipe("backfill", cwd=tmp_path, env={**env, "COLUMNS": columns})
        assert result.returncode == 1, result.stderr
        assert "could not compute" in result.stdout
        assert "nbapipe failures --model" in result.stdout
        assert "nothing to do" not in result.stdout
        assert "MISSING_DEPENDENCY" in result.stdout
        for name in all_models():  # on 80 columns too, every name is whole
            assert name.split(".")[1] in result.stdout, (columns, name)
        lines = result.stdout.splitlines()
        assert any(line.startswith("Why: nbapipe failures --model ") for line in lines)
        # a failure category and its count stay on one line
        assert not [line for line in lines if re.search(r"\b[A-Z][A-Z_]{3,},?$", line)]
    status = nbapipe("status", cwd=tmp_path, env={**env, "COLUMNS": "80"}).stdout.splitlines()
    # failure categories are listed whole under the models table, each with its count
    cats = [line for line in status if line.startswith("  player_game_summary: ")]
    assert cats and re.search(r"MISSING_DEPENDENCY \d", cats[0]), status
    assert not [line for line in status if re.search(r"\b[A-Z][A-Z_]{3,}(,|…)?$", line)]
    assert not [line for line in status if "…" in line], status  # nothing cut
    # the reasons stay readable: a table on a wide terminal, two lines a failure on 80
    for columns in ("200", "80"):
        text = nbapipe("failures", "--limit", "3", cwd=tmp_path, env={**env, "COLUMNS": columns})
        lines = text.stdout.splitlines()
        reasons = [line for line in lines if "has no rows for" in line]
        assert reasons and all("nba_raw.player_boxscores has no rows for" in r for r in reasons)
        assert not [line for line in lines if "…" in line], lines
        assert any(line.startswith("by category: ") for line in lines)
    # validate names the missing date; on 80 columns as a record, on 200 as a table row
    for columns in ("200", "80"):
        check = nbapipe("validate", cwd=tmp_path, env={**env, "COLUMNS": columns})
        assert check.returncode == 1, check.stderr
        lines = check.stdout.splitlines()
        assert any("covers every date with completed games" in line for line in lines), lines
        assert any(f"missing {day}" in line for line in lines), lines
        assert not [line for line in lines if "…" in line], lines
        assert all(len(line) <= int(columns) for line in lines), lines
    why = nbapipe("failures", "--json", cwd=tmp_path, env=env)
    counts = json.loads(why.stdout)["counts"]
    assert counts.get("MISSING_DEPENDENCY", 0) >= 1, counts
    # an unknown model is an error; a category with no rows lists the categories there are
    assert_one_line_error(nbapipe("failures", "--model", "nope", cwd=tmp_path, env=env), "nope")
    none = nbapipe(
        "failures",
        "--model",
        "player_game_summary",
        "--category",
        "MISSING_DEP",
        cwd=tmp_path,
        env=env,
    ).stdout.splitlines()
    assert none[0] == "no failures for model player_game_summary, category MISSING_DEP", none
    assert re.match(r"categories there: MISSING_DEPENDENCY \d", none[1]), none


def test_category_lists_wrap_between_items_only() -> None:
    from nbapipe.cli import _wrap_items

    items = [
        "EARLY_SEASON 2,422",
        "INCOMPLETE_DATA 10,841",
        "INSUFFICIENT_DATA 712",
        "STALE_DATA 85",
    ]
    text = _wrap_items("  player_daily_cache: ", items, 60)
    lines = text.splitlines()
    assert len(lines) > 1 and all(len(line) <= 60 for line in lines)
    assert all(line.startswith("    ") for line in lines[1:])
    joined = " ".join(line.strip() for line in lines)
    assert joined == "player_daily_cache: " + ", ".join(items)


def test_ingest_table_names_files_below_their_shared_folder(tmp_path: Path) -> None:
    folder = tmp_path / "exports_from_a_long_path_of_folders" / "season_2024_25"
    folder.mkdir(parents=True)
    for name in ("team_gamelogs_2024_25.csv", "player_gamelogs_2024_25.csv"):
        (folder / name).write_text("a,b\n1,2\n")
    env = {"COLUMNS": "80", "NBAPIPE_WAREHOUSE": str(tmp_path / "w.duckdb")}
    result = nbapipe("ingest", "nba-stats", str(folder), cwd=tmp_path, env=env)
    assert result.returncode == 1  # both refused: unknown layout
    rows = [line for line in result.stdout.splitlines() if "refused" in line]
    assert len(rows) == 2 and all("│ player_" in r or "│ team_" in r for r in rows), rows
    assert "files in " in result.stdout and "season_2024_25" in result.stdout
    assert result.stdout.count("exports_from_a_long_path_of_folders") == 1  # once, not per row
    assert "unknown layout" in result.stderr  # the reason names the whole path


def _commands(group, path=()):  # type: ignore[no-untyped-def]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of subcommands
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_cli_help_shows_every_bracketed_default() -> None:
    """Rich markup must not swallow "[default: ...]" or "[env: ...]" from any option's help."""
    import typer
    from typer.testing import CliRunner

    from nbapipe.cli import app

    runner = CliRunner()
    checked = 0
    for path, command in _commands(typer.main.get_command(app)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (path, result.output)
        shown = " ".join(result.output.replace("│", " ").split())
        for param in command.params:
            text = getattr(param, "help", None) or ""
            if "[" not in text:
                continue
            expected = " ".join(text.replace("\\[", "[").split())
            assert expected in shown, (path, param.name, shown)
            checked += 1
    assert checked >= 10  # the options with a bracketed default in their help


def test_cli_help_names_what_each_option_takes() -> None:
    """A flag takes nothing, so its help shows no type (Typer 0.29 printed "<bool>" beside
    every flag, --help included); a value option shows what it takes (DATE, MODEL, PATH)."""
    import typer
    from typer.testing import CliRunner

    from nbapipe.cli import app

    runner = CliRunner()
    flags = values = 0
    for path, command in _commands(typer.main.get_command(app)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, path
        for param in command.params:
            if param.param_type_name != "option":
                continue
            line = next(
                row
                for row in result.output.splitlines()
                if row.replace("│", " ").split()[:1] == [param.opts[0]]
            )
            cells = line.replace("│", " ").split()
            if param.is_flag:
                flags += 1
                assert not cells[1].isupper() and not cells[1].startswith("<"), (path, line)
            elif param.metavar:
                values += 1
                assert param.metavar in cells[1:4], (path, line)
    assert flags >= 20 and values >= 25
    backfill = runner.invoke(app, ["backfill", "--help"], env={"COLUMNS": "120"}).output
    rows = [r.replace("│", " ").split() for r in backfill.splitlines()]
    assert ["--start", "DATE"] in [r[:2] for r in rows]
    assert ["--force", "Recompute"] in [r[:2] for r in rows]


def test_cli_run_on_a_date_without_games_says_so(tmp_path: Path) -> None:
    assert nbapipe("init", cwd=tmp_path).returncode == 0
    result = nbapipe("run", "--date", "2025-01-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ": 2025-01-01, 0 games scheduled" in result.stdout
    assert "note: the schedule has no games on 2025-01-01" in result.stdout


@pytest.mark.parametrize("name", ["props.csv", "lines.json"])
def test_cli_an_existing_data_file_is_never_taken_for_a_warehouse(tmp_path: Path, name) -> None:
    """DuckDB would attach such a file as an empty in-memory database: writes would vanish."""
    data = tmp_path / name
    data.write_text("a,b\n1,2\n")
    for args in (("init",), ("ingest", "synthetic", "--teams", "4", "--weeks", "1")):
        result = nbapipe(*args, "-w", str(data), cwd=tmp_path)
        assert_one_line_error(result, name, "not a valid DuckDB database file")
    assert data.read_text() == "a,b\n1,2\n"


def test_cli_mistyped_warehouse_for_a_run_creates_nothing(tmp_path: Path) -> None:
    for args in (("run", "--date", "2025-01-15"), ("backfill",)):
        result = nbapipe(*args, "-w", "typo.duckdb", cwd=tmp_path)
        assert_one_line_error(result, "no warehouse at typo.duckdb")
    assert list(tmp_path.iterdir()) == []


def test_cli_dates_and_options_are_checked_before_any_work(tmp_path: Path) -> None:
    from nbapipe import api

    wh = tmp_path / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, teams=4, weeks=2, warehouse=wh)
    env = {"NBAPIPE_WAREHOUSE": str(wh)}
    cases = [
        (("run", "--date", "9999-12-31"), ["9999-12-31", "--date", "1946-01-01 to 2199-12-31"]),
        (("validate", "--end", "0001-01-01"), ["0001-01-01", "--end"]),
        (("run", "--date", "2024-02-30"), ["2024-02-30", "no such day"]),
        (("backfill", "--start", "2030-01-01"), ["--start 2030-01-01 is after the last sched"]),
        (("backfill", "--end", "2000-01-01"), ["--end 2000-01-01 is before the first sched"]),
        (("backfill", "-m", "player_game_summary", "--from-model", "player_daily_cache"),
         ["--models", "--from-model", "not both"]),
        (("failures", "--model", "nope"), ["unknown model 'nope'"]),
    ]  # fmt: skip
    for args, fragments in cases:
        assert_one_line_error(nbapipe(*args, cwd=tmp_path, env=env), *fragments)
    bad_limit = nbapipe("failures", "--limit", "0", cwd=tmp_path, env=env)
    assert bad_limit.returncode == 2 and "--limit" in bad_limit.stderr
    assert nbapipe("quickstart", "-w", "q.duckdb", "--season", "foo", cwd=tmp_path).returncode == 1
    assert not (tmp_path / "q.duckdb").exists()
    none = nbapipe("ingest", "synthetic", "--teams", "2", "--weeks", "1", cwd=tmp_path, env=env)
    last = none.stderr.strip().splitlines()[-1]  # after the simulation's progress bars
    assert none.returncode == 1 and last.startswith("error: ") and "no games" in last, last
    version = nbapipe("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("nbapipe ")
    report = json.loads(nbapipe("validate", "--json", cwd=tmp_path, env=env).stdout)
    errors = [v for v in report["violations"] if v["severity"] == "error"]
    assert report["ok"] is (not errors) and report["errors"] == len(errors)
    assert report["warnings"] == len(report["violations"]) - len(errors)


def test_cli_ingest_live_only_options_need_live(tmp_path: Path) -> None:
    """--kind, --season, --date, --market ... were silently ignored without --live: the
    command ran as a plain file ingest."""
    f = tmp_path / "tg.csv"
    f.write_text("a,b\n1,2\n")
    env = {"NBAPIPE_WAREHOUSE": str(tmp_path / "w.duckdb")}
    cases = [
        (("nba-stats", "--kind", "team_logs", "--season", "2024-25"), "--kind and --season need"),
        (("nba-stats", "--game-id", "0022400001"), "--game-id needs --live"),
        (("odds-api", "--date", "2025-01-01", "--market", "x"), "--date and --market need"),
        (("odds-api", "--historical"), "--historical needs --live"),
    ]
    for args, fragment in cases:
        result = nbapipe("ingest", *args, str(f), cwd=tmp_path, env=env)
        assert_one_line_error(result, fragment, "--live")
    result = nbapipe("ingest", "odds-api", "--live", str(f), cwd=tmp_path, env=env)
    assert_one_line_error(result, "--live fetches and reads no files")
    assert not (tmp_path / "w.duckdb").exists()


def test_cli_ingest_shows_why_rows_were_rejected_and_fails_when_all_were(tmp_path: Path) -> None:
    """Every row rejected showed as 'loaded', exit 0, and the reasons were only in
    nba_processing.ingest_rejects."""
    f = tmp_path / "raw_20251029_170000.csv"
    rows = [
        "e1,Lauri Markkanen,player_points,24.5,draftkings,Portland Trail Blazers @ Utah Jazz,"
        "2025-10-30T02:00:00Z,-110,-110",
        "e1,Deni Avdija,player_points,21.5,fanduel,Portland Trail Blazers @ Utah Jazz,"
        "2025-10-30T02:00:00Z,-110,-110",
        "e2,Jalen Brunson,player_points,27.5,draftkings,Cleveland Cavaliers @ New York Knicks,"
        "2025-10-29T23:30:00Z,-110,-110",
        "e2,Josh Hart,player_points,,draftkings,Cleveland Cavaliers @ New York Knicks,"
        "2025-10-29T23:30:00Z,-110,-110",
    ]
    f.write_text(
        "event_id,player,market,line,bookmaker,game,game_time,over_odds,under_odds\n"
        + "\n".join(rows)
        + "\n"
    )
    env = {"NBAPIPE_WAREHOUSE": str(tmp_path / "w.duckdb")}
    for columns in ("70", "100"):
        result = nbapipe(
            "ingest", "odds-api", str(f), cwd=tmp_path, env={**env, "COLUMNS": columns}
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert "│ rejected " in result.stdout
        text = " ".join(result.stdout.split())  # the lines as wrapped, joined
        assert "rejected rows, most common reasons first:" in text
        assert "3 rows: game: no scheduled game for POR @ UTA on 2025-10-29 (and 2 like it)" in text
        assert "1 row: line: missing value" in text
        err = " ".join(result.stderr.split())
        assert (
            "rejected: raw_20251029_170000.csv: all 4 rows rejected; 3 for game: no scheduled "
            "game for POR @ UTA on 2025-10-29 (and 2 like it)" in err
        )
        for line in (result.stdout + result.stderr).splitlines():
            assert "…" not in line, line
            if not line.startswith("files in "):  # a path, kept whole to be copied
                assert len(line) <= int(columns), line


def test_cli_ingest_says_which_unchanged_files_it_read_again(tmp_path: Path) -> None:
    env = {"NBAPIPE_WAREHOUSE": str(tmp_path / "w.duckdb"), "COLUMNS": "100"}
    header = (
        "SEASON_ID,TEAM_ID,TEAM_ABBREVIATION,TEAM_NAME,GAME_ID,GAME_DATE,MATCHUP,WL,MIN,PTS,FGM,"
        "FGA,FG_PCT,FG3M,FG3A,FG3_PCT,FTM,FTA,FT_PCT,OREB,DREB,REB,AST,STL,BLK,TOV,PF,PLUS_MINUS\n"
    )
    stats = ",40,90,0.444,12,35,0.343,18,22,0.818,10,34,44,25,7,5,13,20,"
    nyk = tmp_path / "schedule_nyk.csv"
    nyk.write_text(
        header + "22025,1610612752,NYK,New York Knicks,0022500101,2025-10-29,NYK vs. CLE,W,240,"
        "110" + stats + "4\n"
    )
    uta = tmp_path / "schedule_uta.csv"
    uta.write_text(
        header + "22025,1610612762,UTA,Utah Jazz,0022500102,2025-10-29,UTA vs. POR,L,240,"
        "101" + stats + "-3\n"
    )
    props = tmp_path / "raw_20251029_170000.csv"
    props.write_text(
        "player,market,line,bookmaker,game,game_time,over_odds,under_odds\n"
        "Jalen Brunson,player_points,27.5,draftkings,Cleveland Cavaliers @ New York Knicks,"
        "2025-10-29T23:30:00Z,-110,-110\n"
        "Lauri Markkanen,player_points,24.5,draftkings,Portland Trail Blazers @ Utah Jazz,"
        "2025-10-30T02:00:00Z,-110,-110\n"
    )
    assert nbapipe("ingest", "nba-stats", str(nyk), cwd=tmp_path, env=env).returncode == 0
    first = nbapipe("ingest", "odds-api", str(props), cwd=tmp_path, env=env)
    assert first.returncode == 0 and "1 row: game: no scheduled game for POR @ UTA" in first.stdout
    assert nbapipe("ingest", "nba-stats", str(uta), cwd=tmp_path, env=env).returncode == 0
    again = nbapipe("ingest", "odds-api", str(props), cwd=tmp_path, env=env)
    assert again.returncode == 0
    assert "│ loaded " in again.stdout and "rejected rows" not in again.stdout
    assert "1 file read again although unchanged: it had rows rejected for want of a scheduled" in (
        " ".join(again.stdout.split())
    )


def test_cli_ingest_long_file_names_are_listed_whole_on_a_narrow_terminal(tmp_path: Path) -> None:
    """The table folded names that did not fit ('player_points_2' / '025_26/raw_...')."""
    names = []
    for sub in ("player_points_2025_26_snapshots", "player_threes_2024_25_history"):
        folder = tmp_path / sub
        folder.mkdir()
        f = folder / "props_2025-10-29_player_points_by_bookmaker.csv"
        f.write_text("player,market\nx,y\n")
        names.append(f"{sub}/{f.name}")
    env = {"NBAPIPE_WAREHOUSE": str(tmp_path / "w.duckdb"), "COLUMNS": "70"}
    result = nbapipe("ingest", "odds-api", str(tmp_path), cwd=tmp_path, env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for name in names:
        assert name in lines  # whole, on a line of its own
    assert "    refused" in lines
    others = [line for line in lines if line not in names and not line.startswith("files in ")]
    assert all(len(line) <= 70 for line in others), others


def test_cli_ingest_and_init_take_the_writer_lock_and_wait_with_wait(tmp_path: Path) -> None:
    """The busy message says to re-run with --wait, but ingest and init had no --wait (and
    did not take the writer lock, so they ran beside a backfill until DuckDB refused them)."""
    from nbapipe.engine.lock import writer_lock

    wh = tmp_path / "w.duckdb"
    assert nbapipe("init", "--warehouse", str(wh), cwd=tmp_path).returncode == 0
    f = tmp_path / "schedule.csv"
    f.write_text(
        "SEASON_ID,TEAM_ID,TEAM_ABBREVIATION,TEAM_NAME,GAME_ID,GAME_DATE,MATCHUP,WL,MIN,PTS,FGM,"
        "FGA,FG_PCT,FG3M,FG3A,FG3_PCT,FTM,FTA,FT_PCT,OREB,DREB,REB,AST,STL,BLK,TOV,PF,PLUS_MINUS\n"
        "22025,1610612752,NYK,New York Knicks,0022500101,2025-10-29,NYK vs. CLE,W,240,110,40,90,"
        "0.444,12,35,0.343,18,22,0.818,10,34,44,25,7,5,13,20,4\n"
    )
    with writer_lock(wh, "run-test-holder"):
        for args in (("init",), ("ingest", "nba-stats", str(f)), ("ingest", "synthetic")):
            busy = nbapipe(*args, "--warehouse", str(wh), cwd=tmp_path)
            assert_one_line_error(busy, "is busy (run run-test-holder since", "--wait")
        waiting = subprocess.Popen(
            [sys.executable, "-m", "nbapipe.cli", "ingest", "nba-stats", "--wait", str(f)],
            cwd=tmp_path,
            env={**os.environ, "NBAPIPE_WAREHOUSE": str(wh), "COLUMNS": "100"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2.0)
        assert waiting.poll() is None  # queued behind the holder
    out, err = waiting.communicate(timeout=600)
    assert waiting.returncode == 0, err
    assert "│ loaded " in out


def test_cli_a_process_holding_the_warehouse_is_named_and_waited_for(tmp_path: Path) -> None:
    """DuckDB lets one process open the file to write and none beside it. A holder outside
    nbapipe (a shell, a notebook) is said to be one, not mistaken for the waiting run; read and
    write commands with --wait wait for it."""
    from nbapipe import api

    wh = tmp_path / "w.duckdb"
    api.ingest_synthetic("2024-25", seed=3, teams=4, weeks=2, warehouse=wh)
    env = {"NBAPIPE_WAREHOUSE": str(wh)}
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print(1, flush=True); "
    hold += "time.sleep(float(sys.argv[2]))"
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(wh), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        for args in (("init",), ("status",), ("run", "--date", "2024-10-25")):
            busy = nbapipe(*args, cwd=tmp_path, env=env)
            assert_one_line_error(busy, "is busy (another process has it open", "--wait")
    finally:
        holder.kill()
        holder.wait()
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(wh), "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "1"
        for args in (
            ("init", "--wait"),
            ("status", "--wait"),
            ("run", "--date", "2024-10-25", "--wait"),
        ):
            waited = nbapipe(*args, cwd=tmp_path, env=env)
            assert waited.returncode == 0, waited.stderr
    finally:
        holder.kill()
        holder.wait()


def test_cli_registry_lists_unresolved_names_and_an_alias_resolves_them(tmp_path: Path) -> None:
    from nbapipe import api, registry
    from nbapipe.engine.duckdb import DuckDBEngine

    w = tmp_path / "w.duckdb"
    for command in (["unresolved"], ["alias", "SGA", "x_001"]):  # a mistyped path
        assert_one_line_error(
            nbapipe("registry", *command, "-w", str(w), cwd=tmp_path), "no warehouse at"
        )
    assert list(tmp_path.iterdir()) == []
    api.init(w)
    with DuckDBEngine(w) as eng:
        eng.execute(
            "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
            "away_team_abbr, source) VALUES ('0022500001', DATE '2025-10-21', 2025, 'OKC', "
            "'HOU', 'test')"
        )
        registry.register_players(
            eng,
            "SELECT 'Shai Gilgeous-Alexander' AS player_name, 'shaigilgeousalexander' AS "
            "player_lookup, 1628983 AS nba_player_id, DATE '2025-10-21' AS game_date",
            source="test",
        )
    lines = tmp_path / "raw_20251021_170000.csv"
    lines.write_text(
        "event_id,player,market,line,bookmaker,game,game_time,over_odds,under_odds\n"
        + "".join(
            f"e1,{who},player_points,{line},{book},Houston Rockets @ Oklahoma City Thunder,"
            "2025-10-21T23:35:00Z,-110,-120\n"
            for who, line in (("SGA", 31.5), ("Shai Gilgeous-Alexander", 31.5))
            for book in ("draftkings", "fanduel")
        )
    )
    assert nbapipe("ingest", "odds-api", str(lines), "-w", str(w), cwd=tmp_path).returncode == 0

    listed = nbapipe("registry", "unresolved", "-w", str(w), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "odds_api, no registry player matches" in listed.stdout
    assert re.search(r"SGA\s+│\s+2\s+│\s+1\s+│\s+2025-10-21", listed.stdout)
    # the source as the ingest command spells it, or as the tables do
    for spelling in ("odds-api", "odds_api"):
        only = nbapipe("registry", "unresolved", "--source", spelling, "-w", str(w), cwd=tmp_path)
        assert "SGA" in only.stdout, only.stderr
    assert_one_line_error(
        nbapipe("registry", "unresolved", "--source", "odds", "-w", str(w), cwd=tmp_path),
        "unknown source 'odds'",
    )
    as_json = json.loads(
        nbapipe("registry", "unresolved", "--json", "-w", str(w), cwd=tmp_path).stdout
    )
    assert as_json["total"] == 1 and as_json["names"][0]["rows"] == 2

    assert_one_line_error(
        nbapipe("registry", "alias", "SGA", "sga_001", "-w", str(w), cwd=tmp_path),
        "no registry player 'sga_001'",
    )
    assert_one_line_error(
        nbapipe(
            "registry", "alias", "Shai Gilgeous-Alexander", "x_001", "-w", str(w), cwd=tmp_path
        ),
        "no registry player 'x_001'",
        "players of that last name: shaigilgeousalexander_001",
    )
    done = nbapipe(
        "registry", "alias", "SGA", "shaigilgeousalexander_001", "-w", str(w), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "1 logged name resolved, 2 stored rows changed" in done.stdout
    assert (
        "every name resolved"
        in nbapipe("registry", "unresolved", "-w", str(w), cwd=tmp_path).stdout
    )
    with DuckDBEngine(w, read_only=True) as eng:
        assert eng.fetchall("SELECT DISTINCT player_lookup FROM nba_raw.player_props") == [
            ("shaigilgeousalexander",)
        ]
    # a name that already names another player is refused, not moved
    with DuckDBEngine(w) as eng:
        registry.register_players(
            eng,
            "SELECT 'Shai Other' AS player_name, 'shaiother' AS player_lookup, "
            "1 AS nba_player_id, DATE '2025-10-21' AS game_date",
            source="test",
        )
    assert_one_line_error(
        nbapipe("registry", "alias", "SGA", "shaiother_001", "-w", str(w), cwd=tmp_path),
        "'SGA' is already an alias (manual) of registry player shaigilgeousalexander_001",
    )
    assert_one_line_error(
        nbapipe("registry", "alias", "...", "shaiother_001", "-w", str(w), cwd=tmp_path),
        "a name needs letters or digits",
    )
