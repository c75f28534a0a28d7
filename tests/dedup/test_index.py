from datetime import UTC, datetime

from newsflow.dedup.index import HistoryIndex

H10 = datetime(2026, 11, 25, 10, tzinfo=UTC)
H11 = datetime(2026, 11, 25, 11, tzinfo=UTC)
H09 = datetime(2026, 11, 25, 9, tzinfo=UTC)


def test_only_earlier_hours_count_so_reruns_see_the_same_history(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.record("url", [("u1", "a1", "s1")], H10)
        assert index.earlier("url", ["u1"], H10) == {}  # rerun of 10:00 is not its own duplicate
        assert index.earlier("url", ["u1", "u2"], H11) == {"u1": ("a1", "s1")}


def test_backfilling_an_older_hour_moves_first_sighting_earlier(tmp_path):
    with HistoryIndex(tmp_path / "i.sqlite") as index:
        index.record("content", [("h", "late", "late")], H11)
        index.record("content", [("h", "early", "early")], H09)
        index.record("content", [("h", "later-again", "x")], H11)
        assert index.earlier("content", ["h"], H10) == {"h": ("early", "early")}
