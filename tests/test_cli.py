"""The CLI contracts other tools call: extract, facts, run and summary.

Called in-process through ``newsflow.cli.main`` (the same parser and handlers the console script
uses), plus one real subprocess as a smoke test of the installed entry point.
"""

import json
import shutil
import subprocess
import sys

import pytest

from newsflow.cli import main
from tests.conftest import SEED_FACTS, SEED_TXT


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_subprocess_smoke_extract_seed_json():
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "extract", str(SEED_TXT), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    (line,) = result.stdout.strip().splitlines()
    doc = json.loads(line)
    assert set(doc) >= {"path", "title", "body", "published", "language", "url"}
    assert doc["path"] == str(SEED_TXT)
    assert doc["title"].startswith("North Korea") and doc["published"].startswith("2019-01-21")
    assert doc["language"] == "en" and "Update hourly" not in doc["body"]


def test_extract_html_file(tmp_path, newsroom, capsys):
    import httpx

    from newsflow.newsroom.content import load_articles

    seed = next(a for a in load_articles() if a.kind == "seed")
    page = tmp_path / "seed.html"
    page.write_bytes(httpx.get(newsroom.base_url + seed.path).content)
    code, out, _ = _run(capsys, "extract", str(page), "--json")
    doc = json.loads(out)
    assert code == 0 and "Update hourly" not in doc["body"] and "Pyongyang" in doc["body"]


def test_extract_missing_file_is_an_error_line(tmp_path, capsys):
    code, out, _ = _run(capsys, "extract", str(tmp_path / "nope.html"), "--json")
    assert code == 1 and "error" in json.loads(out)


def test_facts_seed_offsets_index_the_file_as_read(capsys):
    text = SEED_TXT.read_text(encoding="utf-8")
    code, out, _ = _run(capsys, "facts", str(SEED_TXT), "--json", "--published", "2019-01-21")
    facts = [json.loads(line) for line in out.strip().splitlines()]
    assert code == 0 and facts
    for fact in facts:
        assert set(fact) >= {"path", "fact_type", "label", "text", "start", "end", "value", "speaker"}
        assert text[fact["start"] : fact["end"]] == fact["text"]
    dates = {(f["text"], f["value"]) for f in facts if f["fact_type"] == "date"}
    expected = json.loads(SEED_FACTS.read_text())["dates"]
    assert expected
    for item in expected:
        assert any(item["text"] in t and v == item["value"] for t, v in dates), item
    assert any(f["fact_type"] == "entity" and f["text"] == "Kim Jong-un" for f in facts)


def test_facts_published_defaults_to_the_date_line(capsys):
    _, out, _ = _run(capsys, "facts", str(SEED_TXT), "--json")
    friday = [json.loads(line) for line in out.strip().splitlines() if '"Friday"' in line]
    assert friday and friday[0]["value"] == "2019-01-18"


def test_run_json_and_summary(published_hour, tmp_path, capsys):
    """``run --replay --json`` over a copy of a published hour, then ``summary`` of it as text."""
    settings, ctx = published_hour
    data = tmp_path / "data"
    shutil.copytree(ctx.data_root, data, symlinks=True)
    code, out, err = _run(
        capsys,
        "run",
        "--logical-date",
        "2026-11-25T10:00",
        "--feeds",
        str(settings.feeds_file),
        "--data",
        str(data),
        "--replay",
        "--json",
    )
    summary = json.loads(out)
    assert code == 0 and "[8/8] publish" in err
    assert summary["articles"] >= 40 and summary["quarantined"] == 1 and summary["facts"] > 500
    assert (data / "articles" / "dt=2026-11-25" / "hour=10" / "part-0.parquet").exists()
    code, text, _ = _run(capsys, "summary", "--logical-date", "2026-11-25T10:00Z", "--data", str(data))
    assert code == 0 and f"articles     {summary['articles']:>6}" in text and "quarantined" in text


@pytest.mark.parametrize(
    ("value", "hint"),
    [("yesterday", "not an ISO 8601 date"), ("0001-01-01T00:00", "outside 1990-2200"), ("9999-12-31T23:00", "outside")],
)
def test_bad_logical_date_says_how_to_fix_it(tmp_path, capsys, value, hint):
    code, _, err = _run(capsys, "run", "--logical-date", value, "--data", str(tmp_path))
    assert code == 2 and hint in err and "2026-11-25T10:00" in err and "Traceback" not in err


def test_summary_of_an_hour_never_run_says_what_to_run(tmp_path, capsys):
    code, _, err = _run(capsys, "summary", "--logical-date", "2026-11-25T10:00", "--data", str(tmp_path))
    assert code == 2 and "newsflow run --logical-date" in err


def test_feeds_parse_is_registered_and_keeps_its_contract(tmp_path, capsys):
    """``newsflow feeds parse FILE… --json``: one object per entry, one error object per unreadable
    file, exit 0 when every file was handled (other tools call it)."""
    from tests.conftest import SHARED

    feed = SHARED / "corpora" / "feedparser-tests" / "wellformed" / "rss" / "item_link.xml"
    missing = tmp_path / "missing.xml"
    code, out, _ = _run(capsys, "feeds", "parse", str(feed), str(missing), "--json")
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert code == 0 and lines
    assert {"path", "error"} <= set(lines[-1]) and lines[-1]["path"] == str(missing)
    entries = [line for line in lines if "error" not in line]
    assert entries and all(set(e) >= {"path", "title", "link", "published", "id"} for e in entries)


def test_known_failures_of_airflows_backfill_say_what_to_do():
    from newsflow.cli import _backfill_hint

    locked = "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked"
    busy = "airflow.exceptions.AlreadyRunningBackfill: Another backfill is running for dag news_ingest_hourly"
    assert "PostgreSQL" in (_backfill_hint(locked) or "") and "Browse → Backfills" in (_backfill_hint(locked) or "")
    assert "wait for it" in (_backfill_hint(busy) or "")
    assert _backfill_hint("dag not found") is None
