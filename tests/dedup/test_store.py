"""The persisted history: round trips, hour visibility, atomic hour replacement, compaction, rebuild."""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from newsflow.dedup import store as store_module
from newsflow.dedup.features import prepare
from newsflow.dedup.keys import hour_number
from newsflow.dedup.segments import Segment
from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.store import FANOUT, DedupIndex, IndexMismatch, MemoryHistory
from newsflow.dedup.stories import assign_stories
from tests.dedup.conftest import OTHER_STORY_SAME_TOPIC, STORY, commit, row, syndicated_copy

H = datetime(2026, 11, 25, 10, tzinfo=UTC)
_VOCABULARY = """
    cargo union strike port vessel crane talks wages board city council budget vote mayor school
    rain
"""
WORDS = _VOCABULARY.split()


def article(n: int, body: str | None = None) -> dict:
    rng = np.random.default_rng(n)
    text = body if body is not None else " ".join(rng.choice(WORDS, 200))
    return row(f"https://site{n % 7}.example/news/{n}", text, published=H - timedelta(minutes=n % 50))


def run_hours(index, hours: int, per_hour: int = 5) -> dict[int, list]:
    decided = {}
    for h in range(hours):
        hour = H + timedelta(hours=h)
        rows = [article(h * per_hour + i) for i in range(per_hour)]
        decided[h] = assign_stories(rows, index, hour)
        commit(index, hour, rows, decided[h])
    return decided


def test_persisted_index_answers_exactly_like_the_memory_one(tmp_path):
    memory, disk = MemoryHistory(), DedupIndex(tmp_path / "dedup")
    rows = [row("https://a.example/1", STORY), row("https://b.example/2", OTHER_STORY_SAME_TOPIC)]
    for index in (memory, disk):
        commit(index, H, rows, assign_stories(rows, index, H))
    reopened = DedupIndex(tmp_path / "dedup")
    probe = [row("https://a.example/1", STORY + " Updated."), row("https://c.example/3", syndicated_copy(STORY))]
    later = H + timedelta(hours=1)
    expected = assign_stories(probe, memory, later)
    assert [d.kind for d in expected] == ["update", "near"]
    assert assign_stories(probe, disk, later) == expected
    assert assign_stories(probe, reopened, later) == expected
    assert len(reopened) == 2 and reopened.committed == {hour_number(H)}


def test_lookups_see_only_hours_strictly_before(tmp_path):
    index = DedupIndex(tmp_path / "dedup")
    first = [row("https://a.example/1", STORY)]
    commit(index, H, first, assign_stories(first, index, H))
    copy = [row("https://b.example/2", STORY)]
    assert assign_stories(copy, index, H)[0].kind == "original"  # a rerun of H does not see H
    assert assign_stories(copy, index, H - timedelta(hours=1))[0].kind == "original"
    assert assign_stories(copy, index, H + timedelta(hours=1))[0].kind == "exact"


def test_recommitting_an_hour_replaces_its_contribution(tmp_path):
    index = DedupIndex(tmp_path / "dedup")
    commit(index, H, [article(1), article(2)], assign_stories([article(1), article(2)], index, H))
    assert len(index) == 2
    commit(index, H, [article(3)], assign_stories([article(3)], index, H))
    assert len(DedupIndex(tmp_path / "dedup")) == 1
    later = H + timedelta(hours=1)
    assert assign_stories([article(1)], index, later)[0].kind == "original"
    assert assign_stories([article(3)], index, later)[0].kind == "url_duplicate"
    index.drop_hour(H)
    assert len(DedupIndex(tmp_path / "dedup")) == 0
    assert DedupIndex(tmp_path / "dedup").committed == set()


