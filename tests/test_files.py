"""The shared file-ingest machinery, driven by a small CSV adapter for team box scores."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nbapipe.engine.duckdb import DuckDBEngine
from nbapipe.identity import normalize_name
from nbapipe.sources import files, schema

HEADER = "game_id,game_date,team,pts,fga,reb,player\n"


class TeamCsv:
    """Team box score rows from a tiny CSV layout (test adapter)."""

    name = "testcsv"
    suffixes = (".csv",)
    players = "resolve"

    def parse(self, engine: DuckDBEngine, ref: files.FileRef) -> files.Parsed:
        n = files.csv_relation(
            engine, ref, required=["game_id", "game_date", "team", "pts", "fga", "reb"], name="_raw"
        )
        fields = [
            files.Field("game_id", "game_id", "VARCHAR", required=True),
            files.Field("game_date", "game_date", "DATE", required=True),
            files.Field("team_abbr", "upper(team)", "VARCHAR", raw="team", required=True),
            files.Field("points", "pts", "INTEGER", checks=files.NON_NEGATIVE),
            files.Field("field_goals_attempted", "fga", "INTEGER", checks=files.NON_NEGATIVE),
            files.Field("total_rebounds", "reb", "INTEGER", checks=files.NON_NEGATIVE),
        ]
        fields.append(files.Field("season_year", files.season_year_sql("game_date"), "INTEGER"))
        rejects = files.validate_rows(engine, "_raw", fields, out="_typed")
        typed = engine.arrow("SELECT * FROM _typed ORDER BY _row")
        cols = {c: typed.column(c) for c in typed.column_names if c != "_row"}
        table = files.canonical(schema.TEAM_BOXSCORES, cols, typed.num_rows)
        return files.Parsed({"team_boxscores": table}, n, rejects)


GOOD = HEADER + "0022400001,2024-10-22,BOS,132,90,45,x\n0022400001,2024-10-22,NYK,109,85,40,y\n"


def ingest(engine, *paths):
    return files.ingest_files(engine, TeamCsv(), [str(p) for p in paths])


def count(engine, table="nba_raw.team_boxscores"):
    return engine.fetchone(f"SELECT count(*) FROM {table}")[0]


def test_files_good_file_loads_and_reingest_changes_nothing(engine, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(GOOD)
    summary, outcomes = ingest(engine, f)
    assert [o.status for o in outcomes] == ["loaded"] and count(engine) == 2
    assert (summary.rows_in, summary.rows_written, summary.rows_rejected) == (2, 2, 0)
    before = engine.fetchall("SELECT * FROM nba_raw.team_boxscores ORDER BY team_abbr")
    _, again = ingest(engine, f)
    assert [o.status for o in again] == ["unchanged"]
    assert engine.fetchall("SELECT * FROM nba_raw.team_boxscores ORDER BY team_abbr") == before


def test_files_corrected_file_replaces_what_it_wrote(engine, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(GOOD)
    ingest(engine, f)
    f.write_text(HEADER + "0022400001,2024-10-22,BOS,133,90,45,x\n")
    _, outcomes = ingest(engine, f)
    assert outcomes[0].status == "loaded"
    assert engine.fetchall("SELECT team_abbr, points FROM nba_raw.team_boxscores") == [("BOS", 133)]


def test_files_bad_values_are_quarantined_with_row_and_reason(engine, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        HEADER
        + "0022400001,2024-10-22,BOS,132,abc,45,x\n"
        + "0022400001,2024-10-22,NYK,109,85,-3,y\n"
        + "0022400002,2024-10-22,MIA,100,80,40,z\n"
    )
    _, outcomes = ingest(engine, f)
    assert outcomes[0].status == "loaded" and outcomes[0].rows_rejected == 2
    rejects = engine.fetchall(
        "SELECT row_number, column_name, reason, raw_text FROM nba_processing.ingest_rejects "
        "ORDER BY row_number"
    )
    assert rejects == [
        (1, "field_goals_attempted", "not a valid integer", "abc"),
        (2, "total_rebounds", "negative count", "-3"),
    ]
    assert engine.fetchall("SELECT team_abbr FROM nba_raw.team_boxscores") == [("MIA",)]


def test_files_missing_column_refuses_file_and_keeps_other_files(engine, tmp_path: Path) -> None:
    good, bad = tmp_path / "a_good.csv", tmp_path / "b_bad.csv"
    good.write_text(GOOD)
    bad.write_text("game_id,game_date,team,pts\n0022400003,2024-10-23,LAL,100\n")
    _, outcomes = ingest(engine, good, bad)
    assert [o.status for o in outcomes] == ["loaded", "refused"]
    assert "missing column(s) fga, reb" in outcomes[1].message
    assert count(engine) == 2
    reason = engine.fetchone(
        "SELECT reason FROM nba_processing.ingest_rejects WHERE row_number = 0"
    )[0]
    assert "b_bad.csv" in reason or "missing column" in reason


def test_files_named_file_of_another_kind_or_empty_folder_is_refused(
    engine, tmp_path: Path
) -> None:
    """A file named on its own must be one the source reads; a folder must hold at least one.
    Inside a folder, other files are passed over."""
    other = tmp_path / "notes.txt"
    other.write_text("not data")
    empty = tmp_path / "empty"
    empty.mkdir()
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.csv").write_text(GOOD)
    (mixed / "readme.txt").write_text("passed over")
    _, outcomes = ingest(engine, other, empty, mixed)
    assert [o.status for o in outcomes] == ["refused", "refused", "loaded"]
    assert "notes.txt: not a .csv file or a zip archive of them" in outcomes[0].message
    assert "empty: folder holds no .csv file" in outcomes[1].message
    assert count(engine) == 2


def test_files_a_plain_file_named_like_a_zip_member_is_refused_not_dropped(
    engine, tmp_path: Path
) -> None:
    """'x.zip!m.csv' beside x.zip (member m.csv) had one identity with it: one of the two was
    skipped without a word."""
    folder = tmp_path / "d"
    folder.mkdir()
    with zipfile.ZipFile(folder / "x.zip", "w") as zf:
        zf.writestr("m.csv", GOOD)
    (folder / "x.zip!m.csv").write_text(HEADER + LAL_ROW)
    _, outcomes = ingest(engine, folder)
    assert sorted(o.status for o in outcomes) == ["loaded", "refused"]
    refused = next(o for o in outcomes if o.status == "refused")
    assert "rename one of them" in refused.message


def test_files_html_error_page_is_refused(engine, tmp_path: Path) -> None:
    f = tmp_path / "page.csv"
    f.write_text("<!DOCTYPE html><html><body>Access Denied</body></html>")
    _, outcomes = ingest(engine, f)
    assert outcomes[0].status == "refused" and "HTML page" in outcomes[0].message
    assert count(engine) == 0


def test_files_zip_members_skip_macosx_and_truncated_zip_is_refused(engine, tmp_path: Path) -> None:
    z = tmp_path / "data.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("data.csv", GOOD)
        zf.writestr("__MACOSX/._data.csv", "junk")
    _, outcomes = ingest(engine, z)
    assert [o.file for o in outcomes] == [f"{z}!data.csv"] and count(engine) == 2
    cut = tmp_path / "cut.zip"
    cut.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    _, outcomes = ingest(engine, cut)
    assert outcomes[0].status == "refused" and "zip" in outcomes[0].message
    assert count(engine) == 2


def test_files_unknown_game_id_on_a_scheduled_date_is_rejected(engine, tmp_path: Path) -> None:
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES ('0022400001', DATE '2024-10-22', 2024, 'BOS', 'NYK', 's')"
    )
    f = tmp_path / "a.csv"
    f.write_text(GOOD + "0029999999,2024-10-22,LAL,100,80,40,z\n")
    _, outcomes = ingest(engine, f)
    assert outcomes[0].rows_rejected == 1 and count(engine) == 2
    reason = engine.fetchone("SELECT reason FROM nba_processing.ingest_rejects")[0]
    assert reason == "game 0029999999 is not in the schedule for 2024-10-22"


def test_files_duplicate_keys_in_one_file_refuse_the_file(engine, tmp_path: Path) -> None:
    f = tmp_path / "dup.csv"
    f.write_text(GOOD + "0022400001,2024-10-22,BOS,1,1,1,x\n")
    _, outcomes = ingest(engine, f)
    assert outcomes[0].status == "refused" and "duplicate key" in outcomes[0].message
    assert count(engine) == 0


def test_files_hostile_text_is_stored_as_data(engine, tmp_path: Path) -> None:
    assert normalize_name("'; DROP TABLE x; --") == "droptablex"
    f = tmp_path / "evil.csv"
    f.write_text(HEADER + '0022400001,2024-10-22,"\'; DROP TABLE x; --",1,1,1,x\n')
    _, outcomes = ingest(engine, f)
    assert outcomes[0].status == "loaded"
    assert engine.fetchone("SELECT team_abbr FROM nba_raw.team_boxscores")[0].startswith("';")


def test_files_binary_content_is_refused_and_the_message_has_no_raw_bytes(
    engine, tmp_path: Path
) -> None:
    f = tmp_path / "data.csv"
    f.write_bytes(b"PK\x03\x04\x14\x00garbage,\x01\x02\n1,2\n")
    nested = tmp_path / "outer.zip"
    with zipfile.ZipFile(nested, "w") as zf:
        zf.writestr("inner.zip", b"PK\x03\x04")
    _, outcomes = ingest(engine, f, nested)
    assert [o.status for o in outcomes] == ["refused", "refused"]
    assert outcomes[0].message == (
        f"{f}: a zip archive (or an Excel .xlsx workbook), not a text data file"
    )
    assert "zip archives inside zip archives are not read" in outcomes[1].message
    assert all(o.message.isprintable() for o in outcomes)
    reasons = engine.fetchall("SELECT reason FROM nba_processing.ingest_rejects")
    assert all(r.isprintable() for (r,) in reasons)


def test_files_one_file_under_two_spellings_is_one_file(
    engine, tmp_path: Path, monkeypatch
) -> None:
    """a.csv, then $PWD/a.csv or its folder, re-read the file and gave it a second
    ingest_files row; a corrected copy under one spelling left the other's rows behind."""
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "a.csv"
    f.write_text(GOOD)
    _, first = ingest(engine, "a.csv")
    _, again = ingest(engine, f, "./a.csv", tmp_path)
    assert [o.status for o in first] == ["loaded"] and first[0].file == "a.csv"  # shown as given
    assert [o.status for o in again] == ["unchanged"]  # one file, read once, not re-read
    stored = engine.fetchall("SELECT source_file FROM nba_processing.ingest_files")
    assert stored == [(str(f.resolve()),)]
    f.write_text(HEADER + "0022400001,2024-10-22,BOS,133,90,45,x\n")  # NYK's row dropped
    _, corrected = ingest(engine, f)
    assert [o.status for o in corrected] == ["loaded"]
    assert engine.fetchall("SELECT team_abbr, points, source_file FROM nba_raw.team_boxscores") == [
        ("BOS", 133, str(f.resolve()))
    ]
    assert count(engine, "nba_processing.ingest_files") == 1


