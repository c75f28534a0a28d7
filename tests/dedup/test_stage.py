"""The dedup stage's logic on small in-memory rows: milliseconds, no files, no server."""

from collections.abc import Iterable
from datetime import UTC, datetime

from newsflow.dedup.hashing import content_hash
from newsflow.dedup.index import Holder
from newsflow.dedup.stage import deduplicate, history_entries
from newsflow.dedup.store import MemoryHistory as StoryMemory
from newsflow.runs import StageRecorder

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)
BODY = (
    "The harbour authority said on Tuesday that the north pier will be rebuilt over two years at a cost "
    "of forty million dollars, after inspectors found the pilings had rotted through in several places. "
) * 4


class UrlHistory:
    """An in-memory URL history: canonical URLs other committed hours hold."""

    def __init__(self, urls: dict[str, Holder] | None = None) -> None:
        self.urls = urls or {}

    def holders(self, keys: Iterable[str], hour: datetime) -> dict[str, Holder]:
        return {k: self.urls[k] for k in keys if k in self.urls}


def _row(article_id: str, url: str, body: str = BODY, published: datetime | None = None) -> dict:
    return {
        "article_id": article_id,
        "url": url,
        "canonical_url": url,
        "title": "Pier to be rebuilt",
        "body": body,
        "content_hash": content_hash(body),
        "published": published,
        "story_id": None,
        "duplicate_of": None,
        "similarity": None,
        "version": 1,
    }


def _rec() -> StageRecorder:
    return StageRecorder("run", HOUR, "dedup")


def test_exact_copy_on_another_url_is_a_duplicate_of_the_first_published():
    rec = _rec()
    first = _row("a", "https://x.test/story", published=datetime(2026, 11, 25, 8, tzinfo=UTC))
    copy = _row("b", "https://y.test/story-copy", published=datetime(2026, 11, 25, 9, tzinfo=UTC))
    rows = deduplicate([copy, first], UrlHistory(), StoryMemory(), HOUR, rec).rows
    originals = [r for r in rows if r["duplicate_of"] is None]
    copies = [r for r in rows if r["duplicate_of"] is not None]
    assert [r["article_id"] for r in originals] == ["a"] and [r["article_id"] for r in copies] == ["b"]
    assert copies[0]["duplicate_of"] == originals[0]["article_id"] == copies[0]["story_id"]
    assert copies[0]["similarity"] == 1.0
    assert rec.counts["originals"] == 1 and rec.counts["content_duplicates"] == 1


def test_a_trimmed_reworded_copy_is_a_near_duplicate_and_another_story_is_not():
    trimmed = BODY[: len(BODY) * 2 // 3].replace("harbour", "harbor") + " Advertisement. Share this story."
    other = "The school board voted to move the start of classes to nine o'clock from next autumn. " * 6
    rows = deduplicate(
        [_row("a", "https://x.test/a"), _row("b", "https://y.test/b", trimmed), _row("c", "https://z.test/c", other)],
        UrlHistory(),
        StoryMemory(),
        HOUR,
        _rec(),
    ).rows
    by_id = {r["article_id"]: r for r in rows}
    assert by_id["b"]["duplicate_of"] == "a" and by_id["b"]["similarity"] >= 0.5
    assert by_id["c"]["duplicate_of"] is None and by_id["c"]["story_id"] == "c"


def test_urls_whose_first_version_a_later_hour_holds_are_left_to_it_and_resolved_to_its_article():
    rec = _rec()
    history = UrlHistory({"https://x.test/old": Holder("2026-11-25T11", "old", "old", 1, earlier=False)})
    out = deduplicate(
        [_row("old", "https://x.test/old"), _row("n", "https://x.test/new", "Other text " * 80)],
        history,
        StoryMemory(),
        HOUR,
        rec,
    )
    assert [r["article_id"] for r in out.rows] == ["n"] and rec.counts["url_duplicates"] == 1
    assert out.resolved == {"https://x.test/old": "old", "https://x.test/new": "n"}  # for the sightings


def test_a_changed_body_at_a_known_url_is_a_new_version_and_an_unchanged_one_is_dropped():
    stories = StoryMemory()
    first = _row("a", "https://x.test/a")
    stories.commit_hour(HOUR, deduplicate([first], UrlHistory(), stories, HOUR, _rec()).rows)
    later = datetime(2026, 11, 25, 13, tzinfo=UTC)
    known = UrlHistory({"https://x.test/a": Holder("2026-11-25T10", "a", "a", 1, earlier=True)})
    rec = _rec()
    again = deduplicate([_row("a", "https://x.test/a")], known, stories, later, rec)
    assert again.rows == [] and rec.counts["unchanged"] == 1 and again.resolved == {"https://x.test/a": "a"}
    assert "url_duplicates" not in rec.counts
    updated = BODY + "Update: the authority has since said work will start in March."
    rec = _rec()
    out = deduplicate([_row("a", "https://x.test/a", updated)], known, stories, later, rec)
    assert [(r["article_id"], r["story_id"], r["version"]) for r in out.rows] == [("a", "a", 2)]
    assert rec.counts["updates"] == 1 and rec.counts["originals"] == 0


def test_input_rows_are_not_modified():
    row = _row("a", "https://x.test/a")
    deduplicate([row], UrlHistory(), StoryMemory(), HOUR, _rec())
    assert row["story_id"] is None


def test_history_entries_cover_published_and_quarantined_urls():
    published = [{**_row("a", "https://x.test/a"), "story_id": "a"}]
    quarantined = [{"article_id": "q", "canonical_url": "https://x.test/q", "content_hash": "hq"}]
    entries = history_entries(published, quarantined)
    assert entries == {"url": [("https://x.test/a", "a", "a", 1), ("https://x.test/q", "q", "q", 1)]}
