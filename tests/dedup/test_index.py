from datetime import UTC, datetime

from newsflow.dedup.index import HistoryIndex

H10 = datetime(2026, 11, 25, 10, tzinfo=UTC)
H11 = datetime(2026, 11, 25, 11, tzinfo=UTC)
H09 = datetime(2026, 11, 25, 9, tzinfo=UTC)


def test_a_rerun_does_not_see_its_own_hour_so_it_sees_the_same_history(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T10", "v1", {"url": [("u1", "a1", "s1")]})
        assert index.elsewhere("url", ["u1"], H10) == {}  # rerun of 10:00 is not its own duplicate
        assert index.elsewhere("url", ["u1", "u2"], H11) == {"u1": ("a1", "s1", "2026-11-25T10")}


def test_the_earliest_other_hour_that_holds_a_url_is_the_one_named(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T11", "v1", {"url": [("u", "late", "late")]})
        index.replace_hour("2026-11-25T09", "v1", {"url": [("u", "early", "early")]})
        assert index.elsewhere("url", ["u"], H10) == {"u": ("early", "early", "2026-11-25T09")}
        assert index.elsewhere("url", ["u"], H09) == {"u": ("late", "late", "2026-11-25T11")}


def test_elsewhere_sees_later_hours_too_so_a_backfill_does_not_publish_again(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T11", "v1", {"url": [("u1", "a1", "a1")]})
        assert index.elsewhere("url", ["u1"], H10) == {"u1": ("a1", "a1", "2026-11-25T11")}
        assert index.elsewhere("url", ["u1"], H11) == {}  # the hour itself, rerun, is not "elsewhere"


def test_replacing_an_hour_replaces_its_contribution_instead_of_adding(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T10", "v1", {"url": [("u1", "a1", "a1"), ("u2", "a2", "a2")]})
        index.replace_hour("2026-11-25T10", "v2", {"url": [("u1", "a1", "a1")]})  # a rerun with u2's site down
        assert index.elsewhere("url", ["u1", "u2"], H11) == {"u1": ("a1", "a1", "2026-11-25T10")}
        assert index.applied() == {"2026-11-25T10": "v2"}
        index.drop_hour("2026-11-25T10")
        assert index.elsewhere("url", ["u1"], H11) == {} and index.applied() == {}


def test_the_walking_skeletons_index_is_replaced_by_the_hourly_one(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "i.sqlite")
    db.executescript(
        "CREATE TABLE seen (kind TEXT, key TEXT, article_id TEXT, story_id TEXT, first_hour TEXT, "
        "PRIMARY KEY (kind, key)); INSERT INTO seen VALUES ('url', 'u', 'a', 'a', '2026-11-25T10:00:00+00:00');"
    )
    db.close()
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        assert index.applied() == {} and index.elsewhere("url", ["u"], H11) == {}  # rebuilt by the next reconcile
