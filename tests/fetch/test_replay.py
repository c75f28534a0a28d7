from datetime import UTC, datetime

from newsflow.fetch.replay import ReplayFetcher
from newsflow.raw import RawStore


def test_replay_answers_from_raw_and_reports_the_unrecorded(tmp_path):
    raw = RawStore(tmp_path)
    when = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    recorded = [
        {
            "url": "https://a.example/rss",
            "final_url": "https://a.example/rss",
            "status": 200,
            "content_type": "application/rss+xml",
            "raw_ref": raw.put(b"<rss/>"),
            "fetched_at": when,
        },
        {
            "url": "https://a.example/gone",
            "final_url": "https://a.example/gone",
            "status": 404,
            "error_class": "http_404",
            "error": "HTTP 404",
            "raw_ref": None,
            "fetched_at": when,
        },
        {"url": "https://a.example/lost", "status": 200, "raw_ref": "sha256:" + "0" * 64, "fetched_at": when},
    ]
    with ReplayFetcher(recorded, raw) as fetcher:
        ok, gone, new, lost = fetcher.fetch_many(
            ["https://a.example/rss", "https://a.example/gone", "https://a.example/new", "https://a.example/lost"]
        )
    assert ok.ok and ok.body == b"<rss/>" and ok.content_type == "application/rss+xml" and ok.fetched_at == when
    assert gone.status == 404 and gone.error_class == "http_404"
    assert new.error_class == "not_recorded" and "without --replay" in new.error
    assert lost.error_class == "raw_missing"
