"""plan_pages: which known pages are downloaded again because their feed entry says they changed."""

from datetime import UTC, datetime, timedelta

from newsflow.fetch.planning import PageLink, UrlState, hour_index, plan_pages

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)
URL = "https://news.test/story"


def _fetched_at(hour: datetime) -> dict[str, UrlState]:
    h = hour_index(hour)
    return {URL: UrlState(url=URL, kind="page", hour=h, last_success=h, final_url=URL)}


def test_a_page_is_fetched_again_once_its_entry_changed_after_its_last_download_and_the_interval_passed():
    states = _fetched_at(HOUR)
    later = HOUR + timedelta(hours=3)
    changed = PageLink(URL, "fp", HOUR + timedelta(hours=2, minutes=10))
    (decision,) = plan_pages([changed], states, {}, later, update_interval_hours=3)
    assert decision.fetch and decision.reason == "entry_updated"
    # Too soon: at most once per interval, however often a feed restamps its entries.
    (soon,) = plan_pages([changed], states, {}, HOUR + timedelta(hours=2), update_interval_hours=3)
    assert not soon.fetch and soon.reason == "already_fetched"
    # The entry's date is within the hour it was downloaded in: nothing changed since.
    (same,) = plan_pages([PageLink(URL, "fp", HOUR + timedelta(minutes=50))], states, {}, later)
    assert not same.fetch and same.reason == "already_fetched"
    # No date at all: never downloaded again.
    (undated,) = plan_pages([PageLink(URL, "fp")], states, {}, later + timedelta(hours=48))
    assert not undated.fetch


def test_a_naive_entry_date_is_utc_and_a_redirect_alias_counts_as_the_page():
    states = _fetched_at(HOUR)
    naive = (HOUR + timedelta(hours=1, minutes=5)).replace(tzinfo=None)
    alias = "https://short.test/x"
    (decision,) = plan_pages([PageLink(alias, None, naive)], states, {alias: URL}, HOUR + timedelta(hours=4))
    assert decision.fetch and decision.reason == "entry_updated" and decision.known_as == URL
