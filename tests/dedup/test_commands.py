"""``newsflow dedup`` in-process: the JSON-lines contract, bad lines, a persisted index, rebuild from Parquet."""

import argparse
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from newsflow import storage
from newsflow.dedup.commands import add_parser
from newsflow.dedup.hashing import stable_id
from newsflow.dedup.store import DedupIndex
from newsflow.publish import commit_hour
from tests.dedup.conftest import OTHER_STORY_SAME_TOPIC, STORY, newsroom_articles, syndicated_copy

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)
CONTRACT = {"id", "story_id", "duplicate_of", "similarity", "version"}


def run(argv: list[str], capsys) -> tuple[int, list[dict]]:
    parser = argparse.ArgumentParser(prog="newsflow")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def write_jsonl(path, docs: list) -> str:
    path.write_text("".join((d if isinstance(d, str) else json.dumps(d)) + "\n" for d in docs), encoding="utf-8")
    return str(path)


def doc(id_: str, url: str, body: str | None, minutes: int = 0, title: str = "t") -> dict:
    published = (HOUR - timedelta(minutes=60 - minutes)).isoformat()
    return {"id": id_, "url": url, "title": title, "body": body, "published": published}


def test_one_object_per_line_in_order_with_the_contract_keys(tmp_path, capsys):
    newsroom = [a for a in newsroom_articles().values() if a["syndication_group"] == "port-strike-wire"]
    docs = [doc(f"n{i}", a["url"], a["body"], minutes=i) for i, a in enumerate(newsroom)]
    docs.append(doc("other", "https://b.example/ships", OTHER_STORY_SAME_TOPIC, minutes=5))
    code, out = run(["dedup", write_jsonl(tmp_path / "in.jsonl", docs), "--json"], capsys)
    assert code == 0
    assert [o["id"] for o in out] == [d["id"] for d in docs]
    assert all(set(o) >= CONTRACT for o in out)
    assert len({o["story_id"] for o in out[:3]}) == 1  # the newsroom's story on three sites
    assert out[3]["story_id"] == "other" and out[3]["duplicate_of"] is None and out[3]["version"] == 1
    copies = [o for o in out[:3] if o["duplicate_of"]]
    assert len(copies) == 2 and all(0.5 <= o["similarity"] <= 1 for o in copies)


def test_bad_lines_get_an_error_object_and_the_rest_is_decided(tmp_path, capsys):
    lines = [
        doc("a", "https://a.example/1", STORY),
        "this is not json",
        json.dumps(["a", "list"]),
        json.dumps({"url": "https://a.example/no-id"}),
        json.dumps({"id": "ftp", "url": "ftp://a.example/1"}),
        json.dumps({"id": "when", "url": "https://a.example/2", "body": "x", "published": "yesterday"}),
        json.dumps({"id": "body", "url": "https://a.example/3", "body": 42}),
        "",
        doc("b", "https://b.example/1", syndicated_copy(STORY), minutes=10),
    ]
    code, out = run(["dedup", write_jsonl(tmp_path / "in.jsonl", lines), "--json"], capsys)
    assert code == 0
    assert len(out) == 8
    errors = [o for o in out if "error" in o]
    assert [o["line"] for o in errors] == [2, 3, 4, 5, 6, 7]
    assert errors[3]["id"] == "ftp" and "http" in errors[3]["error"]
    decided = [o for o in out if "error" not in o]
    assert [o["id"] for o in decided] == ["a", "b"] and decided[1]["duplicate_of"] == "a"


def test_an_index_directory_persists_batches_and_a_given_hour_replaces_its_batch(tmp_path, capsys):
    index = tmp_path / "idx"
    first = write_jsonl(tmp_path / "1.jsonl", [doc("a", "https://a.example/1", STORY)])
    second = write_jsonl(tmp_path / "2.jsonl", [doc("b", "https://b.example/1", syndicated_copy(STORY))])
    run(["dedup", first, "--json", "--index", str(index), "--hour", "2026-11-25T10:00"], capsys)
    _, out = run(["dedup", second, "--json", "--index", str(index)], capsys)
    assert out[0]["duplicate_of"] == "a" and out[0]["kind"] == "near"
    assert len(DedupIndex(index)) == 2
    # Re-deciding the first batch as the same hour sees only earlier hours, and replaces that batch.
    _, again = run(["dedup", first, "--json", "--index", str(index), "--hour", "2026-11-25T10:00"], capsys)
    assert again[0]["kind"] == "original"
    assert len(DedupIndex(index)) == 2
    _, dry = run(["dedup", second, "--json", "--index", str(index), "--no-commit"], capsys)
    assert dry[0]["kind"] == "url_duplicate" and len(DedupIndex(index)) == 2


