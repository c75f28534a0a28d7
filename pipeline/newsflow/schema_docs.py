"""The data dictionary: ``docs/datasets.md``, generated from ``storage.SCHEMAS`` and the descriptions here.

Every column of every published dataset has a description below; a test fails when a schema gains
a column without one, and when ``docs/datasets.md`` is not what this module writes. Regenerate with::

    python -m newsflow.schema_docs            # writes docs/datasets.md
    python -m newsflow.schema_docs --check    # exits 1 if docs/datasets.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa

from newsflow import storage

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"

DATASETS: dict[str, str] = {
    "articles": "One row per valid article first published in the hour (duplicates included, marked by "
    "`duplicate_of`). Rows that failed validation are in `quarantine` instead.",
    "facts": "One row per fact found in an article's body: entities, dates, money, percentages, quantities, "
    "quotations. `start`/`end` index the article's `body`.",
    "quarantine": "One row per row that did not make it into `articles` or `facts`: it failed an expectation "
    "(`stage` = `validate`) or a stage could not process it (`stage` = `extract`, `facts`…, with `error`).",
    "runs": "One row per stage of a run (its counts, time and memory), per feed fetched, and per failure or "
    "warning (`error_class`, e.g. `volume_anomaly`).",
    "fetches": "One row per HTTP fetch (feeds and pages), with what a replay from `raw/` needs.",
    "sightings": "One row per feed entry per hour: every feed that carried an article's link, whether or not "
    "the page was downloaded that hour, so analysts can count an article's feeds and see when each carried it "
    "(hours committed before schema version 3 have none).",
}

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "articles": {
        "title_source": "Where `title` came from: `feed`, `jsonld`, `og`, `twitter`, `h1`, `html` or `text`.",
        "authors_source": "Where `authors` came from: `jsonld`, `meta`, `byline` or `feed`.",
        "updated_source": "Where `updated` came from: `jsonld` or `meta`.",
        "language_confidence": "py3langid's probability for `language`; null if declared or none found.",
        "language_source": "`detected` (py3langid on the body) or `declared` (the page's own lang).",
        "site_name": "What the page calls its site (og:site_name, JSON-LD publisher); `site` is the registry's.",
        "declared_canonical_url": "The page's own rel=canonical URL, absolute; `canonical_url` stays ours.",
        "image": "The article's top image URL.",
        "tags": "Tags and keywords: article:tag, JSON-LD keywords, the keywords meta.",
        "description": "og:description or the description meta.",
        "extract_warnings": "Metadata the extractor rejected, e.g. `published_in_future:jsonld:...`.",
        "article_id": "Stable id of the article: the first 16 hex digits of the sha256 of its canonical URL.",
        "url": "The URL the feed linked to.",
        "canonical_url": "The URL after redirects and canonicalisation (tracking parameters, fragments and "
        "default ports removed): the identity of the article.",
        "feed": "Name of the feed (in `feeds.yaml`) the link came from.",
        "site": "Site the feed belongs to (from `feeds.yaml`).",
        "title": "Headline: the page's metadata (JSON-LD, Open Graph) or the feed entry's title.",
        "authors": "Author names, as the page or feed gives them.",
        "published": "When the article was first published (UTC), from the source named in `published_source`.",
        "published_source": "Where `published` came from: `jsonld`, `meta`, `time_element`, `htmldate`, "
        "`feed` or `text`.",
        "updated": "When the article was last modified, if the page says (UTC).",
        "language": "ISO 639-1 code of the body's language; null when it could not be identified.",
        "body": "The article's text: paragraphs separated by blank lines, boilerplate removed.",
        "body_source": "Which extractor produced `body` (e.g. `trafilatura`, `text`).",
        "is_truncated": "True when the page holds only part of the article (a paywall or a teaser).",
        "word_count": "Words in `body`: `\\w+` runs.",
        "content_hash": "sha256 (hex) of the normalised body: equal bodies have equal hashes.",
        "story_id": "Id shared by every copy of the same story (the `article_id` of its original).",
        "duplicate_of": "`article_id` of the original when this article is a duplicate, else null.",
        "similarity": "Similarity to the original (1.0 for an exact duplicate); null for originals.",
        "version": "1 for the first version of an article; a later hour publishes the same `article_id` again "
        "with `version` 2, 3… when its page changed (an update): `(article_id, version)` is unique.",
        "fetched_at": "When the page was downloaded (UTC).",
        "raw_ref": "Reference (`sha256:…`) of the downloaded page in the raw store, for replays.",
        "run_id": "Id of the run that published the row.",
        "schema_version": "Version of the schema the row was written with (see *Schema versions*).",
        "facts_status": "What the facts stage did with the article: `extracted`, `skipped_language`, "
        "`duplicate` (its original's facts apply) or `failed`.",
    },
    "facts": {
        "value_max": "Upper bound of a range ('$2.10 to $2.60' gives 2.6 here, 2.1 in `value_num`); null otherwise.",
        "currency": "Money: ISO 4217 code of the amount (USD, GBP, EUR...), minor units already scaled.",
        "object": "Quantities: what is counted or measured ('missile bases').",
        "date_start": "Dates: the first day the expression covers, resolved against the publish date.",
        "date_end": "Dates: the last day it covers.",
        "speech_verb": "Quotes: the verb or cue that attributes the quote ('said', 'according to').",
        "canonical": "Entities: the article's fullest mention of the entity ('Stephen Biegun' for 'Biegun').",
        "norm_key": "Entities: an article-independent key to group by ('united states' for 'U.S.').",
        "version": "The `articles.version` the fact was found in (join on `article_id` and `version`); null "
        "before schema version 3.",
        "article_id": "The article the fact was found in (`articles.article_id`, same hour).",
        "fact_id": "Stable id of the fact: a hash of the article id, fact type and offsets.",
        "fact_type": "`entity`, `date`, `money`, `percent`, `quantity` or `quote`.",
        "label": "Finer type: for entities PERSON, ORG, GPE, LOC…; DATE; MONEY, PRICE_PER_UNIT, EXCHANGE_RATE; "
        "PERCENT; CARDINAL, QUANTITY, DURATION, AGE, FREQUENCY; QUOTE.",
        "text": "The fact as written: exactly `body[start:end]`.",
        "start": "Offset (in characters) of the fact's first character in the article's `body`.",
        "end": "Offset (in characters) just past the fact's last character in `body`.",
        "sentence": "The sentence the fact is in.",
        "value": "The fact's normalised value as text: a name, an ISO date, an amount.",
        "value_num": "The numeric value (money in major units, percentages as written, counts and measures).",
        "unit": "Unit of `value_num`: a currency code, `percent`, `km`, `per barrel`…",
        "qualifier": "How the text qualifies the number: `approximately`, `at_least`, `at_most`…",
        "resolution": "Dates: how precise the date is (`day`, `week`, `month`, `quarter`, `year`).",
        "speaker": "Quotes: who said it.",
        "confidence": "The extractor's confidence in [0, 1], where it gives one.",
        "extractor": "What found the fact (`spacy`, `spacy+rules`, `rules`).",
        "extractor_version": "Version of the extractor and its model, so facts from different versions can be "
        "told apart.",
        "run_id": "Id of the run that published the row.",
        "schema_version": "Version of the schema the row was written with.",
    },
    "quarantine": {
        "dataset": "The dataset the row was meant for (`articles`, `facts`, or `pages` for a page that could "
        "not be extracted).",
        "record_id": "The row's id in that dataset (`article_id`, `fact_id`, or the page URL).",
        "row": "The whole row as JSON, so nothing is lost.",
        "failed_expectations": "The reasons: each failed expectation's `meta.reason` (see `expectations/*.json`), "
        "or `<stage>_failed` for a row a stage could not process.",
        "observed_values": "JSON of the values each failed expectation judged, keyed `<reason>.<column>` (check "
        "columns such as `_text_quality` included; long strings cut at 200 characters).",
        "run_id": "Id of the run that quarantined the row.",
        "schema_version": "Version of the schema the row was written with.",
        "stage": "The stage that quarantined the row: `validate`, `extract`, `facts`…",
        "error": "For a row a stage could not process: the exception.",
    },
    "runs": {
        "run_id": "Id of the run.",
        "logical_hour": "The hour the run ingested (its partition).",
        "stage": "The stage the row is about: `fetch_feeds`, `collect_links`, `fetch_pages`, `extract`, `validate`, "
        "`dedup`, `facts`, `publish` (a sharded fetch stage writes one summary row per shard).",
        "feed": "The feed a per-feed row is about; null on a stage's summary row.",
        "url": "The URL a per-URL row is about (a failed page).",
        "counts": "JSON of the stage's counts (articles, quarantined, facts by type, errors by class…).",
        "seconds": "Wall-clock seconds (of the stage on its summary row, of the fetch on a feed row).",
        "bytes": "Bytes downloaded (feed rows).",
        "error_class": "Short class of a failure or warning (`http_404`, `timeout`, `volume_anomaly`…); null "
        "when all went well.",
        "error": "The failure or warning in words.",
        "peak_rss": "Peak resident memory of the process in bytes, on a stage's summary row.",
        "recorded_at": "When the row was recorded (UTC).",
        "schema_version": "Version of the schema the row was written with.",
    },
    "fetches": {
        "headers": "Every response header as a JSON object (names lower-cased): a replay answers with them.",
        "wire_bytes": "Bytes received on the wire: status line, headers and the encoded body.",
        "attempts": "HTTP exchanges for this fetch, retries and redirect hops included.",
        "hops": "URLs requested before `final_url` (the redirect chain).",
        "retry_after": "The server's Retry-After, in seconds, when it sent one.",
        "items": "Feeds: entries in the document, before the items cap.",
        "items_per_day": "Feeds: publishing rate estimated from the entries' dates (drives adaptive polling).",
        "entry_fp": "Pages: fingerprint of the feed entry that led here (a changed entry may refetch a failed page).",
        "url": "The URL requested.",
        "final_url": "The URL after redirects.",
        "feed": "The feed a page was linked from, or the feed fetched.",
        "kind": "`feed` or `page`.",
        "status": "HTTP status; null when no response came.",
        "etag": "The response's ETag, for conditional requests.",
        "last_modified": "The response's Last-Modified, for conditional requests.",
        "content_type": "The response's Content-Type.",
        "bytes": "Size of the body in bytes.",
        "seconds": "Time the fetch took.",
        "error_class": "Short class of the failure (`http_404`, `timeout`, `too_large`, `blocked_address`…).",
        "error": "The failure in words.",
        "raw_ref": "Reference (`sha256:…`) of the body in the raw store.",
        "fetched_at": "When the response arrived (UTC).",
        "run_id": "Id of the run.",
        "schema_version": "Version of the schema the row was written with.",
    },
    "sightings": {
        "article_id": "The article the entry led to (after redirects and dedup; `articles.article_id`); a link "
        "whose page failed or was quarantined keeps the id of its canonical URL and has no `articles` row.",
        "canonical_url": "Canonical form of the entry's link.",
        "feed": "Name of the feed (in `feeds.yaml`) that carried the entry.",
        "site": "Site the feed belongs to.",
        "entry_url": "The link exactly as the feed gave it (tracking parameters included).",
        "entry_title": "The entry's title in that feed.",
        "entry_published": "The entry's published date in that feed (UTC).",
        "entry_updated": "When that feed says the entry last changed (UTC), if it says.",
        "entry_id": "The entry's id (guid, Atom id) in that feed.",
        "logical_hour": "The hour the feed carried the entry (its partition).",
        "run_id": "Id of the run that published the row.",
        "schema_version": "Version of the schema the row was written with.",
    },
}

# What each schema version changed; the newest must be storage.SCHEMA_VERSION (a test checks).
VERSIONS: dict[int, str] = {
    1: "first published schemas",
    2: "added `articles.facts_status` and the metadata provenance columns after it, the typed `facts` "
    "columns (`value_max` ... `norm_key`), `quarantine.stage`, `quarantine.error` and the `fetches` columns "
    "from `headers` on",
    3: "added the `sightings` dataset and `facts.version`; `articles` may hold later versions of an article",
}

PARTITION_COLUMNS: dict[str, tuple[str, str]] = {
    "dt": ("date32 (DuckDB `DATE`)", "Day of the logical hour (UTC): the `dt=YYYY-MM-DD` directory."),
    "hour": ("int8 (DuckDB `TINYINT`)", "Hour of the logical hour, 0-23 (UTC): the `hour=HH` directory."),
}


def missing_descriptions() -> list[str]:
    """``dataset.column`` of every schema column without a description."""
    return [
        f"{name}.{field.name}"
        for name, schema in storage.SCHEMAS.items()
        for field in schema
        if not DESCRIPTIONS.get(name, {}).get(field.name)
    ]


def stale_descriptions() -> list[str]:
    """``dataset.column`` of every description whose column no schema has."""
    return [
        f"{name}.{column}"
        for name, columns in DESCRIPTIONS.items()
        for column in columns
        if name not in storage.SCHEMAS or column not in storage.SCHEMAS[name].names
    ]


def _type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return f"timestamp[{t.unit}, {t.tz}]" if t.tz else f"timestamp[{t.unit}]"
    if pa.types.is_list(t):
        return f"list<{_type(t.value_type)}>"
    return str(t)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The whole of ``docs/datasets.md``."""
    out = [
        "# Datasets",
        "",
        "<!-- Generated by `python -m newsflow.schema_docs` from `storage.SCHEMAS` and the descriptions in",
        "     `pipeline/newsflow/schema_docs.py`. Do not edit by hand: edit those and regenerate. -->",
        "",
        f"Schema version **{storage.SCHEMA_VERSION}**. Every dataset is hive-partitioned by the run's logical hour: "
        "`<data root>/<dataset>/dt=YYYY-MM-DD/hour=HH/part-0.parquet` (zstd), with a `_SUCCESS` marker "
        "holding the row count and a content hash. Read them with `newsflow.datasets` "
        "(`read`, `read_pandas`, `dataset`, `duckdb_relation`): only committed hours with a valid marker, "
        "`dt` and `hour` typed the same in pyarrow, pandas and DuckDB, and partitions written with an older "
        "schema version read with today's schema.",
        "",
        "```python",
        "from newsflow import datasets",
        'articles = datasets.read("articles", start="2026-11-25", end="2026-11-25")  # a pyarrow.Table',
        'facts = datasets.read_pandas("facts", start="2026-11-25T10", end="2026-11-25T12")',
        "```",
        "",
        "In DuckDB SQL, without Python (committed hours only; markers are not checked):",
        "",
        "```sql",
        "SELECT dt, hour, count(*) FROM read_parquet('data/articles/dt=*/hour=*/*.parquet',",
        "    hive_partitioning = true, hive_types = {'dt': DATE, 'hour': TINYINT}, union_by_name = true)",
        "GROUP BY ALL ORDER BY ALL;",
        "```",
        "",
        "## Schema versions",
        "",
        "Evolution is additive only: a new version may add nullable columns, never remove, rename or retype one.",
        "A partition written by an older version reads with today's schema, the columns it lacks null.",
        "",
        "| version | change |",
        "| --- | --- |",
        *(f"| {version} | {change} |" for version, change in sorted(VERSIONS.items())),
        "",
        "## Partition columns (every dataset)",
        "",
        "| column | type | description |",
        "| --- | --- | --- |",
    ]
    for name, (kind, text) in PARTITION_COLUMNS.items():
        out.append(f"| `{name}` | {kind} | {_cell(text)} |")
    for name, schema in storage.SCHEMAS.items():
        out += [
            "",
            f"## `{name}`",
            "",
            DATASETS.get(name, ""),
            "",
            "| column | type | null | description |",
            "| --- | --- | --- | --- |",
        ]
        for field in schema:
            text = DESCRIPTIONS.get(name, {}).get(field.name, "")
            out.append(
                f"| `{field.name}` | {_type(field.type)} | {'yes' if field.nullable else 'no'} | {_cell(text)} |"
            )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsflow.schema_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date, write nothing")
    parser.add_argument("--output", type=Path, default=DOCS_FILE, help=f"default: {DOCS_FILE}")
    args = parser.parse_args(argv)
    missing = missing_descriptions()
    if missing:
        print(f"no description for {', '.join(missing)}: add them to DESCRIPTIONS in {__file__}", file=sys.stderr)
        return 1
    text = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date: run python -m newsflow.schema_docs", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