def test_many_hours_compact_into_few_segments_with_the_same_answers(tmp_path):
    disk, memory = DedupIndex(tmp_path / "dedup"), MemoryHistory()
    hours = FANOUT * 3 + 2
    decided_disk = run_hours(disk, hours)
    decided_memory = run_hours(memory, hours)
    assert decided_disk == decided_memory
    reopened = DedupIndex(tmp_path / "dedup")
    assert len(reopened) == hours * 5
    assert len(reopened.segments) < hours / 2
    on_disk = {p.name for p in (tmp_path / "dedup" / "segments").iterdir()}
    assert on_disk == {s["name"] for s in json.loads((tmp_path / "dedup" / "MANIFEST.json").read_text())["segments"]}
    # Dropping an hour that now sits inside a merged segment rewrites only that segment.
    middle = H + timedelta(hours=3)
    reopened.drop_hour(middle)
    assert len(DedupIndex(tmp_path / "dedup")) == (hours - 1) * 5
    probe = [article(3 * 5 + i) for i in range(5)]
    assert [d.kind for d in assign_stories(probe, reopened, H + timedelta(hours=hours))] == ["original"] * 5
    assert all(d.kind == "url_duplicate" for d in assign_stories([article(0)], reopened, middle))


def test_a_crash_before_the_manifest_swap_leaves_the_old_hour(tmp_path, monkeypatch):
    index = DedupIndex(tmp_path / "dedup")
    first = [article(1)]
    commit(index, H, first, assign_stories(first, index, H))
    before = (tmp_path / "dedup" / "MANIFEST.json").read_text()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", crash)
    with pytest.raises(OSError):
        commit(index, H, [article(2)], assign_stories([article(2)], index, H))
    monkeypatch.undo()
    assert (tmp_path / "dedup" / "MANIFEST.json").read_text() == before
    reopened = DedupIndex(tmp_path / "dedup")
    assert len(reopened) == 1
    later = H + timedelta(hours=1)
    assert assign_stories([article(1)], reopened, later)[0].kind == "url_duplicate"
    assert assign_stories([article(2)], reopened, later)[0].kind == "original"
    # Leftovers of the interrupted write are cleaned up by the next successful one.
    commit(reopened, later, [article(2)], assign_stories([article(2)], reopened, later))
    leftovers = [p.name for p in (tmp_path / "dedup").rglob(".*tmp*")]
    assert leftovers == []


def test_stray_segments_and_temporary_manifests_are_ignored(tmp_path):
    index = DedupIndex(tmp_path / "dedup")
    commit(index, H, [article(1)], assign_stories([article(1)], index, H))
    (tmp_path / "dedup" / "segments" / ".tmp-g9-crashed").mkdir()
    (tmp_path / "dedup" / ".MANIFEST.json.tmp-abc").write_text("{half")
    assert len(DedupIndex(tmp_path / "dedup")) == 1


def test_rebuild_from_rows_equals_incremental_commits(tmp_path):
    incremental = DedupIndex(tmp_path / "incremental")
    decided = run_hours(incremental, 12)
    hours = []
    for h in range(12):
        rows = [article(h * 5 + i) for i in range(5)]
        kept = [{**r, **d.columns()} for r, d in zip(rows, decided[h], strict=True) if d.keeps_row]
        hours.append((H + timedelta(hours=h), list(reversed(kept))))  # storage order does not matter
    rebuilt = DedupIndex(tmp_path / "rebuilt")
    rebuilt.commit_hour(H - timedelta(hours=5), [article(999)])  # replaced wholesale by the rebuild
    status = rebuilt.rebuild(hours)
    assert status["articles"] == 60 and status["hours"] == 12
    probe = [article(7), article(31, STORY), article(44)]
    later = H + timedelta(hours=12)
    assert assign_stories(probe, rebuilt, later) == assign_stories(probe, incremental, later)
    assert assign_stories([article(999)], rebuilt, later)[0].kind == "original"


def test_an_index_built_with_other_signature_settings_is_refused(tmp_path):
    index = DedupIndex(tmp_path / "dedup")
    commit(index, H, [article(1)], assign_stories([article(1)], index, H))
    other = DedupIndex(tmp_path / "dedup", DedupSettings(bands=16))
    with pytest.raises(IndexMismatch, match="rebuild"):
        assign_stories([article(2)], other, H + timedelta(hours=1), DedupSettings(bands=16))
    other.rebuild([(H, [{**article(1), "story_id": article(1)["article_id"], "version": 1}])])
    reopened = DedupIndex(tmp_path / "dedup", DedupSettings(bands=16))
    decision = assign_stories([article(1)], reopened, H + timedelta(hours=1), DedupSettings(bands=16))
    assert decision[0].kind == "url_duplicate"