def test_missing_file_is_an_error_not_a_traceback(tmp_path):
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dedup", str(tmp_path / "nope.jsonl"), "--json"])
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        args.func(args)  # cli.main turns this into a message and exit code 2


def test_stdin_is_read_with_a_dash(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(doc("a", "https://a.example/1", STORY)) + "\n"))
    _, out = run(["dedup", "-", "--json"], capsys)
    assert out[0]["id"] == "a" and out[0]["kind"] == "original"


def _publish_hour(data_root, hour: datetime, rows: list[dict], marked: bool = True, quarantined=()) -> None:
    table = storage.to_table("articles", [{**r, "run_id": "test"} for r in rows])
    quarantine = storage.to_table(
        "quarantine",
        [
            {
                "dataset": "articles",
                "record_id": q["article_id"],
                "row": json.dumps(q, default=str),
                "failed_expectations": ["body_too_short_or_long"],
                "run_id": "test",
            }
            for q in quarantined
        ],
    )
    commit_hour(data_root, hour, {"articles": table, "quarantine": quarantine}, "test")
    if not marked:
        (storage.partition_dir(data_root, "articles", hour) / storage.SUCCESS_FILE).unlink()


def test_rebuild_reads_committed_articles_partitions_and_skips_unmarked_ones(tmp_path, capsys):
    from newsflow.dedup.stories import assign_stories
    from tests.dedup.conftest import row

    data = tmp_path / "data"
    original = row("https://wire.example/strike", STORY)
    brief = "The city council approved the transit budget on Monday after a four-hour debate, with seven votes for."
    held_back = row("https://wire.example/brief", brief)  # quarantined by validation
    decided = assign_stories([original, held_back], DedupIndex(tmp_path / "scratch"), HOUR)
    rows = [{**r, **d.columns()} for r, d in zip([original, held_back], decided, strict=True)]
    _publish_hour(data, HOUR, rows[:1], quarantined=rows[1:])
    unmarked = row("https://other.example/ships", OTHER_STORY_SAME_TOPIC)
    _publish_hour(data, HOUR + timedelta(hours=1), [{**unmarked, "story_id": unmarked["article_id"]}], marked=False)
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dedup", "rebuild", "--data", str(data)])
    assert args.func(args) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["articles"] == 2 and status["hours"] == 1
    assert status["first_hour"] == HOUR.isoformat()
    index = DedupIndex(data / "state" / "dedup")
    later = HOUR + timedelta(hours=2)
    copy = row("https://paper.example/ports", syndicated_copy(STORY))
    assert assign_stories([copy], index, later)[0].duplicate_of == original["article_id"]
    assert assign_stories([unmarked], index, later)[0].kind == "original"
    assert assign_stories([held_back], index, later)[0].kind == "url_duplicate"
    # A URL published under an older canonical form (www. kept) still matches today's form of it.
    old_form = "https://www.legacy.example/a"
    legacy = {**row(old_form, OTHER_STORY_SAME_TOPIC), "canonical_url": old_form, "article_id": stable_id(old_form)}
    _publish_hour(data, HOUR - timedelta(hours=1), [{**legacy, "story_id": legacy["article_id"]}])
    assert args.func(parser.parse_args(["dedup", "rebuild", "--data", str(data)])) == 0
    capsys.readouterr()
    again = assign_stories(
        [row("https://www.legacy.example/a", OTHER_STORY_SAME_TOPIC)], DedupIndex(data / "state" / "dedup"), later
    )
    assert again[0].kind == "url_duplicate" and again[0].article_id == legacy["article_id"]
    args = parser.parse_args(["dedup", "status", "--data", str(data)])
    assert args.func(args) == 0 and json.loads(capsys.readouterr().out)["articles"] == 3


def test_rebuild_without_articles_is_an_error(tmp_path):
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dedup", "rebuild", "--data", str(tmp_path)])
    with pytest.raises(FileNotFoundError):
        args.func(args)