def test_files_zip_member_identity_is_the_resolved_archive_path(
    engine, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile(tmp_path / "data.zip", "w") as zf:
        zf.writestr("sub/a.csv", GOOD)
    _, outcomes = ingest(engine, "data.zip")
    assert outcomes[0].file == "data.zip!sub/a.csv"
    expected = f"{(tmp_path / 'data.zip').resolve()}!sub/a.csv"
    assert engine.fetchall("SELECT DISTINCT source_file FROM nba_raw.team_boxscores") == [
        (expected,)
    ]


def test_files_rows_stored_under_an_old_relative_spelling_are_replaced(
    engine, tmp_path: Path, monkeypatch
) -> None:
    """Warehouses written before identities were resolved paths hold the path as it was
    given (e.g. 'a.csv'): ingesting the file under that spelling again replaces those rows
    and its ingest_files row, and stores the resolved path from then on."""
    monkeypatch.chdir(tmp_path)
    f = tmp_path / "a.csv"
    f.write_text(GOOD)
    ingest(engine, f)
    for table in ("nba_raw.team_boxscores", "nba_processing.ingest_files"):
        engine.execute(f"UPDATE {table} SET source_file = 'a.csv'")  # as an old version wrote
    f.write_text(HEADER + "0022400001,2024-10-22,BOS,133,90,45,x\n")
    _, outcomes = ingest(engine, "a.csv")
    assert [o.status for o in outcomes] == ["loaded"]
    assert engine.fetchall("SELECT team_abbr, source_file FROM nba_raw.team_boxscores") == [
        ("BOS", str(f.resolve()))
    ]
    assert engine.fetchall("SELECT source_file FROM nba_processing.ingest_files") == [
        (str(f.resolve()),)
    ]


def add_game(engine, game_id: str, day: str = "2024-10-22") -> None:
    engine.execute(
        "INSERT INTO nba_raw.schedule (game_id, game_date, season_year, home_team_abbr, "
        "away_team_abbr, source) VALUES (?, CAST(? AS DATE), 2024, 'BOS', 'NYK', 's')",
        [game_id, day],
    )


LAL_ROW = "0022400002,2024-10-22,LAL,100,80,40,z\n"


def test_files_rows_waiting_on_the_schedule_load_once_it_has_their_game(
    engine, tmp_path: Path
) -> None:
    """Rows rejected because the schedule lacked their game were never tried again: the file
    was 'unchanged' for good, and only --force loaded them."""
    add_game(engine, "0022400001")
    f = tmp_path / "a.csv"
    f.write_text(GOOD + LAL_ROW)
    _, first = ingest(engine, f)
    assert (first[0].rows_written, first[0].rows_rejected) == (2, 1)
    _, again = ingest(engine, f)  # the schedule has not changed: nothing to try again
    assert [o.status for o in again] == ["unchanged"]
    add_game(engine, "0022400002")
    _, retried = ingest(engine, f)
    assert [(o.status, o.retried, o.rows_written, o.rows_rejected) for o in retried] == [
        ("loaded", True, 3, 0)
    ]
    assert count(engine) == 3
    # the rejects of the earlier read are gone: those rows are loaded now
    assert count(engine, "nba_processing.ingest_rejects") == 0
    _, settled = ingest(engine, f)
    assert [o.status for o in settled] == ["unchanged"]


def test_files_rows_rejected_for_their_values_are_not_read_again(engine, tmp_path: Path) -> None:
    add_game(engine, "0022400001")
    f = tmp_path / "a.csv"
    f.write_text(GOOD + "0022400001,2024-10-22,LAL,-1,80,40,z\n")  # a bad value
    _, first = ingest(engine, f)
    assert first[0].rows_rejected == 1
    add_game(engine, "0022400003")  # the schedule changes, the file's problem does not
    _, again = ingest(engine, f)
    assert [o.status for o in again] == ["unchanged"]


def test_files_reread_that_changes_nothing_leaves_the_same_rows_and_rejects(
    engine, tmp_path: Path
) -> None:
    add_game(engine, "0022400001")
    f = tmp_path / "a.csv"
    f.write_text(GOOD + LAL_ROW + "0022400001,2024-10-22,LAL,-1,80,40,z\n")
    rows = "SELECT * EXCLUDE (ingest_run_id) FROM nba_raw.team_boxscores ORDER BY ALL"
    quarantine = (
        "SELECT source_file, row_number, column_name, reason, raw_text "
        "FROM nba_processing.ingest_rejects ORDER BY ALL"
    )
    ingest(engine, f)
    before = engine.fetchall(rows), engine.fetchall(quarantine)
    add_game(engine, "0022400009", "2024-10-23")  # another day's game: not what LAL waits on
    _, again = ingest(engine, f)
    assert again[0].status == "unchanged"
    add_game(engine, "0022400008")  # another game that day: read again, the same result
    _, again = ingest(engine, f)
    assert again[0].retried
    assert (engine.fetchall(rows), engine.fetchall(quarantine)) == before
    assert len(before[1]) == 2


def test_files_warehouse_of_an_older_version_retries_by_reject_reason(
    engine, tmp_path: Path
) -> None:
    """A run recorded before runs noted what their lookups saw: the file's rejects say."""
    add_game(engine, "0022400001")
    f = tmp_path / "a.csv"
    f.write_text(GOOD + LAL_ROW)
    ingest(engine, f)
    engine.execute("UPDATE nba_processing.ingest_runs SET detail = '{\"loaded\": 1}'")
    add_game(engine, "0022400002")
    _, again = ingest(engine, f)
    assert (again[0].status, again[0].rows_written) == ("loaded", 3)


def test_files_every_row_rejected_is_its_own_status_and_read_again(engine, tmp_path: Path) -> None:
    """A file whose every row was rejected showed as 'loaded' and the reasons were only in
    nba_processing.ingest_rejects."""
    f = tmp_path / "a.csv"
    f.write_text(
        HEADER + "0022400001,2024-10-22,BOS,-1,90,45,x\n0022400001,2024-10-22,NYK,-2,85,40,y\n"
    )
    summary, outcomes = ingest(engine, f)
    o = outcomes[0]
    assert (o.status, o.rows_written, o.rows_rejected) == ("rejected", 0, 2)
    assert [(r.column, r.example, r.rows, r.varied) for r in o.reasons] == [
        ("points", "negative count", 2, False)
    ]
    assert summary.detail["rejected"] == [str(f)]
    assert engine.fetchone("SELECT status FROM nba_processing.ingest_runs")[0] == "partial"
    assert engine.fetchone("SELECT status FROM nba_processing.ingest_files")[0] == "rejected"
    _, again = ingest(engine, f)  # not recorded as loaded: read again, as a refused file is
    assert [o.status for o in again] == ["rejected"]


def test_files_reject_reasons_are_grouped_by_kind() -> None:
    rejects = [
        (1, "game", "no scheduled game for POR @ UTA on 2025-10-29", "x"),
        (2, "game", "no scheduled game for POR @ UTA on 2025-10-29", "x"),
        (3, "game", "no scheduled game for HOU @ OKC on 2025-10-21", "x"),
        (3, "line", "missing value", None),
        (4, "bookmaker", "unknown bookmaker 'notabook'", "notabook"),
        (4, "game", "unknown team 'Seattle SuperSonics'", "x"),
        (4, "game", "unknown team 'Vancouver Grizzlies'", "x"),  # one row, two problems
    ]
    groups = files.group_rejects(rejects)
    assert [(g.column, g.example, g.rows, g.varied) for g in groups] == [
        ("game", "no scheduled game for POR @ UTA on 2025-10-29", 3, True),
        ("bookmaker", "unknown bookmaker 'notabook'", 1, False),
        ("game", "unknown team 'Vancouver Grizzlies'", 1, True),
        ("line", "missing value", 1, False),
    ]
    other = files.group_rejects([(9, "game", "no scheduled game for BOS @ NYK on 2025-11-01", "")])
    merged = files.merge_reasons(groups + other)
    assert (merged[0].rows, merged[0].files, merged[0].varied) == (4, 2, True)
    assert merged[0].example == "no scheduled game for POR @ UTA on 2025-10-29"


def test_files_a_refusal_replaces_the_last_and_a_good_read_clears_it(
    engine, tmp_path: Path
) -> None:
    """Every ingest of a refused file added another refusal row to ingest_rejects, and the
    refusals stayed after the file was fixed and loaded."""
    f = tmp_path / "a.csv"
    f.write_text(HEADER + "0022400001,2024-10-22,BOS,-1,90,45,x\n" + "\x00" * 20)
    refusals = (
        "SELECT count(*) FROM nba_processing.ingest_rejects WHERE starts_with(reason, ?)",
        [files.REFUSED],
    )
    for _ in range(3):
        assert [o.status for o in ingest(engine, f)[1]] == ["refused"]
    assert engine.fetchone(*refusals)[0] == 1
    assert engine.fetchone("SELECT count(*) FROM nba_processing.ingest_runs")[0] == 3
    f.write_text(HEADER + "0022400001,2024-10-22,BOS,-1,90,45,x\n" + GOOD.split("\n", 1)[1])
    assert [o.status for o in ingest(engine, f)[1]] == ["loaded"]
    assert engine.fetchone(*refusals)[0] == 0
    assert engine.fetchall("SELECT column_name FROM nba_processing.ingest_rejects") == [("points",)]
    # a refusal now leaves the rejects of the read whose rows are stored
    loaded = f.read_text()
    f.write_text("not,a,team,file\n1,2,3,4\n")
    assert [o.status for o in ingest(engine, f)[1]] == ["refused"]
    assert engine.fetchone(*refusals)[0] == 1
    assert count(engine) == 2
    assert (
        engine.fetchone(
            "SELECT count(*) FROM nba_processing.ingest_rejects WHERE column_name = 'points'"
        )[0]
        == 1
    )
    # the loaded bytes restored: unchanged, and the refusal of the other bytes goes
    f.write_text(loaded)
    assert [o.status for o in ingest(engine, f)[1]] == ["unchanged"]
    assert engine.fetchone(*refusals)[0] == 0
