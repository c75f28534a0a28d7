"""The CLI contracts other tools call: extract, facts and run, as real subprocesses."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_FACTS, SEED_TXT

NEWSFLOW = [sys.executable, "-m", "newsflow.cli"]


def _run(*args, check=True):
    return subprocess.run([*NEWSFLOW, *args], capture_output=True, text=True, check=check, timeout=300)


def test_extract_seed_json():
    out = _run("extract", str(SEED_TXT), "--json").stdout.strip().splitlines()
    assert len(out) == 1
    doc = json.loads(out[0])
    assert set(doc) >= {"path", "title", "body", "published", "language", "url"}
    assert doc["path"] == str(SEED_TXT)
    assert doc["title"].startswith("North Korea") and doc["published"].startswith("2019-01-21")
    assert doc["language"] == "en" and "Update hourly" not in doc["body"]


def test_extract_html_file(tmp_path, newsroom):
    import httpx

    from newsflow.newsroom.content import load_articles

    seed = next(a for a in load_articles() if a.kind == "seed")
    page = tmp_path / "seed.html"
    page.write_bytes(httpx.get(newsroom.base_url + seed.path).content)
    doc = json.loads(_run("extract", str(page), "--json").stdout)
    assert "Update hourly" not in doc["body"] and "Pyongyang" in doc["body"]


def test_extract_missing_file_is_an_error_line(tmp_path):
    result = _run("extract", str(tmp_path / "nope.html"), "--json", check=False)
    assert result.returncode == 1 and "error" in json.loads(result.stdout)


def test_facts_seed_offsets_index_the_file_as_read():
    text = SEED_TXT.read_text(encoding="utf-8")
    lines = _run("facts", str(SEED_TXT), "--json", "--published", "2019-01-21").stdout.strip().splitlines()
    facts = [json.loads(line) for line in lines]
    assert facts
    for fact in facts:
        assert set(fact) >= {"path", "fact_type", "label", "text", "start", "end", "value", "speaker"}
        assert text[fact["start"] : fact["end"]] == fact["text"]
    dates = {(f["text"], f["value"]) for f in facts if f["fact_type"] == "date"}
    expected = json.loads(SEED_FACTS.read_text())["dates"]
    for item in expected:
        assert any(item["text"] in t and v == item["value"] for t, v in dates), item
    assert any(f["fact_type"] == "entity" and f["text"] == "Kim Jong-un" for f in facts)


def test_facts_published_defaults_to_the_date_line():
    lines = _run("facts", str(SEED_TXT), "--json").stdout.strip().splitlines()
    friday = [json.loads(line) for line in lines if '"Friday"' in line]
    assert friday and friday[0]["value"] == "2019-01-18"


def test_run_and_summary(tmp_path, feeds_file):
    data = tmp_path / "data"
    result = _run(
        "run", "--logical-date", "2026-11-25T10:00", "--feeds", str(feeds_file), "--data", str(data), "--json"
    )
    summary = json.loads(result.stdout)
    assert summary["articles"] >= 40 and summary["quarantined"] == 1 and summary["facts"] > 500
    assert Path(summary["partitions"]["articles"], "part-0.parquet").exists()
    text = _run("summary", "--logical-date", "2026-11-25T10:00Z", "--data", str(data)).stdout
    assert "articles" in text and "quarantined" in text


def test_bad_logical_date_says_how_to_fix_it(tmp_path):
    result = _run("run", "--logical-date", "yesterday", "--data", str(tmp_path), check=False)
    assert result.returncode == 2 and "2026-11-25T10:00" in result.stderr
