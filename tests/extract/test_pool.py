"""extract_many: a process pool sized to the cores, order kept, one page's failure is that page's only."""

import pytest

from newsflow.extract import ExtractRequest, extract_html, extract_many
from newsflow.extract.pool import ExtractSettings, PoolStats, available_cores

PARAGRAPH = "Paragraph {i} of story {n} has enough words to be a real sentence about the harbour."


def _page(n: int) -> str:
    paras = "".join(f"<p>{PARAGRAPH.format(i=i, n=n)}</p>" for i in range(6))
    article = f"<article><h1>Story {n}</h1>{paras}</article>"
    return f"<html><head><title>Story {n}</title></head><body>{article}</body></html>"


def test_pool_keeps_order_and_matches_one_process():
    requests = [ExtractRequest(_page(n), f"https://example.org/{n}") for n in range(12)]
    stats = PoolStats()
    pooled = extract_many(requests, workers=2, stats=stats)
    assert stats.workers == 2 and stats.start_method in ("fork", "forkserver", "spawn")
    assert stats.worker_peak_rss_bytes > 0
    assert [r.url for r in pooled] == [r.url for r in requests]
    assert [r.body for r in pooled] == [extract_html(r.html, r.url).body for r in requests]
    assert all(f"story {n} " in r.body for n, r in enumerate(pooled))


def test_one_failing_page_is_an_error_for_that_page_only():
    requests = [ExtractRequest(_page(n), f"https://example.org/{n}") for n in range(6)]
    requests[3] = ExtractRequest(12345, "https://example.org/broken")  # type: ignore[arg-type]
    results = extract_many(requests, workers=2)
    assert len(results) == 6
    assert results[3].error and results[3].body == "" and results[3].url == "https://example.org/broken"
    assert [r.error for i, r in enumerate(results) if i != 3] == [None] * 5
    assert all(r.body for i, r in enumerate(results) if i != 3)
    assert results[3].as_json()["error"] == results[3].error


def test_small_batches_run_in_process_and_empty_is_fine():
    stats = PoolStats()
    assert extract_many([], stats=stats) == []
    one = extract_many([ExtractRequest(_page(1))], workers=8, stats=stats)
    assert len(one) == 1 and stats.start_method is None and one[0].body


def test_workers_default_to_the_cores(monkeypatch):
    monkeypatch.delenv("NEWSFLOW_EXTRACT_WORKERS", raising=False)
    assert ExtractSettings.from_env().workers == 0 and available_cores() >= 1
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "3")
    assert ExtractSettings.from_env().workers == 3


@pytest.mark.parametrize("method", ["forkserver"])
def test_workers_from_a_fork_server_when_threads_are_running(monkeypatch, method):
    import threading

    import newsflow.extract.pool as pool

    monkeypatch.setattr(threading, "active_count", lambda: 3)  # as inside an Airflow task supervisor
    stats = pool.PoolStats()
    results = pool.extract_many([ExtractRequest(_page(n)) for n in range(4)], workers=2, stats=stats)
    assert stats.start_method == method and [bool(r.body) for r in results] == [True] * 4


def test_stage_helpers_build_hints_and_fill_every_new_column():
    from datetime import UTC, datetime

    import pyarrow as pa

    from newsflow.extract.columns import NEW_ARTICLE_COLUMNS, article_fields
    from newsflow.extract.pages import hints_from_page

    page = {
        "entry_title": "Story 1",
        "entry_published": datetime(2026, 11, 25, 9, tzinfo=UTC),
        "entry_summary": "<p>Teaser.</p>",
        "entry_content": None,
    }
    hints = hints_from_page(page)
    assert hints.title == "Story 1" and hints.published.hour == 9 and hints.summary and hints.content_html is None
    ex = extract_html(_page(1), "https://example.org/1", hints=hints, now=datetime(2026, 11, 25, 10, tzinfo=UTC))
    row = article_fields(ex)
    assert {name for name, _ in NEW_ARTICLE_COLUMNS} <= set(row)
    schema = pa.schema([pa.field(name, kind) for name, kind in NEW_ARTICLE_COLUMNS])
    table = pa.Table.from_pylist([{name: row[name] for name, _ in NEW_ARTICLE_COLUMNS}], schema=schema)
    assert table.num_rows == 1 and row["title_source"] == "feed" and row["published_source"] == "feed"


def test_extract_pages_uses_hints_and_fetch_time_and_isolates_unreadable_pages():
    from datetime import UTC, datetime

    from newsflow.extract import ExtractError
    from newsflow.extract.pages import extract_pages

    fetched_at = datetime(2026, 11, 25, 10, tzinfo=UTC)
    feed_date = datetime(2031, 1, 1, tzinfo=UTC)
    pages = [
        {
            "url": f"https://example.org/{n}",
            "final_url": None,
            "raw_ref": f"ref{n}" if n != 2 else None,
            "entry_title": f"Feed title {n}",
            "entry_published": feed_date,
            "fetched_at": fetched_at,
        }
        for n in range(7)
    ]
    raw = {f"ref{n}": _page(n).encode() for n in range(7) if n != 5}

    def read_raw(ref: str) -> bytes:
        return raw[ref]  # ref5 is missing: a KeyError for that page only

    out = list(extract_pages(pages, read_raw, workers=2, batch_pages=4))
    assert [p["url"] for p, _ in out] == [p["url"] for p in pages if p["raw_ref"]]
    by_url = {p["url"]: ex for p, ex in out}
    assert by_url["https://example.org/5"].error.startswith("KeyError")
    assert str(ExtractError(by_url["https://example.org/5"].error)).startswith("KeyError")
    ok = by_url["https://example.org/1"]
    assert ok.error is None and ok.title == "Feed title 1" and ok.title_source == "feed"
    # The feed's date is after the fetch time: rejected and recorded, not accepted silently.
    assert ok.published is None and "published_in_future:feed:2031-01-01T00:00:00+00:00" in ok.warnings