def test_ids_that_are_not_pipeline_ids_round_trip(tmp_path):
    index = DedupIndex(tmp_path / "dedup")
    rows = [{**row("https://a.example/1", STORY), "article_id": "caller-id-1"}]
    commit(index, H, rows, assign_stories(rows, index, H))
    copy = [{**row("https://b.example/2", syndicated_copy(STORY)), "article_id": "caller-id-2"}]
    decision = assign_stories(copy, DedupIndex(tmp_path / "dedup"), H + timedelta(hours=1))[0]
    assert decision.duplicate_of == "caller-id-1" and decision.story_id == "caller-id-1"


def test_bytes_per_article_stay_compact(tmp_path):
    index = DedupIndex(tmp_path / "dedup")
    run_hours(index, 4, per_hour=250)
    segments = [Segment.load(s.path) for s in DedupIndex(tmp_path / "dedup").segments if s.path]
    assert segments
    per_article = sum(s.nbytes for s in segments) / sum(len(s) for s in segments)
    settings = DedupSettings()
    # 8 bytes per band (key + row), 2 per sketch slot, 64 of columns, 24 of URL/content lookup arrays
    assert per_article == 8 * settings.bands + 2 * settings.sketch_size + 88
    assert per_article < 500


def test_look_alike_history_is_capped_and_the_real_original_still_wins():
    template = (
        "{c} reported quarterly net income of ${a} million on Tuesday. On a per-share basis the company said it had "
        "profit of {b} cents. Earnings adjusted for one-time gains and costs were {d} cents per share. The average "
        "estimate of analysts surveyed by Zacks was for earnings of {e} cents per share. The company posted revenue "
        "of ${f} million in the period. For the year the company expects profit of ${g} per share."
    )
    rng = np.random.default_rng(3)
    history = MemoryHistory(DedupSettings(max_candidates=8))
    look_alikes = [
        row(
            f"https://wire.example/earnings/{n}",
            template.format(c=f"Company {n}", **dict(zip("abdefg", rng.integers(10, 99, 6), strict=True))),
        )
        for n in range(120)
    ]
    original = row("https://a.example/story", STORY, published=H - timedelta(hours=2))
    rows = [original, *look_alikes]
    commit(history, H, rows, assign_stories(rows, history, H, history.settings))
    later = H + timedelta(hours=1)
    query = [row("https://wire.example/earnings/new", template.format(c="Newco", a=11, b=12, d=13, e=14, f=15, g=16))]
    sig = prepare(query, history.settings).signatures
    candidates = history.near_candidates(sig.band_keys, hour_number(later), 64, history.settings.max_candidates)
    assert 0 < len(candidates) <= 8
    assert assign_stories(query, history, later, history.settings)[0].kind == "original"
    copy = [row("https://b.example/copy", syndicated_copy(STORY))]
    decision = assign_stories(copy, history, later, history.settings)[0]
    assert decision.duplicate_of == original["article_id"]


def test_an_unreadable_manifest_asks_for_a_rebuild(tmp_path):
    (tmp_path / "dedup").mkdir()
    (tmp_path / "dedup" / "MANIFEST.json").write_text("[1, 2")
    assert DedupIndex(tmp_path / "dedup").problem is not None
    (tmp_path / "dedup" / "MANIFEST.json").write_text('{"format": "something-else"}')
    broken = DedupIndex(tmp_path / "dedup")
    assert "rebuild" in broken.status()["problem"]
    with pytest.raises(IndexMismatch, match="rebuild"):
        assign_stories([article(1)], broken, H)
    with pytest.raises(IndexMismatch):
        broken.commit_hour(H, [article(1)])
    broken.rebuild([(H, [{**article(1), "story_id": article(1)["article_id"]}])])
    repaired = DedupIndex(tmp_path / "dedup")
    assert repaired.problem is None and len(repaired) == 1
    assert assign_stories([article(1)], repaired, H + timedelta(hours=1))[0].kind == "url_duplicate"
