"""The facts stage's entry points: one article (:func:`extract_facts`) or many (:func:`extract_facts_many`).

Many articles go through ``nlp.pipe`` in batches — optionally in worker processes
(``FactsSettings.n_process``) — and every article gets a :class:`FactsResult`: ``extracted``,
``skipped_language`` (no model for its language; rule-based money, percentages and dates only)
or ``failed`` with the error. Whatever goes wrong with one article (a body that is not text, one
longer than ``max_chars``, an exception in a rule) fails that article only, never the batch.
Bodies longer than ``chunk_chars`` are parsed in paragraph-aligned chunks; offsets always index
the text as given.
"""

from __future__ import annotations

import multiprocessing
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from newsflow.facts.aliases import norm_key
from newsflow.facts.date_mentions import find_dates
from newsflow.facts.doc import ArticleDoc
from newsflow.facts.entities import resolve_mentions
from newsflow.facts.languages import MODEL_LANGUAGES, base_language, rule_facts
from newsflow.facts.model import extractor_version, load_model
from newsflow.facts.money import money_and_percent, to_facts
from newsflow.facts.quantities import find_quantities
from newsflow.facts.quotes import Mention, QuoteFinder, find_quote_spans
from newsflow.facts.settings import FactsSettings
from newsflow.facts.types import EXTRACTED, FAILED, SKIPPED_LANGUAGE, Fact, FactsResult

__all__ = [
    "ArticleInput",
    "FactsError",
    "analyse_doc",
    "extract_facts",
    "extract_facts_many",
    "extractor_version",
]
_TYPE_ORDER = {"entity": 0, "date": 1, "money": 2, "percent": 3, "quantity": 4, "quote": 5}


class FactsError(RuntimeError):
    """Raised by :func:`extract_facts` (one article) when the article cannot be processed."""


@dataclass(frozen=True)
class ArticleInput:
    text: str
    published: date | None = None
    language: str | None = None


def analyse_doc(doc: Any, published: date | None) -> list[Fact]:
    """Every fact of one parsed text (offsets into ``doc.text``)."""
    adoc = ArticleDoc(doc)
    text = adoc.text
    quote_spans = find_quote_spans(text)
    mentions = resolve_mentions(adoc, quote_spans)
    money_facts = to_facts(money_and_percent(text, adoc.sent_chars), text, adoc.sentence_text)
    taken = [(f.start, f.end) for f in money_facts]
    dates, durations = find_dates(adoc, published, taken)
    taken += [(f.start, f.end) for f in dates + durations]
    name_spans = [(m.start, m.end) for m in mentions]
    person_tokens = {t.i for m in mentions if m.label == "PERSON" for t in adoc.tokens_in(m.start, m.end)}
    quantities = find_quantities(adoc, taken, name_spans, person_tokens)
    entities = []
    for m in mentions:
        if any(a <= m.start and m.end <= b for a, b in taken[: len(money_facts)]):
            continue  # "US" in "US$5.7 billion"
        span = text[m.start : m.end]
        canonical = m.canonical or span
        entities.append(
            Fact(
                "entity", m.label, span, m.start, m.end, adoc.sentence_text(m.start, m.end), value=canonical,
                canonical=canonical, norm_key=norm_key(canonical), extractor=m.source,
            )
        )  # fmt: skip
    quote_mentions = [Mention(m.start, m.end, m.label, m.canonical or text[m.start : m.end]) for m in mentions]
    quotes = QuoteFinder(adoc, quote_spans, quote_mentions).facts()
    facts = entities + dates + money_facts + durations + quantities + quotes
    return sorted(facts, key=lambda f: (f.start, _TYPE_ORDER.get(f.fact_type, 9), f.end))


