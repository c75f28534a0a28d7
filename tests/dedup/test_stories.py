"""assign_stories: the rules, the newsroom's syndicated story, and determinism across reruns and backfills."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.store import MemoryHistory
from newsflow.dedup.stories import KINDS, assign_stories
from tests.dedup.conftest import (
    H09,
    H10,
    H11,
    H12,
    OTHER_STORY_SAME_TOPIC,
    STORY,
    commit,
    newsroom_articles,
    row,
    syndicated_copy,
)


def test_every_kind_of_decision():
    history = MemoryHistory()
    first = [row("https://a.example/story", STORY), row("https://a.example/other", OTHER_STORY_SAME_TOPIC)]
    decided = assign_stories(first, history, H10)
    assert [d.kind for d in decided] == ["original", "original"]
    assert [d.story_id for d in decided] == [r["article_id"] for r in first]
    assert all(d.duplicate_of is None and d.similarity is None and d.version == 1 for d in decided)
    commit(history, H10, first, decided)

    later = [
        row("https://a.example/story?utm_source=rss", STORY),  # the same article again
        row("https://b.example/copy-exact", STORY),  # the same body elsewhere
        row("https://c.example/copy-near", syndicated_copy(STORY), title="Changed headline"),
        row("https://a.example/other", OTHER_STORY_SAME_TOPIC + "\n\nUpdated with comment from Maersk."),  # update
    ]
    kinds = {d.kind: d for d in assign_stories(later, history, H11)}
    assert set(kinds) == set(KINDS) - {"original"}
    story_id = first[0]["article_id"]
    assert kinds["url_duplicate"].article_id == story_id and not kinds["url_duplicate"].keeps_row
    assert kinds["exact"].duplicate_of == story_id and kinds["exact"].similarity == 1.0
    assert kinds["exact"].story_id == story_id
    near = kinds["near"]
    assert near.duplicate_of == story_id and near.story_id == story_id and 0.5 <= near.similarity < 1.0
    update = kinds["update"]
    assert update.article_id == first[1]["article_id"] and update.version == 2
    assert update.story_id == first[1]["article_id"] and update.duplicate_of is None


def test_a_syndicated_copy_with_other_boilerplate_headline_and_trimmed_end_matches():
    history = MemoryHistory()
    original = [row("https://wire.example/strike", STORY)]
    commit(history, H10, original, assign_stories(original, history, H10))
    copy = row("https://paper.example/news/ports", syndicated_copy(STORY), title="Ports paralysed")
    decision = assign_stories([copy], history, H11)[0]
    assert decision.kind == "near"
    assert decision.duplicate_of == original[0]["article_id"]


def test_copies_trimmed_to_half_or_two_thirds_match_in_either_order():
    words = (STORY + "\n\n" + OTHER_STORY_SAME_TOPIC).split(" ")
    full = " ".join(words)
    for share in (0.5, 2 / 3):
        trimmed = " ".join(words[: int(len(words) * share)])
        for first_body, second_body in ((full, trimmed), (trimmed, full)):
            history = MemoryHistory()
            first = [row("https://one.example/a", first_body)]
            commit(history, H10, first, assign_stories(first, history, H10))
            decision = assign_stories([row("https://two.example/b", second_body)], history, H11)[0]
            assert decision.kind == "near", (share, len(first_body))
            assert decision.duplicate_of == first[0]["article_id"]


def test_different_stories_on_the_same_topic_stay_apart():
    history = MemoryHistory()
    first = [row("https://a.example/story", STORY)]
    commit(history, H10, first, assign_stories(first, history, H10))
    assert assign_stories([row("https://b.example/diverted", OTHER_STORY_SAME_TOPIC)], history, H11)[0].kind == (
        "original"
    )
    # A follow-up that repeats one paragraph of the first story as background is still its own story.
    follow_up = OTHER_STORY_SAME_TOPIC + "\n\n" + STORY.split("\n\n")[3]
    assert assign_stories([row("https://c.example/follow", follow_up)], history, H11)[0].kind == "original"


def test_newsroom_story_syndicated_on_three_sites_is_one_story():
    articles = newsroom_articles()
    syndicated = [a for a in articles.values() if a["syndication_group"] == "port-strike-wire"]
    assert len(syndicated) == 3
    assert len({a["url"].split("/")[3] for a in syndicated}) == 3  # three sites
    rows = list(articles.values())
    decisions = assign_stories(rows, MemoryHistory(), H10)
    by_url = {r["url"]: d for r, d in zip(rows, decisions, strict=True)}
    stories = {by_url[a["url"]].story_id for a in syndicated}
    assert len(stories) == 1
    kinds = sorted(by_url[a["url"]].kind for a in syndicated)
    assert kinds == ["near", "near", "original"]
    # Every other newsroom article stays its own story (none of them is a copy).
    others = [d for r, d in zip(rows, decisions, strict=True) if r["syndication_group"] != "port-strike-wire"]
    assert others and all(d.kind == "original" for d in others)
    # The earliest published of the three is the original.
    earliest = min(syndicated, key=lambda a: a["published"])
    assert by_url[earliest["url"]].kind == "original" and by_url[earliest["url"]].story_id == stories.pop()


def test_newsroom_syndicated_copies_match_across_hours_too():
    articles = newsroom_articles()
    syndicated = sorted(
        (a for a in articles.values() if a["syndication_group"] == "port-strike-wire"), key=lambda a: a["published"]
    )
    history = MemoryHistory()
    story_ids = set()
    for offset, article in enumerate(syndicated):
        hour = H10 + timedelta(hours=offset)
        decision = assign_stories([article], history, hour)[0]
        story_ids.add(decision.story_id)
        commit(history, hour, [article], [decision])
    assert story_ids == {syndicated[0]["article_id"]}


def test_ties_within_an_hour_go_to_earliest_published_then_url():
    early, late = row("https://z.example/a", STORY, published=H09), row("https://a.example/a", STORY, published=H10)
    for order in ([early, late], [late, early]):
        decisions = {d.article_id: d for d in assign_stories(order, MemoryHistory(), H10)}
        assert decisions[early["article_id"]].kind == "original"
        assert decisions[late["article_id"]].duplicate_of == early["article_id"]
    same_time = [row("https://b.example/x", STORY, published=H09), row("https://a.example/x", STORY, published=H09)]
    decisions = assign_stories(same_time, MemoryHistory(), H10)
    assert decisions[1].kind == "original" and decisions[0].duplicate_of == same_time[1]["article_id"]
    undated = [row("https://a.example/undated", STORY, published=None), row("https://b.example/dated", STORY)]
    decisions = assign_stories(undated, MemoryHistory(), H10)
    assert decisions[1].kind == "original"  # an unknown publish time sorts last


def test_same_input_in_any_arrival_order_gives_the_same_ids():
    rows = list(newsroom_articles().values())
    reference = {r["url"]: d for r, d in zip(rows, assign_stories(rows, MemoryHistory(), H10), strict=True)}
    rng = random.Random(7)
    for _ in range(3):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        decisions = assign_stories(shuffled, MemoryHistory(), H10)
        assert {r["url"]: d for r, d in zip(shuffled, decisions, strict=True)} == reference


def _hours_of_articles() -> list[tuple[datetime, list[dict]]]:
    rows = sorted(newsroom_articles().values(), key=lambda r: r["url"])
    return [(H09 + timedelta(hours=i), rows[i::3]) for i in range(3)]


def _run(history: MemoryHistory, hours: list[tuple[datetime, list[dict]]]) -> dict[datetime, list]:
    out = {}
    for hour, rows in hours:
        out[hour] = assign_stories(rows, history, hour)
        commit(history, hour, rows, out[hour])
    return out


def test_rerunning_an_hour_after_dropping_its_contribution_gives_identical_decisions():
    hours = _hours_of_articles()
    history = MemoryHistory()
    first_run = _run(history, hours)
    middle_hour, middle_rows = hours[1]
    history.drop_hour(middle_hour)
    assert assign_stories(middle_rows, history, middle_hour) == first_run[middle_hour]
    # Rerunning without dropping first also sees only earlier hours: the same answer again.
    commit(history, middle_hour, middle_rows, first_run[middle_hour])
    assert assign_stories(middle_rows, history, middle_hour) == first_run[middle_hour]
    # And every later hour still decides as before.
    last_hour, last_rows = hours[2]
    assert assign_stories(last_rows, history, last_hour) == first_run[last_hour]


def test_backfilling_an_earlier_hour_sees_only_hours_before_it():
    history = MemoryHistory()
    copy = row("https://paper.example/ports", syndicated_copy(STORY))
    original = row("https://wire.example/strike", STORY)
    late = assign_stories([copy], history, H11)
    commit(history, H11, [copy], late)
    assert late[0].kind == "original"
    backfilled = assign_stories([original], history, H09)  # an hour before the copy was committed
    assert backfilled[0].kind == "original"
    commit(history, H09, [original], backfilled)
    # Rerunning the later hour now finds the backfilled original, deterministically.
    rerun = assign_stories([copy], history, H11)
    assert rerun[0].kind == "near" and rerun[0].duplicate_of == original["article_id"]
    assert assign_stories([copy], history, H11) == rerun


def test_an_update_of_a_copy_keeps_its_story_and_its_relation():
    history = MemoryHistory()
    first = [
        row("https://wire.example/strike", STORY, published=H09),
        row("https://paper.example/ports", syndicated_copy(STORY)),
    ]
    decided = assign_stories(first, history, H10)
    assert [d.kind for d in decided] == ["original", "near"]
    commit(history, H10, first, decided)
    updated = row("https://paper.example/ports", syndicated_copy(STORY) + "\n\nThis story has been updated.")
    decision = assign_stories([updated], history, H11)[0]
    assert decision.kind == "update" and decision.version == 2
    assert decision.story_id == first[0]["article_id"] and decision.duplicate_of == first[0]["article_id"]
    assert decision.similarity == decided[1].similarity
    commit(history, H11, [updated], [decision])
    again = row("https://paper.example/ports", syndicated_copy(STORY) + "\n\nUpdated again with new figures.")
    assert assign_stories([again], history, H12)[0].version == 3


def test_same_url_twice_in_one_hour_is_one_article_and_empty_bodies_are_not_updates():
    history = MemoryHistory()
    rows = [row("https://a.example/x?utm_source=a", STORY), row("https://a.example/x?utm_source=b", STORY + " More.")]
    decisions = assign_stories(rows, history, H10)
    assert sorted(d.kind for d in decisions) == ["original", "url_duplicate"]
    commit(history, H10, rows, decisions)
    refetched = assign_stories([row("https://a.example/x", None)], history, H11)[0]
    assert refetched.kind == "url_duplicate" and refetched.version == 1


def test_short_texts_are_matched_exactly_only():
    history = MemoryHistory()
    short = [row("https://a.example/1", "Watch: the storm hits the coast.")]
    commit(history, H10, short, assign_stories(short, history, H10))
    decision = assign_stories([row("https://b.example/2", "Watch: the storm hits the coast tonight.")], history, H11)
    assert decision[0].kind == "original"


def test_threshold_is_configurable():
    history = MemoryHistory()
    first = [row("https://a.example/story", STORY)]
    commit(history, H10, first, assign_stories(first, history, H10))
    copy = [row("https://c.example/copy", syndicated_copy(STORY))]
    similarity = assign_stories(copy, history, H11)[0].similarity
    assert similarity is not None
    stricter = DedupSettings(threshold=min(1.0, similarity + 0.01))
    assert assign_stories(copy, history, H11, stricter)[0].kind == "original"


def test_empty_batch_and_bad_settings():
    assert assign_stories([], MemoryHistory(), H10) == []
    with pytest.raises(ValueError):
        DedupSettings(threshold=0)
    with pytest.raises(ValueError):
        DedupSettings.from_env({"NEWSFLOW_DEDUP_THRESHOLD": "high"})
    assert DedupSettings.from_env({"NEWSFLOW_DEDUP_THRESHOLD": "0.6", "NEWSFLOW_DEDUP_BANDS": "32"}).bands == 32


_bodies = st.one_of(st.none(), st.text(max_size=400), st.just(STORY), st.just(syndicated_copy(STORY)), st.integers())
_rows = st.lists(
    st.fixed_dictionaries(
        {
            "article_id": st.text(min_size=1, max_size=6),
            "canonical_url": st.one_of(st.none(), st.sampled_from(["https://a.example/1", "https://b.example/2"])),
            "url": st.one_of(st.none(), st.text(max_size=20)),
            "body": _bodies,
            "published": st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)), st.text(max_size=4)),
            "content_hash": st.one_of(st.none(), st.text(max_size=12)),
        }
    ),
    max_size=6,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows)
def test_any_rows_get_one_decision_each_and_commit_cleanly(rows):
    history = MemoryHistory()
    decisions = assign_stories(rows, history, H10)
    assert len(decisions) == len(rows)
    assert all(d.kind in KINDS and d.version >= 1 for d in decisions)
    commit(history, H10, rows, decisions)
    assert len(assign_stories(rows, history, H11)) == len(rows)
    assert assign_stories(rows, MemoryHistory(), H10) == decisions  # deterministic
