"""Validation speed: 100,000 articles through the full suites, failing rows identified; DagBag parsing.

The articles are generated from the 181 real bodies of the extraction benchmark (sampled with
replacement: 4.5 KB of text on average, ~480 MB in all), with ~1 % bad rows of twelve kinds (junk
bodies, an empty body, a 5 MB body, a date in 2099 or 1970, a javascript: URL, control characters
or replacement characters in the title, markup soup, a wrong word count, a duplicate id…).

Prints, for ``validate_articles_table`` (from the pyarrow table to the good table and the
quarantine rows): seconds after import (first call and best of the next ones), against the
same-run baseline of a bare 13-expectation GX suite (the suite before this work) validating the
same rows as a ready pandas frame; the import time; the peak RSS; and, in a subprocess, the time to
parse every DAG with ``DagBag`` and whether parsing imported GX, pandas or spaCy.

    PYTHONPATH=pipeline:. .venv/bin/python bench/validate.py [--rows 100000] [--repeat 3] [--no-dagbag]
    PYTHONPATH=pipeline:. .venv/bin/python bench/validate.py --calibrate   # the text checks on the corpus
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark" / "ground-truth.json"
FETCHED = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)

# The articles suite as it was before this work: 13 expectations, GX's own checks only.
BARE_SUITE = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "article_id"}},
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "article_id"}},
    {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "url", "regex": "^https?://[^\\s/$.?#].[^\\s]*$"},
    },
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "title"}},
    {
        "type": "expect_column_value_lengths_to_be_between",
        "kwargs": {"column": "title", "min_value": 3, "max_value": 400},
    },
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "body"}},
    {"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "body_source", "value_set": ["video_only"]}},
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "word_count", "min_value": 50, "max_value": 50000},
    },
    {
        "type": "expect_column_value_lengths_to_be_between",
        "kwargs": {"column": "body", "min_value": 0, "max_value": 400000},
    },
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "published"}},
    {
        "type": "expect_column_pair_values_a_to_be_greater_than_b",
        "kwargs": {
            "column_A": "fetched_at",
            "column_B": "published",
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    },
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "language", "regex": "^[a-z]{2,3}$"}},
    {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "content_hash", "regex": "^[0-9a-f]{64}$"}},
]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_bodies() -> list[str]:
    truth = json.loads(CORPUS.read_text(encoding="utf-8"))
    return [item["articleBody"] for _, item in sorted(truth.items())]


def generate(n: int, bad_share: float, seed: int = 7):
    """(articles table, number of bad rows): real bodies, ~``bad_share`` of rows broken."""
    import numpy as np
    import pyarrow as pa

    from newsflow import storage

    rng = np.random.default_rng(seed)
    bodies = corpus_bodies()
    words = [len(re.findall(r"\w+", b)) for b in bodies]
    pick = rng.integers(0, len(bodies), n)
    body = [bodies[i] for i in pick]
    word_count = [words[i] for i in pick]
    ids = [f"{i:016x}" for i in range(n)]
    urls = [f"https://news.example.com/2026/11/25/story-{i}" for i in range(n)]
    titles = [f"Story {i}: council approves the budget" for i in range(n)]
    published = [FETCHED - timedelta(minutes=int(m)) for m in rng.integers(1, 600, n)]
    language = ["en"] * n
    junk = random.Random(seed)
    english = "The council approved the transit budget on Tuesday after a long debate. "
    breakers = [
        (
            "junk_utf8",
            lambda i: body.__setitem__(i, bytes(junk.getrandbits(8) for _ in range(3000)).decode("utf-8", "replace")),
        ),
        (
            "junk_latin1",
            lambda i: body.__setitem__(i, bytes(junk.getrandbits(8) for _ in range(3000)).decode("latin-1")),
        ),
        ("empty", lambda i: body.__setitem__(i, "")),
        ("future", lambda i: published.__setitem__(i, datetime(2099, 1, 1, tzinfo=UTC))),
        ("ancient", lambda i: published.__setitem__(i, datetime(1970, 1, 1, tzinfo=UTC))),
        ("javascript", lambda i: urls.__setitem__(i, "javascript:alert(1)")),
        ("control", lambda i: titles.__setitem__(i, "Breaking\x07 news\x1b[0m")),
        ("replacement", lambda i: titles.__setitem__(i, "Caf\ufffd owners furious")),
        ("soup", lambda i: body.__setitem__(i, '<div class="x"><p>' + english + "</p></div>" * 30)),
        ("word_count", lambda i: word_count.__setitem__(i, word_count[i] * 10 + 100)),
        ("duplicate", lambda i: ids.__setitem__(i, ids[i - 1])),
        ("language", lambda i: language.__setitem__(i, "xx")),
    ]
    bad = sorted(rng.choice(np.arange(1, n), size=int(n * bad_share), replace=False).tolist())
    for k, i in enumerate(bad):
        breakers[k % len(breakers)][1](i)
        if breakers[k % len(breakers)][0] in ("junk_utf8", "junk_latin1", "empty", "soup"):
            word_count[i] = len(re.findall(r"\w+", body[i]))
    body[bad[-1]] = english * (5_000_000 // len(english))  # one 5 MB body
    word_count[bad[-1]] = len(re.findall(r"\w+", body[bad[-1]]))
    ts = storage.TS
    columns = {
        "article_id": pa.array(ids),
        "url": pa.array(urls),
        "canonical_url": pa.array(urls),
        "feed": pa.array(["example"] * n),
        "site": pa.array(["news.example.com"] * n),
        "title": pa.array(titles),
        "authors": pa.array([["A. Reporter"]] * n, pa.list_(pa.string())),
        "published": pa.array(published, ts),
        "published_source": pa.array(["jsonld"] * n),
        "updated": pa.nulls(n, ts),
        "language": pa.array(language),
        "body": pa.array(body, pa.string()),
        "body_source": pa.array(["trafilatura"] * n),
        "is_truncated": pa.array([False] * n),
        "word_count": pa.array(word_count, pa.int32()),
        "content_hash": pa.array(["ab" * 32] * n),
        "story_id": pa.nulls(n, pa.string()),
        "duplicate_of": pa.nulls(n, pa.string()),
        "similarity": pa.nulls(n, pa.float32()),
        "version": pa.array([1] * n, pa.int16()),
        "fetched_at": pa.array([FETCHED] * n, ts),
        "raw_ref": pa.array(["sha256:" + "0" * 64] * n),
        "run_id": pa.array(["bench"] * n),
        "schema_version": pa.array([storage.SCHEMA_VERSION] * n, pa.int16()),
        "facts_status": pa.nulls(n, pa.string()),
    }
    for field in storage.ARTICLES:  # columns the benchmark does not exercise: null, as a run leaves them
        columns.setdefault(field.name, pa.nulls(n, field.type))
    return pa.table(columns, schema=storage.ARTICLES), len(bad)


def generate_facts(articles, n_facts: int, bad_share: float, seed: int = 11):
    """(facts table, the articles they belong to, number of bad facts): word spans of real bodies, as
    the facts stage writes them (~50 per article), ~``bad_share`` of them broken."""
    from newsflow import storage

    rng = random.Random(seed)
    per_article = 50
    chosen = articles.slice(0, max(1, n_facts // per_article))
    rows = []
    for art in chosen.select(["article_id", "body"]).to_pylist():
        spans = [m.span() for m in re.finditer(r"\w+(?: \w+)?", art["body"] or "")]
        for start, end in rng.sample(spans, min(per_article, len(spans))):
            rows.append(
                {
                    "article_id": art["article_id"],
                    "fact_id": f"{art['article_id']}-{start}-{end}",
                    "fact_type": "entity",
                    "label": "ORG",
                    "text": art["body"][start:end],
                    "start": start,
                    "end": end,
                    "sentence": art["body"][max(0, start - 40) : end + 40],
                    "extractor": "spacy",
                    "extractor_version": "bench",
                    "run_id": "bench",
                }
            )
    bad = rng.sample(range(len(rows)), int(len(rows) * bad_share))
    breakers = [
        lambda r: r.update(end=r["end"] + 10_000_000),
        lambda r: r.update(fact_type="rumour"),
        lambda r: r.update(text="not what the body says"),
        lambda r: r.update(article_id="no-such-article"),
        lambda r: r.update(label="MONEY"),
    ]
    for k, i in enumerate(bad):
        breakers[k % len(breakers)](rows[i])
    return storage.to_table("facts", rows), chosen, len(bad)


def bare_gx(frame) -> tuple[float, int]:
    """Seconds for a bare 13-expectation suite over a ready pandas frame (COMPLETE results, as the
    validation did before), and the rows it flags."""
    import great_expectations as gx

    from newsflow.validate.suites import context

    ctx = context()
    suite = gx.ExpectationSuite(name="bare", expectations=BARE_SUITE)
    source = ctx.data_sources.add_or_update_pandas("bench-bare")
    asset = source.add_dataframe_asset(name=f"bare-{time.monotonic_ns()}")
    started = time.perf_counter()
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    seconds = time.perf_counter() - started
    flagged = set()
    for res in result.results:
        flagged.update(int(i) for i in (res.result or {}).get("unexpected_index_list") or [])
    return seconds, len(flagged)


def dagbag_seconds() -> dict:
    """Parse every DAG with DagBag in a fresh process (a throwaway AIRFLOW_HOME)."""
    code = """
