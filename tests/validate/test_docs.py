"""The Data Docs site: rebuilt on each run from its validation results, one entry per hour and suite."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsflow import storage
from newsflow.validate import SuiteResult, validate_articles_table
from newsflow.validate.docs import build_data_docs, site_index
from tests.validate.conftest import SUITES, article

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)
BODY = "The council met on Tuesday to vote on the budget for the next year. " * 6


def _results(run_id: str, bad_titles: int) -> list[SuiteResult]:
    rows = [article(i, BODY, title=None if i < bad_titles else f"Story {i}") for i in range(6)]
    results: list[SuiteResult] = []
    validate_articles_table(storage.to_table("articles", rows), SUITES, run_id, results=results)
    assert len(results) == 1 and results[0].quarantined == bad_titles
    return results


def test_the_site_lists_each_hour_with_its_failures(tmp_path):
    root = tmp_path / "data"
    for h in range(3):
        index = build_data_docs(
            root, _results(f"run-{h}", bad_titles=h), logical_hour=HOUR + timedelta(hours=h), suites_dir=SUITES
        )
    assert index == site_index(root) and index.is_file()
    page = index.read_text(encoding="utf-8")
    for h in range(3):
        assert f"2026-11-25T1{h}" in page and f"run-{h}" in page
    assert "title_missing: 2" in page and "title_missing: 1" in page
    # Plain HTML: readable without the internet (GX's own index loads scripts from CDNs).
    assert "<script" not in page and "https://" not in page
    links = re.findall(r'href="([^"]+)"', page)
    pages = [root / "data_docs" / link for link in links if link.startswith("validations/")]
    assert len(pages) == 3 and all(p.is_file() for p in pages)
    gx_page = pages[0].read_text(encoding="utf-8")
    assert "2026-11-25T12" in gx_page and "values must never be null" in gx_page
    assert re.search(r"title_missing</td><td><code>expect_column_values_to_not_be_null", page)
    assert (root / "data_docs" / "expectations" / "articles.html").is_file()


def test_a_rerun_replaces_its_hour_and_old_hours_are_pruned(tmp_path):
    root = tmp_path / "data"
    build_data_docs(root, _results("first", bad_titles=2), logical_hour=HOUR)
    build_data_docs(root, _results("rerun", bad_titles=0), logical_hour=HOUR)
    page = site_index(root).read_text(encoding="utf-8")
    assert "rerun" in page and "first" not in page
    assert len(list((root / "data_docs" / "validations" / "articles").glob("*/*/*.html"))) == 1
    build_data_docs(root, _results("later", bad_titles=1), logical_hour=HOUR + timedelta(days=20), keep_days=14)
    page = site_index(root).read_text(encoding="utf-8")
    assert "later" in page and "rerun" not in page
    assert [p.name for p in (root / "data_docs" / "validations" / "articles").iterdir()] == ["2026-12-15T10"]


def test_results_survive_a_trip_through_json(tmp_path):
    result = _results("run-json", bad_titles=1)[0]
    again = SuiteResult.from_json(result.to_json())
    assert again == result
    build_data_docs(tmp_path / "data", [again], logical_hour=HOUR)
    assert "run-json" in site_index(tmp_path / "data").read_text(encoding="utf-8")
