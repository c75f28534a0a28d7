from newsflow.report import format_summary, summarize
from tests.conftest import HOUR


def test_summary_of_the_published_hour_counts_what_it_holds(published_hour):
    _, ctx = published_hour
    summary = summarize(ctx.data_root, HOUR)
    assert summary["articles"] >= 40 and summary["originals"] + summary["content_duplicates"] == summary["articles"]
    assert summary["quarantined"] == 1 and summary["quarantine_reasons"]["video_only_page"] == 1
    assert summary["facts"] == sum(summary["facts_by_type"].values()) > 500
    assert summary["errors"] == {"http_404": 1}
    text = format_summary(summary, seconds=1.5)
    assert text.startswith(f"newsflow: hour {HOUR.isoformat()}")
    assert f"articles     {summary['articles']:>6}" in text and "seconds         1.5" in text
    for name in ("articles", "facts", "quarantine", "runs", "fetches", "sightings"):
        assert summary["partitions"][name] in text
    assert summary["sightings"] > summary["articles"] and summary["sighting_feeds"] == 6  # every newsroom feed