def _chunks(text: str, limit: int) -> list[tuple[int, str]]:
    """Paragraph-aligned pieces of at most ``limit`` characters, with their offsets."""
    if len(text) <= limit:
        return [(0, text)]
    out = []
    pos = 0
    while pos < len(text):
        if len(text) - pos <= limit:
            out.append((pos, text[pos:]))
            break
        window = text[pos : pos + limit]
        cut = -1
        for pattern in (r"\n\s*\n", r"\n", r"[.!?]\s", r"\s"):
            hits = [m.end() for m in re.finditer(pattern, window)]
            hits = [h for h in hits if h > limit // 2]
            if hits:
                cut = hits[-1]
                break
        if cut <= 0:
            cut = limit
        out.append((pos, text[pos : pos + cut]))
        pos += cut
    return out


def _shift(facts: list[Fact], offset: int) -> list[Fact]:
    if offset == 0:
        return facts
    return [replace(f, start=f.start + offset, end=f.end + offset) for f in facts]


def _harmonise(text: str, facts: list[Fact]) -> list[Fact]:
    """Across the chunks of one long article: a surname gets the full name found in another chunk,
    including surnames the model did not tag on their own and quotation speakers."""
    full = sorted(
        {
            f.canonical
            for f in facts
            if f.fact_type == "entity" and f.label == "PERSON" and f.canonical and " " in f.canonical
        },
        key=len,
        reverse=True,
    )
    by_part: dict[str, str] = {}
    for name in full:
        for part in (name.split()[-1], name.split()[0]):
            by_part.setdefault(part, name)
    covered = [(f.start, f.end) for f in facts if f.fact_type == "entity"]
    out = []
    for f in facts:
        if f.fact_type == "entity" and f.text in by_part and " " not in f.text and f.label != "GPE":
            name = by_part[f.text]
            f = replace(f, label="PERSON", canonical=name, value=name, norm_key=norm_key(name))
        elif f.fact_type == "quote" and f.speaker in by_part:
            f = replace(f, speaker=by_part[f.speaker])
        out.append(f)
    for part, name in by_part.items():
        for hit in re.finditer(r"(?<![\w’'-])" + re.escape(part) + r"(?![\w’'-])", text):
            if any(a < hit.end() and hit.start() < b for a, b in covered):
                continue
            sentence = text[
                text.rfind("\n", 0, hit.start()) + 1 : (text.find("\n", hit.end()) + 1 or len(text) + 1) - 1
            ]
            out.append(
                Fact(
                    "entity", "PERSON", part, hit.start(), hit.end(), sentence.strip(), value=name, canonical=name,
                    norm_key=norm_key(name), extractor="rules",
                )
            )  # fmt: skip
            covered.append((hit.start(), hit.end()))
    return sorted(out, key=lambda f: (f.start, _TYPE_ORDER.get(f.fact_type, 9), f.end))


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"published must be a date, datetime, ISO string or None, not {type(value).__name__}")


def _normalise(item: Any) -> ArticleInput | FactsResult:
    try:
        if isinstance(item, ArticleInput):
            article = item
        elif isinstance(item, str):
            article = ArticleInput(item)
        else:
            parts = tuple(item)
            if not 1 <= len(parts) <= 3:
                raise ValueError(f"expected (text, published[, language]), got {len(parts)} items")
            article = ArticleInput(*parts)
        if not isinstance(article.text, str):
            raise TypeError(f"article text must be str, not {type(article.text).__name__}")
        language = article.language if isinstance(article.language, str) else None
        return ArticleInput(article.text, _as_date(article.published), language)
    except Exception as exc:  # noqa: BLE001 - bad input fails its article only
        return FactsResult(FAILED, [], f"{type(exc).__name__}: {exc}")


def _failed(exc: BaseException | str, language: str | None = None) -> FactsResult:
    error = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return FactsResult(FAILED, [], error, language)


def _serial(jobs: Sequence[ArticleInput | FactsResult], settings: FactsSettings) -> list[FactsResult]:
    results: list[FactsResult | None] = [None] * len(jobs)
    segments: list[tuple[str, int, int]] = []  # (chunk, job index, offset)
    for index, job in enumerate(jobs):
        if isinstance(job, FactsResult):
            results[index] = job
            continue
        language = base_language(job.language)
        if language is not None and language not in MODEL_LANGUAGES:
            try:
                results[index] = FactsResult(
                    SKIPPED_LANGUAGE, rule_facts(job.text, job.published, language), None, language
                )
            except Exception as exc:  # noqa: BLE001 - one article fails, not the batch
                results[index] = _failed(exc, language)
            continue
        if len(job.text) > settings.max_chars:
            results[index] = _failed(
                f"body of {len(job.text)} characters exceeds the facts limit of {settings.max_chars} "
                "(NEWSFLOW_FACTS_MAX_CHARS)",
                language,
            )
            continue
        for offset, chunk in _chunks(job.text, settings.chunk_chars):
            segments.append((chunk, index, offset))
    if segments:
        found: dict[int, list[Fact]] = defaultdict(list)
        errors: dict[int, str] = {}
        nlp = load_model()
        for batch in _batches(segments, settings):
            for position, doc in _parse(nlp, [chunk for chunk, _, _ in batch], settings.batch_size):
                _, index, offset = batch[position]
                if index in errors:
                    continue
                if isinstance(doc, BaseException):
                    errors[index] = f"{type(doc).__name__}: {doc}"
                    continue
                job = jobs[index]
                assert isinstance(job, ArticleInput)
                try:
                    found[index].extend(_shift(analyse_doc(doc, job.published), offset))
                except Exception as exc:  # noqa: BLE001 - a rule failing on one article fails that article
                    errors[index] = f"{type(exc).__name__}: {exc}"
                del doc  # parsed documents are large; keep one at a time
        chunked = {index for _, index, offset in segments if offset > 0}
        for index in {index for _, index, _ in segments}:
            job = jobs[index]
            assert isinstance(job, ArticleInput)
            language = base_language(job.language)
            if index in errors:
                results[index] = _failed(errors[index], language)
            else:
                facts = _harmonise(job.text, found[index]) if index in chunked else found[index]
                results[index] = FactsResult(EXTRACTED, facts, None, language or "en")
    return [r if r is not None else _failed("not processed") for r in results]


