import logging

from newsflow.runs import StageRecorder, progress_logger


def test_progress_logger_logs_about_ten_times(caplog):
    caplog.set_level(logging.INFO, logger="newsflow")
    tick = progress_logger("fetch_pages", 95, "pages")
    for _ in range(95):
        tick()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "fetch_pages: 9/95 pages" and lines[-1] == "fetch_pages: 95/95 pages"
    assert 9 <= len(lines) <= 11


def test_stage_recorder_counts_errors_and_adds_a_summary_row():
    from datetime import UTC, datetime

    rec = StageRecorder("run-1", datetime(2026, 11, 25, 10, tzinfo=UTC), "fetch_feeds")
    rec.count("feeds", 2)
    rec.record(feed="a", url="http://a/rss", error_class="http_500", error="HTTP 500")
    rows = rec.finish()
    assert [r["error_class"] for r in rows] == ["http_500", None]
    summary = rows[-1]
    assert summary["feed"] is None and summary["peak_rss"] > 0
    assert '"error.http_500": 1' in summary["counts"] and '"feeds": 2' in summary["counts"]
