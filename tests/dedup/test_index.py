from datetime import UTC, datetime

from newsflow.dedup.index import HistoryIndex, Holder, belongs_elsewhere

H10 = datetime(2026, 11, 25, 10, tzinfo=UTC)
H11 = datetime(2026, 11, 25, 11, tzinfo=UTC)
H09 = datetime(2026, 11, 25, 9, tzinfo=UTC)


def test_a_rerun_does_not_see_its_own_hour_so_it_sees_the_same_history(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T10", "v1", {"url": [("u1", "a1", "s1", 1)]})
        assert index.holders(["u1"], H10) == {}  # rerun of 10:00 is not its own duplicate
        assert index.holders(["u1", "u2"], H11) == {"u1": Holder("2026-11-25T10", "a1", "s1", 1, earlier=True)}


def test_the_nearest_earlier_hour_is_named_else_the_earliest_later_one(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T12", "v1", {"url": [("u", "a", "s", 3)]})
        index.replace_hour("2026-11-25T11", "v1", {"url": [("u", "a", "s", 2)]})
        index.replace_hour("2026-11-25T08", "v1", {"url": [("u", "a", "s", 1)]})
        index.replace_hour("2026-11-25T09", "v1", {"url": [("u", "a", "s", 1)]})
        assert index.holders(["u"], H10)["u"] == Holder("2026-11-25T09", "a", "s", 1, earlier=True)
        early = datetime(2026, 11, 25, 7, tzinfo=UTC)
        assert index.holders(["u"], early)["u"] == Holder("2026-11-25T08", "a", "s", 1, earlier=False)


def test_an_hour_leaves_an_article_to_the_later_hour_holding_its_first_version_only():
    later_first = Holder("2026-11-25T11", "a", "a", 1, earlier=False)
    later_update = Holder("2026-11-25T11", "a", "a", 2, earlier=False)  # the asking hour committed version 1
    earlier = Holder("2026-11-25T09", "a", "a", 1, earlier=True)  # dedup decides: unchanged or an update
    assert belongs_elsewhere(later_first)
    assert not belongs_elsewhere(later_update) and not belongs_elsewhere(earlier) and not belongs_elsewhere(None)


def test_replacing_an_hour_replaces_its_contribution_instead_of_adding(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.replace_hour("2026-11-25T10", "v1", {"url": [("u1", "a1", "a1", 1), ("u2", "a2", "a2", 1)]})
        index.replace_hour("2026-11-25T10", "v2", {"url": [("u1", "a1", "a1", 1)]})  # a rerun with u2's site down
        assert set(index.holders(["u1", "u2"], H11)) == {"u1"}
        assert index.applied() == {"2026-11-25T10": "v2"}
        index.drop_hour("2026-11-25T10")
        assert index.holders(["u1"], H11) == {} and index.applied() == {}


def test_an_index_of_an_older_layout_is_dropped_so_reconcile_applies_every_hour_again(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "i.sqlite")
    db.executescript(
        "CREATE TABLE seen (kind TEXT, key TEXT, article_id TEXT, story_id TEXT, first_hour TEXT, "
        "PRIMARY KEY (kind, key)); INSERT INTO seen VALUES ('url', 'u', 'a', 'a', '2026-11-25T10:00:00+00:00');"
    )
    db.close()
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        assert index.applied() == {} and index.holders(["u"], H11) == {}  # rebuilt by the next reconcile
    db = sqlite3.connect(tmp_path / "i.sqlite")  # schema version 2: hours, but no article versions
    db.executescript(
        "DROP TABLE seen; CREATE TABLE seen (kind TEXT, key TEXT, hour TEXT, article_id TEXT, story_id TEXT, "
        "PRIMARY KEY (kind, key, hour)); INSERT INTO seen VALUES ('url', 'u', '2026-11-25T10', 'a', 'a');"
        "INSERT INTO applied VALUES ('2026-11-25T10', 'v1'); UPDATE meta SET value='2';"
    )
    db.close()
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        assert index.applied() == {} and index.holders(["u"], H11) == {}