# Texts per ``nlp.pipe`` call are bounded by characters too: parser memory grows with the text.
BATCH_CHARS = 200_000


def _batches(segments: list[tuple[str, int, int]], settings: FactsSettings) -> Iterator[list[tuple[str, int, int]]]:
    batch: list[tuple[str, int, int]] = []
    size = 0
    for segment in segments:
        if batch and (len(batch) >= settings.batch_size * 4 or size + len(segment[0]) > BATCH_CHARS):
            yield batch
            batch, size = [], 0
        batch.append(segment)
        size += len(segment[0])
    if batch:
        yield batch


def _parse(nlp: Any, texts: list[str], batch_size: int) -> Iterator[tuple[int, Any]]:
    """(position, Doc or the exception) for each text, streamed; a failing text fails alone."""
    done = 0
    try:
        for doc in nlp.pipe(texts, batch_size=batch_size):
            yield done, doc
            done += 1
        return
    except Exception:  # noqa: BLE001 - the batch stopped: parse the rest one by one to find the culprit
        pass
    for position in range(done, len(texts)):
        try:
            yield position, nlp(texts[position])
        except Exception as exc:  # noqa: BLE001
            yield position, exc


def _init_worker() -> None:
    load_model()


def _parallel(jobs: list[ArticleInput | FactsResult], settings: FactsSettings) -> list[FactsResult]:
    method = settings.start_method if settings.start_method in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    if method == "fork":
        load_model()  # the workers inherit the loaded model instead of loading it again
    shard_size = max(1, min(settings.batch_size, -(-len(jobs) // (settings.n_process * 4))))
    shards = [list(range(i, min(i + shard_size, len(jobs)))) for i in range(0, len(jobs), shard_size)]
    worker_settings = replace(settings, n_process=1)
    results: list[FactsResult | None] = [None] * len(jobs)
    with ProcessPoolExecutor(max_workers=settings.n_process, mp_context=context, initializer=_init_worker) as pool:
        futures = [pool.submit(_serial, [jobs[i] for i in shard], worker_settings) for shard in shards]
        for shard, future in zip(shards, futures, strict=True):
            try:
                shard_results = future.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker fails its articles, not the batch
                shard_results = [_failed(f"facts worker failed: {type(exc).__name__}: {exc}") for _ in shard]
            for index, result in zip(shard, shard_results, strict=True):
                results[index] = result
    return [r if r is not None else _failed("not processed") for r in results]


def extract_facts_many(
    items: Iterable[Any],
    settings: FactsSettings | None = None,
    *,
    n_process: int | None = None,
    batch_size: int | None = None,
) -> list[FactsResult]:
    """One :class:`FactsResult` per item, in order; never raises for a bad article.

    An item is ``(text, published)`` or ``(text, published, language)`` (or an
    :class:`ArticleInput`); ``published`` is a date, datetime, ISO string or None and anchors
    relative dates; ``language`` is an ISO 639-1 code ("en", "de", "es-MX"), None meaning English.
    """
    settings = settings or FactsSettings.from_env()
    if n_process is not None:
        settings = replace(settings, n_process=max(1, n_process))
    if batch_size is not None:
        settings = replace(settings, batch_size=max(1, batch_size))
    jobs = [_normalise(item) for item in items]
    parsed = sum(
        1 for j in jobs if isinstance(j, ArticleInput) and (base_language(j.language) or "en") in MODEL_LANGUAGES
    )
    daemonic = multiprocessing.current_process().daemon  # a Celery prefork task may not start processes
    if not daemonic and settings.n_process > 1 and parsed >= settings.n_process * settings.min_articles_per_process:
        return _parallel(jobs, settings)
    return _serial(jobs, settings)


def extract_facts(text: str, published: date | None = None, language: str | None = None) -> list[Fact]:
    """Facts of one text; ``published`` anchors relative dates ("Monday", "last week").

    Raises :class:`FactsError` if the article cannot be processed (use
    :func:`extract_facts_many` for the per-article status instead).
    """
    result = extract_facts_many([(text, published, language)], FactsSettings(n_process=1))[0]
    if result.status == FAILED:
        raise FactsError(result.error)
    return result.facts
