from newsflow.health.policy import feed_verdict

SITES = {"a-rss": "a", "a-atom": "a", "b-rss": "b", "c-json": "c"}


def _ok(feed):
    return {"stage": "fetch_feeds", "feed": feed, "url": f"http://x/{feed}", "error_class": None, "counts": "{}"}


def _fail(feed, error="http_500"):
    return {"stage": "fetch_feeds", "feed": feed, "url": f"http://x/{feed}", "error_class": error, "counts": None}


def test_every_feed_answering_is_green():
    assert feed_verdict([_ok(f) for f in SITES], SITES).level == "green"


def test_one_failing_feed_is_amber_and_named():
    verdict = feed_verdict([_ok("a-rss"), _ok("a-atom"), _ok("b-rss"), _fail("c-json")], SITES)
    assert verdict.level == "red"  # c-json is c's only feed: the whole site is dark
    verdict = feed_verdict([_ok("a-rss"), _fail("a-atom"), _ok("b-rss"), _ok("c-json")], SITES)
    assert verdict.level == "amber" and verdict.failed_feeds == ["a-atom"] and "a-atom: http_500" in verdict.reasons


def test_more_than_half_failing_is_red():
    verdict = feed_verdict([_fail("a-rss"), _ok("a-atom"), _fail("b-rss", "timeout"), _fail("c-json")], SITES)
    assert verdict.level == "red" and any("3 of 4 feeds failed" in r for r in verdict.reasons)


def test_feeds_not_due_do_not_count_and_a_flagged_feed_is_amber():
    skipped = {**_ok("b-rss"), "counts": '{"skipped": "not_due"}'}
    flagged = {"stage": "fetch_feeds", "feed": None, "url": "http://x/a-rss", "error_class": "feed_failing"}
    verdict = feed_verdict([_ok("a-rss"), _ok("a-atom"), skipped, _ok("c-json"), flagged], SITES)
    assert verdict.level == "amber" and verdict.reasons == ["failing for hours: http://x/a-rss"]
    assert feed_verdict([], SITES).level == "green"