import json, sys, time
t0 = time.perf_counter()
import airflow
from airflow.dag_processing.dagbag import DagBag
t1 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
t2 = time.perf_counter()
heavy = [m for m in ("great_expectations", "pandas", "spacy", "trafilatura", "newsflow.validate") if m in sys.modules]
print(json.dumps({"airflow_import": t1 - t0, "dagbag": t2 - t1, "dags": sorted(bag.dag_ids),
                  "errors": {k: str(v)[:300] for k, v in bag.import_errors.items()}, "heavy_modules": heavy}))
"""
    home = tempfile.mkdtemp(prefix="bench-airflow-")
    env = {
        **os.environ,
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "PYTHONPATH": f"{ROOT / 'pipeline'}:{ROOT}:{ROOT / 'plugins'}",
    }
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "dags")], env=env, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def calibrate() -> None:
    """The text checks' thresholds against the benchmark's real bodies, tuned on the even-numbered
    half and reported on the held-out odd-numbered half, and against junk."""
    import numpy as np
    import pyarrow as pa

    from newsflow.validate.suites import load_suite
    from newsflow.validate.text import text_signals

    bounds = {
        e["kwargs"]["column"]: e["kwargs"]
        for e in load_suite(ROOT / "expectations", "articles")["expectations"]
        if e["kwargs"].get("column", "").startswith("_")
    }
    bodies = corpus_bodies()
    halves = {"tune (even)": bodies[0::2], "held-out (odd)": bodies[1::2]}
    rng = random.Random(1)
    junk = []
    for _ in range(50):
        raw = bytes(rng.getrandbits(8) for _ in range(20_000))
        junk += [
            raw.decode("utf-8", "replace"),
            raw.decode("latin-1"),
            re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", raw.decode("cp1252", "ignore")),
        ]
    halves["random bytes (utf-8, latin-1, cp1252)"] = junk
    print(
        f"quality >= {bounds['_text_quality']['min_value']}, case switches <= {bounds['_case_switches']['max_value']}, "
        f"markup <= {bounds['_markup_density']['max_value']}, word-count ratio in "
        f"[{bounds['_word_count_ratio']['min_value']}, {bounds['_word_count_ratio']['max_value']}]"
    )
    for name, texts in halves.items():
        s = text_signals(pa.array(texts))
        truth = np.array([len(re.findall(r"\w+", t)) for t in texts], dtype=float)
        ratio = (truth + 1) / (s.words + 1)
        flagged = (
            (s.quality < bounds["_text_quality"]["min_value"])
            | (s.case_switches > bounds["_case_switches"]["max_value"])
            | (s.markup > bounds["_markup_density"]["max_value"])
        )
        print(
            f"{name:40s} n={len(texts):3d}  quality min {np.min(s.quality):.3f}  "
            f"case max {np.max(s.case_switches):.3f}  "
            f"markup max {np.max(s.markup):.4f}  word ratio {np.nanmin(ratio):.2f}-{np.nanmax(ratio):.2f}  "
            f"flagged not-text {int(flagged.sum())}/{len(texts)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad-share", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-dagbag", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    if args.calibrate:
        calibrate()
        return

    started = time.perf_counter()
    import great_expectations  # noqa: F401

    from newsflow.validate import validate_articles_table
    from newsflow.validate.settings import ValidationSettings
    from newsflow.validate.suites import context

    context()
    import_seconds = time.perf_counter() - started
    print(f"import (GX, newsflow.validate, context): {import_seconds:.2f} s")

    table, bad = generate(args.rows, args.bad_share)
    print(
        f"{table.num_rows:,} articles, {table.nbytes / 2**20:,.0f} MiB, {bad} bad rows "
        f"(peak RSS after generating them: {peak_rss_mib():,.0f} MiB)"
    )
    settings = ValidationSettings()
    suites = ROOT / "expectations"

    timings, cpu = [], []
    quarantined = 0
    for _ in range(max(1, args.repeat)):
        t, c = time.perf_counter(), time.process_time()
        good, quarantine = validate_articles_table(table, suites, "bench", settings=settings)
        timings.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        quarantined = len(quarantine)
    first, best = timings[0], min(timings[1:] or timings)
    rss_validated = peak_rss_mib()

    t = time.perf_counter()
    frame = table.to_pandas()
    to_pandas = time.perf_counter() - t
    baseline = min(bare_gx(frame)[0] for _ in range(max(1, args.repeat)))
    _, bare_flagged = bare_gx(frame)
    del frame

    print(
        f"validate_articles_table: {best:.3f} s (CPU {min(cpu[1:] or cpu):.3f} s; first call {first:.3f} s), "
        f"{quarantined} quarantined of {bad} bad, {good.num_rows:,} good   [target < 1 s]"
    )
    print(
        f"baseline, bare 13-expectation GX suite on a ready pandas frame: {baseline:.3f} s "
        f"(+ {to_pandas:.2f} s to build the frame), flags {bare_flagged} rows"
    )
    print(f"ratio (ours / baseline): {best / baseline:.2f}")
    print(
        f"peak RSS: {rss_validated:,.0f} MiB after validating (the table itself is {table.nbytes / 2**20:,.0f} MiB), "
        f"{peak_rss_mib():,.0f} MiB after the baseline"
    )

    from newsflow.validate import validate_facts_table

    facts, fact_articles, bad_facts = generate_facts(good, args.rows, args.bad_share)
    fact_timings = []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        good_facts, fact_quarantine = validate_facts_table(facts, fact_articles, suites, "bench", settings=settings)
        fact_timings.append(time.perf_counter() - t)
    print(
        f"validate_facts_table: {min(fact_timings):.3f} s for {facts.num_rows:,} facts of {fact_articles.num_rows:,} "
        f"articles, {len(fact_quarantine)} quarantined of {bad_facts} bad"
    )

    if not args.no_dagbag:
        bag = dagbag_seconds()
        if "error" in bag:
            print(f"DagBag: failed: {bag['error']}")
        else:
            print(
                f"DagBag of dags/: {bag['dagbag']:.2f} s (airflow import {bag['airflow_import']:.2f} s)"
                "   [target < 2 s]; "
                f"dags {bag['dags']}, import errors {len(bag['errors'])}, heavy modules imported: "
                f"{bag['heavy_modules'] or 'none'}"
            )


if __name__ == "__main__":
    main()
