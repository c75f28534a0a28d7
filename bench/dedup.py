"""Deduplication quality on labelled pairs, and index cost as history grows.

Quality. A labelled set built at run time (seeded, so every run scores the same pairs):

* documents: the newsroom's bundled articles, rendered as pages and run through the pipeline's
  own extractor (so they carry whatever page furniture extraction leaves), and the ground-truth
  bodies of the article-extraction benchmark (181 real pages, several languages);
* positives: syndication-style copies of a document: trimmed to its first half or two thirds or
  without its last paragraph, re-paragraphed, re-spelled in another house style (US/UK spelling,
  ``per cent``/``%``, ``U.S.``/``US``, thousands separators, quote marks, weekday style), a
  dateline or wire credit added, leftover furniture (ads, share bars, newsletter boxes, photo
  credits, related headlines) added, a light copy edit, a changed headline; plus the newsroom's
  real syndicated story on three sites;
* hard negatives: different stories on the same topic: every document's nearest other
  document by TF-IDF cosine (benchmark and newsroom separately), the same pairs with identical
  site furniture added to both, follow-up stories that reuse background paragraphs of another
  (up to a third), stories that quote a paragraph of another, and stories written from one
  template (earnings, match reports, market closes) with different figures.

Each pair runs through ``assign_stories`` exactly as the pipeline does (the first document
committed to an in-memory history at one hour, the second decided at the next): predicted
positive when the second comes out as a copy of the first. Documents are split by a hash of
their key into a tuning part (where the default threshold was chosen) and a held-out part
(never used for tuning); both are reported.

Also the background: how often different real articles, and stories from one template, share a
band key (the candidates that grow with history in real life, which generated history lacks).

Scale. Histories of 100,000 and 1,000,000 articles (generated summaries: random band keys and
sketches, committed hour by hour through the real on-disk index, compactions included; plus
real summaries of the originals of a tenth of the new articles and of one templated look-alike
per 100 articles), then the time to decide 10,000 new real-text articles against each
(shingling, signatures, candidate search and verification) and to commit them, each size built
and timed in its own process, sizes alternating over ``--repeats`` rounds, best kept. Prints the
ratio on CPU time (robust on a shared machine) and on wall time (target <= 1.3), the absolute
seconds, index bytes per article and peak RSS (target < 1 GB; ``--huge`` adds 10,000,000,
target < 3 GB, and needs about 10 GB of temporary disk).

    PYTHONPATH=pipeline .venv/bin/python bench/dedup.py [--quality-only | --scale-only] [--huge]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARK = ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark"
CLOCK = datetime(2026, 11, 25, 10, tzinfo=UTC)
HELD_OUT_SHARE = 0.35


# ---------------------------------------------------------------- documents


@dataclass(frozen=True)
class Doc:
    key: str
    source: str  # "newsroom" or "benchmark"
    title: str
    paragraphs: tuple[str, ...]
    group: str | None = None  # syndication group (newsroom)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def newsroom_docs() -> list[Doc]:
    """The newsroom's articles as the pipeline sees them: rendered, then extracted."""
    from newsflow.extract import extract_html
    from newsflow.newsroom.content import load_articles
    from newsflow.newsroom.pages import render_page

    base = "http://127.0.0.1:8765"
    docs = []
    for article in load_articles():
        if article.kind in ("video", "gone"):
            continue
        extracted = extract_html(render_page(article, CLOCK, base), base + article.path)
        paragraphs = tuple(p for p in extracted.body.split("\n") if p.strip())
        if len(" ".join(paragraphs).split()) < 40:
            continue
        docs.append(
            Doc(
                f"newsroom:{article.site}/{article.slug}",
                "newsroom",
                article.title,
                paragraphs,
                article.syndication_group,
            )
        )
    return docs


def benchmark_docs(corpus: Path = BENCHMARK) -> list[Doc]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    docs = []
    for key in sorted(truth):
        body = truth[key].get("articleBody") or ""
        paragraphs = tuple(p.strip() for p in re.split(r"\n+", body) if p.strip())
        if len(body.split()) < 40:
            continue
        title = (truth[key].get("url") or key).rstrip("/").rsplit("/", 1)[-1].replace("-", " ")[:120]
        docs.append(Doc(f"benchmark:{key[:16]}", "benchmark", title, paragraphs))
    return docs


# ---------------------------------------------------------------- syndication-style edits

UK_US = [
    ("colour", "color"),
    ("favour", "favor"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("harbour", "harbor"),
    ("honour", "honor"),
    ("behaviour", "behavior"),
    ("centre", "center"),
    ("theatre", "theater"),
    ("metre", "meter"),
    ("organise", "organize"),
    ("recognise", "recognize"),
    ("realise", "realize"),
    ("criticise", "criticize"),
    ("apologise", "apologize"),
    ("paralyse", "paralyze"),
    ("analyse", "analyze"),
    ("defence", "defense"),
    ("licence", "license"),
    ("offence", "offense"),
    ("travelled", "traveled"),
    ("cancelled", "canceled"),
    ("modelling", "modeling"),
    ("catalogue", "catalog"),
    ("programme", "program"),
    ("tyre", "tire"),
    ("grey", "gray"),
    ("cheque", "check"),
    ("kerb", "curb"),
    ("aluminium", "aluminum"),
    ("paediatric", "pediatric"),
    ("manoeuvre", "maneuver"),
]
FURNITURE = [
    "Advertisement",
    "Share this article",
    "Share on Facebook Share on X Share on LinkedIn Email",
    "Sign up for our daily newsletter to get the top stories in your inbox every morning.",
    "Photo: Reuters",
    "Image: Getty Images",
    "Read more: {other}",
    "Related: {other}",
    "More on this story: {other} | {other2}",
    "Copyright 2026 The Associated Press. All rights reserved. This material may not be published, broadcast, "
    "rewritten or redistributed.",
    "This story was originally published by {agency}. Republished with permission.",
    "Our journalism depends on readers like you. Support independent news today.",
    "Follow us on Facebook and Twitter for the latest updates.",
    "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
    "Trending now: {other}",
    "Don't miss: {other}",
]
AGENCIES = ["Metro Wire", "Reuters", "AP", "AFP", "Bloomberg", "Press Association", "dpa"]
CITIES = ["LONDON", "NEW YORK", "WASHINGTON", "PARIS", "TOKYO", "BERLIN", "SAN FRANCISCO", "NAIROBI", "MADRID"]
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"


def _words(paragraphs: list[str] | tuple[str, ...]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?…”\"])\s+(?=[A-Z“\"(])", paragraph) if s]


def trim(paragraphs: list[str], share: float) -> list[str]:
    """Keep the first ``share`` of the words, cut at the nearest sentence end (at least one sentence)."""
    target = max(1, round(_words(paragraphs) * share))
    kept: list[str] = []
    count = 0
    for paragraph in paragraphs:
        sentences: list[str] = []
        for sentence in _sentences(paragraph):
            if count >= target and (kept or sentences):
                break
            sentences.append(sentence)
            count += len(sentence.split())
        if sentences:
            kept.append(" ".join(sentences))
        if count >= target:
            break
    return kept


def reparagraph(paragraphs: list[str], rng: random.Random) -> list[str]:
    sentences = [s for p in paragraphs for s in _sentences(p)]
    out: list[str] = []
    while sentences:
        take = rng.randint(1, 3)
        out.append(" ".join(sentences[:take]))
        sentences = sentences[take:]
    return out


def respell(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Another house style: spelling, percent, U.S., thousands separators, quotes, weekdays."""
    to_uk = rng.random() < 0.5
    percent = rng.choice(["%", " percent", " per cent"])

    def edit(text: str) -> str:
        for uk, us in UK_US:
            src, dst = (us, uk) if to_uk else (uk, us)
            text = re.sub(rf"\b{src}", dst, text)
            text = re.sub(rf"\b{src.capitalize()}", dst.capitalize(), text)
        text = re.sub(r"(\d)\s*(?:%|percent\b|per cent\b)", lambda m: m.group(1) + percent, text)
        text = re.sub(r"\bU\.S\.(?=\s)", "US", text) if to_uk else re.sub(r"\bUS\b", "U.S.", text)
        text = re.sub(r"(\d),(\d{3})\b", r"\1 \2" if to_uk else r"\1,\2", text)
        text = text.replace("“", '"').replace("”", '"').replace("’", "'") if rng.random() < 0.5 else text
        text = re.sub(rf"\bon ({WEEKDAYS})\b", r"\1", text) if rng.random() < 0.5 else text
        return text

    return [edit(p) for p in paragraphs]


def copy_edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    """A sub-editor's touch: drop one middle sentence, change a few reporting verbs."""
    out = [re.sub(r"\bsaid\b", "says", p) if rng.random() < 0.3 else p for p in paragraphs]
    if len(out) >= 4:
        i = rng.randrange(1, len(out) - 1)
        sentences = _sentences(out[i])
        if len(sentences) > 1:
            del sentences[rng.randrange(len(sentences))]
            out[i] = " ".join(sentences)
    return out


def furnish(paragraphs: list[str], rng: random.Random, others: list[Doc], count: int) -> list[str]:
    out = list(paragraphs)
    for _ in range(count):
        line = rng.choice(FURNITURE).format(
            other=rng.choice(others).title, other2=rng.choice(others).title, agency=rng.choice(AGENCIES)
        )
        out.insert(rng.choice([0, len(out), rng.randint(0, len(out))]), line)
    return out


def syndicate(doc: Doc, rng: random.Random, others: list[Doc]) -> tuple[str, list[str], list[str]]:
    """A syndicated copy of ``doc``: (new title, paragraphs, names of the edits applied)."""
    paragraphs = list(doc.paragraphs)
    if rng.random() < 0.2:  # the worst case: every edit at once
        paragraphs = copy_edit(respell(reparagraph(trim(paragraphs, 0.5), rng), rng), rng)
        paragraphs[0] = f"{rng.choice(CITIES)} ({rng.choice(AGENCIES)}) — {paragraphs[0]}"
        paragraphs = furnish(paragraphs, rng, others, rng.randint(4, 6))
        return f"UPDATE 2-{doc.title}", paragraphs, ["worst_case_all_edits"]
    edits: list[str] = []
    roll = rng.random()
    if roll < 0.25:
        paragraphs, edits = trim(paragraphs, 0.5), ["trim_half"]
    elif roll < 0.5:
        paragraphs, edits = trim(paragraphs, 2 / 3), ["trim_two_thirds"]
    elif roll < 0.7 and len(paragraphs) > 2:
        paragraphs, edits = paragraphs[:-1], ["drop_last_paragraph"]
    if rng.random() < 0.5:
        paragraphs = reparagraph(paragraphs, rng)
        edits.append("reparagraph")
    if rng.random() < 0.7:
        paragraphs = respell(paragraphs, rng)
        edits.append("respell")
    if rng.random() < 0.3:
        paragraphs = copy_edit(paragraphs, rng)
        edits.append("copy_edit")
    if rng.random() < 0.35 and paragraphs:
        paragraphs[0] = f"{rng.choice(CITIES)} ({rng.choice(AGENCIES)}) — {paragraphs[0]}"
        edits.append("dateline")
    if rng.random() < 0.75:
        paragraphs = furnish(paragraphs, rng, others, rng.randint(1, 4))
        edits.append("furniture")
    title = rng.choice(
        [
            f"UPDATE 1-{doc.title}",
            doc.title.upper(),
            " ".join(reversed(doc.title.split())),
            f"{doc.title.split(' ')[0]} latest: what we know",
        ]
    )
    return title, paragraphs, [*edits, "headline"]


# ---------------------------------------------------------------- templated stories (hard negatives)

# Automated wire copy (earnings, results, market closes) shares most of its wording between
# different stories: only names and figures change. Different facts, different stories.
TEMPLATES = {
    "earnings": (
        "{city} (AP) — {company} on {weekday} reported {quarter}-quarter net income of ${ni} million.",
        "On a per-share basis, the {city}-based company said it had profit of {eps} cents. Earnings, adjusted for "
        "one-time gains and costs, were {aeps} cents per share.",
        "The results {beat} Wall Street expectations. The average estimate of {n} analysts surveyed by Zacks "
        "Investment Research was for earnings of {est} cents per share.",
        "The {industry} company posted revenue of ${rev} million in the period, which also {beat2} Street "
        "forecasts. {m} analysts surveyed by Zacks expected ${rev_est} million.",
        "For the year, the company reported profit of ${yp} million, or ${yeps} per share. Revenue was reported "
        "as ${yrev} billion.",
        "{company} shares have {moved} {pct}% since the beginning of the year. The stock has {moved2} {pct2}% in the "
        "last 12 months.",
    ),
    "match": (
        "{team} beat {rival} {s1}-{s2} on {weekday} night, with {player} scoring {g} goals in front of {crowd} fans "
        "at {venue}.",
        "{player} opened the scoring in the {min1}th minute after a pass from {player2}, and {team} never trailed "
        "again.",
        "{rival} pulled one back through {player3} in the {min2}th minute, but {team} held on to move {pts} points "
        "clear in the table.",
        '"We knew it would be a hard game," {team} coach {coach} said after the match. "The players showed real '
        'character tonight."',
        "{team} have now won {w} of their last {l} games and host {next} on {weekday2}.",
    ),
    "markets": (
        "Stocks {dir} on {weekday} as investors weighed {topic}. The S&P 500 {dir2} {p1}%, the Dow Jones Industrial "
        "Average {dir3} {d} points, or {p2}%, and the Nasdaq composite {dir4} {p3}%.",
        "The yield on the 10-year Treasury {ydir} to {y}% from {y0}% late {prevday}.",
        "Benchmark U.S. crude oil {odir} {oc} cents to ${oil} a barrel. Brent crude {bdir} {bc} cents to ${brent}.",
        "In Asia, Tokyo's Nikkei 225 {ndir} {np}% and Hong Kong's Hang Seng {hdir} {hp}%. In Europe, Germany's DAX "
        "{xdir} {xp}%.",
        "{company} shares {cdir} {cp}% after the company {news}.",
    ),
}
_NAMES = {
    "city": ["DENVER", "BOSTON", "AUSTIN", "ATLANTA", "SEATTLE", "CHICAGO", "HOUSTON", "PHOENIX", "DALLAS", "MIAMI"],
    "company": [
        "Acme Tools",
        "Northwind Foods",
        "Brightline Health",
        "Corvid Systems",
        "Pinecrest Bank",
        "Halden Motors",
        "Lumen Retail",
        "Quarry Mining",
        "Tessellate Software",
        "Orchard Pharma",
    ],
    "industry": [
        "tool maker",
        "food processor",
        "health insurer",
        "software",
        "regional bank",
        "auto parts",
        "retail",
        "mining",
        "cloud computing",
        "drug maker",
    ],
    "team": [
        "Riverside United",
        "Harbor City",
        "Northfield Rovers",
        "Eastport Athletic",
        "Kingsbridge FC",
        "Millbrook Town",
        "Lakeside Wanderers",
        "Redhill Albion",
    ],
    "player": [
        "Marco Silva",
        "Jonah Okafor",
        "Liam Carter",
        "Tomas Novak",
        "Yusuf Diallo",
        "Kenji Mori",
        "Pablo Ortega",
        "Sami Haddad",
    ],
    "venue": ["Riverside Park", "the Harbor Ground", "Northfield Stadium", "the Eastport Arena"],
    "coach": ["Ana Ruiz", "Peter Lang", "Grace Obi", "Hugo Brandt"],
    "topic": [
        "the latest inflation report",
        "comments from Federal Reserve officials",
        "a batch of earnings",
        "rising bond yields",
        "weak retail sales",
        "a rally in technology shares",
    ],
    "news": ["raised its forecast", "announced job cuts", "agreed to buy a rival", "missed sales estimates"],
}
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def templated_docs(rng: random.Random, per_template: int = 14) -> list[Doc]:
    docs = []
    for name, sentences in TEMPLATES.items():
        for k in range(per_template):
            values: dict[str, object] = {key: rng.choice(options) for key, options in _NAMES.items()}
            values.update(
                rival=rng.choice(_NAMES["team"]),
                player2=rng.choice(_NAMES["player"]),
                player3=rng.choice(_NAMES["player"]),
                next=rng.choice(_NAMES["team"]),
                weekday=rng.choice(_WEEKDAYS),
                weekday2=rng.choice(_WEEKDAYS),
                prevday=rng.choice(_WEEKDAYS),
                quarter=rng.choice(["first", "second", "third", "fourth"]),
                beat=rng.choice(["beat", "missed", "topped"]),
                beat2=rng.choice(["beat", "missed", "topped"]),
                moved=rng.choice(["risen", "fallen"]),
                moved2=rng.choice(["risen", "fallen"]),
                dir=rng.choice(["rose", "fell", "drifted"]),
                dir2=rng.choice(["rose", "fell"]),
                dir3=rng.choice(["gained", "lost"]),
                dir4=rng.choice(["rose", "fell"]),
                ydir=rng.choice(["rose", "fell"]),
                odir=rng.choice(["rose", "fell"]),
                bdir=rng.choice(["rose", "fell"]),
                ndir=rng.choice(["rose", "fell"]),
                hdir=rng.choice(["rose", "fell"]),
                xdir=rng.choice(["rose", "fell"]),
                cdir=rng.choice(["jumped", "slumped"]),
            )
            for key in (
                "ni",
                "eps",
                "aeps",
                "n",
                "est",
                "rev",
                "m",
                "rev_est",
                "yp",
                "s1",
                "s2",
                "g",
                "min1",
                "min2",
                "pts",
                "w",
                "l",
                "d",
                "oc",
                "bc",
                "cp",
            ):
                values[key] = rng.randint(2, 95)
            for key in ("yeps", "yrev", "pct", "pct2", "p1", "p2", "p3", "y", "y0", "np", "hp", "xp", "oil", "brent"):
                values[key] = f"{rng.uniform(0.1, 9.9):.2f}"
            values["crowd"] = f"{rng.randint(8, 60)},{rng.randint(100, 999)}"
            paragraphs = tuple(s.format(**values) for s in sentences)
            docs.append(Doc(f"template:{name}-{k}", "template", f"{name} story {k}", paragraphs))
    return docs


# ---------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pair:
    first_key: str
    first_title: str
    first_body: str
    second_key: str
    second_title: str
    second_body: str
    label: bool
    kind: str
    held_out: bool


def held_out(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < HELD_OUT_SHARE


def _tfidf_neighbours(docs: list[Doc]) -> list[tuple[int, int, float]]:
    """Each document's most similar other document by TF-IDF cosine over words (unique pairs)."""
    bags = [Counter(w for w in re.findall(r"\w{3,}", d.body.casefold()) if not w.isdigit()) for d in docs]
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(docs)
    vectors = []
    for bag in bags:
        vec = {w: c * math.log(n / df[w]) for w, c in bag.items() if df[w] < n}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    pairs: dict[tuple[int, int], float] = {}
    for i, vi in enumerate(vectors):
        best, best_score = -1, -1.0
        for j, vj in enumerate(vectors):
            if i == j or (docs[i].group and docs[i].group == docs[j].group):
                continue
            small, large = (vi, vj) if len(vi) < len(vj) else (vj, vi)
            score = sum(v * large.get(w, 0.0) for w, v in small.items())
            if score > best_score:
                best, best_score = j, score
        if best >= 0:
            pairs[(min(i, best), max(i, best))] = best_score
    return [(i, j, s) for (i, j), s in sorted(pairs.items())]


def build_pairs(seed: int = 19) -> list[Pair]:
    rng = random.Random(seed)
    newsroom, benchmark = newsroom_docs(), benchmark_docs()
    docs = newsroom + benchmark
    pairs: list[Pair] = []

    def add(a: Doc, b_key: str, b_title: str, b_body: str, label: bool, kind: str) -> None:
        pairs.append(
            Pair(
                a.key,
                a.title,
                a.body,
                b_key,
                b_title,
                b_body,
                label,
                kind,
                held_out(a.key) or held_out(b_key.split("#")[0]),
            )
        )

    # Positives: one syndicated copy of every document, a second one of every other document.
    for i, doc in enumerate(docs):
        for copy in range(2 if i % 2 == 0 else 1):
            title, paragraphs, edits = syndicate(doc, rng, docs)
            add(doc, f"{doc.key}#copy{copy}", title, "\n\n".join(paragraphs), True, "+".join(edits))
    # The newsroom's real syndication: every pair within a group, in both orders of arrival.
    groups: dict[str, list[Doc]] = {}
    for doc in newsroom:
        if doc.group:
            groups.setdefault(doc.group, []).append(doc)
    for members in groups.values():
        for a in members:
            for b in members:
                if a is not b:
                    add(a, b.key, b.title, b.body, True, "newsroom_syndication")
    # Hard negatives: same topic, different story.
    templated = templated_docs(rng)
    for a, b in zip(templated, templated[1:], strict=False):
        if a.key.split("-")[0] == b.key.split("-")[0]:
            add(a, b.key, b.title, b.body, False, "templated_different_facts")
    for part in (newsroom, benchmark):
        for i, j, _score in _tfidf_neighbours(part):
            a, b = part[i], part[j]
            add(a, b.key, b.title, b.body, False, "same_topic")
            shared = [
                rng.choice(FURNITURE).format(
                    other=rng.choice(docs).title, other2=rng.choice(docs).title, agency=rng.choice(AGENCIES)
                )
                for _ in range(2)
            ]
            a_furnished = Doc(a.key, a.source, a.title, (*a.paragraphs, *shared))
            add(
                a_furnished,
                b.key + "#furnished",
                b.title,
                "\n\n".join((*b.paragraphs, *shared)),
                False,
                "same_topic_same_furniture",
            )
            # A follow-up story: B's own text plus background paragraphs taken from A, up to a third
            # of the shorter of the two.
            background = list(a.paragraphs[len(a.paragraphs) // 2 :])
            limit = min(_words(a.paragraphs), _words(b.paragraphs)) / 3
            taken: list[str] = []
            while background and _words(taken) + len(background[0].split()) <= limit:
                taken.append(background.pop(0))
            if taken:
                add(
                    a,
                    b.key + "#follow-up",
                    b.title,
                    "\n\n".join((*b.paragraphs, *taken)),
                    False,
                    "follow_up_shares_background",
                )
            # B quotes one paragraph of A: a small part of both (at most a fifth of either).
            limit = min(_words(a.paragraphs), _words(b.paragraphs)) / 5
            quotable = [p for p in a.paragraphs[1:-1] if 12 <= len(p.split()) <= limit]
            if quotable:
                quoted = list(b.paragraphs)
                quoted.insert(len(quoted) // 2, rng.choice(quotable))
                add(a, b.key + "#quotes", b.title, "\n\n".join(quoted), False, "same_topic_quotes_a_paragraph")
    return pairs


# ---------------------------------------------------------------- quality


def pair_rows(pair: Pair) -> tuple[dict, dict]:
    """The two documents of a pair as article rows on two different sites."""
    from newsflow.dedup.hashing import stable_id

    def row(key: str, title: str, body: str, minutes: int) -> dict:
        digest = hashlib.sha256(f"{key}\x1f{title}".encode()).hexdigest()
        url = f"https://{digest[:10]}.example.com/news/{digest[10:18]}"
        canonical = url
        return {
            "article_id": stable_id(canonical),
            "canonical_url": canonical,
            "url": url,
            "title": title,
            "body": body,
            "published": CLOCK - timedelta(minutes=minutes),
            "content_hash": None,
        }

    return row(pair.first_key, pair.first_title, pair.first_body, 90), row(
        pair.second_key + "#2", pair.second_title, pair.second_body, 30
    )


def similarities(pairs: list[Pair], settings) -> list[float | None]:
    """Per pair: the verified similarity of the second document to the first, None if LSH never proposed it."""
    from dataclasses import replace

    from newsflow.dedup.store import MemoryHistory
    from newsflow.dedup.stories import assign_stories

    probe = replace(settings, threshold=1e-6)  # report every verified candidate; thresholds are applied below
    out: list[float | None] = []
    for pair in pairs:
        first, second = pair_rows(pair)
        history = MemoryHistory(probe)
        decided = assign_stories([first], history, CLOCK, probe)[0]
        history.commit_hour(CLOCK, [{**first, **decided.columns()}])
        decision = assign_stories([second], history, CLOCK + timedelta(hours=1), probe)[0]
        out.append(decision.similarity if decision.duplicate_of == first["article_id"] else None)
    return out


def precision_recall(labels: list[bool], scores: list[float | None], threshold: float) -> tuple[float, float, int, int]:
    predicted = [s is not None and s >= threshold for s in scores]
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(not p and y for p, y in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn


def run_quality(settings, verbose: bool = False) -> dict:
    started = time.perf_counter()
    pairs = build_pairs()
    scores = similarities(pairs, settings)
    seconds = time.perf_counter() - started
    report: dict = {"pairs": len(pairs), "seconds": round(seconds, 2), "threshold": settings.threshold}
    for part, held in (("tuning", False), ("held_out", True)):
        idx = [i for i, p in enumerate(pairs) if p.held_out == held]
        labels = [pairs[i].label for i in idx]
        part_scores = [scores[i] for i in idx]
        p, r, fp, fn = precision_recall(labels, part_scores, settings.threshold)
        report[part] = {
            "pairs": len(idx),
            "positives": sum(labels),
            "negatives": len(labels) - sum(labels),
            "precision": round(p, 4),
            "recall": round(r, 4),
            "false_positives": fp,
            "false_negatives": fn,
        }
        if not held:
            sweep = {}
            for t in [x / 100 for x in range(20, 91, 5)]:
                sp, sr, _, _ = precision_recall(labels, part_scores, t)
                sweep[f"{t:.2f}"] = (round(sp, 4), round(sr, 4))
            report["tuning_sweep"] = sweep
    misses = [
        (p.kind, scores[i])
        for i, p in enumerate(pairs)
        if p.label and not (scores[i] is not None and scores[i] >= settings.threshold)
    ]
    false = [
        (p.kind, p.first_key, p.second_key, scores[i])
        for i, p in enumerate(pairs)
        if not p.label and (scores[i] is not None and scores[i] >= settings.threshold)
    ]
    report["missed_positives"] = misses
    report["false_positives"] = false
    pos = [s for s, p in zip(scores, pairs, strict=True) if p.label]
    report["positives_never_proposed"] = sum(s is None for s in pos)
    neg = [s for s, p in zip(scores, pairs, strict=True) if not p.label and s is not None]
    report["negative_similarity_max"] = round(max(neg), 4) if neg else None
    report["positive_similarity_min"] = round(min(s for s in pos if s is not None), 4)
    return report


def background_rate(settings) -> dict:
    """How often two *different* articles share a band key, and what verifying a candidate costs.

    The scale test's generated history never collides by chance; real history does, and those
    candidates grow with history. Measured on every pair of corpus documents that are not copies
    of each other (real articles, and stories written from one template, separately), it
    projects the candidates per new article at each history size, before the per-article limit
    (``max_candidates``) that bounds them.
    """
    import numpy as np

    from newsflow.dedup.features import minhasher
    from newsflow.dedup.minhash import overlaps
    from newsflow.dedup.text import shingle_hashes

    signer = minhasher(settings.bands, settings.rows, settings.sketch_size)
    report: dict = {}
    for name, docs in (("real", newsroom_docs() + benchmark_docs()), ("templated", templated_docs(random.Random(19)))):
        shingles = [shingle_hashes(d.body, settings.shingle_size) for d in docs]
        sig = signer.sign(shingles)
        pairs = colliding = 0
        for i in range(len(docs)):
            for j in range(i + 1, len(docs)):
                if docs[i].group and docs[i].group == docs[j].group:
                    continue
                pairs += 1
                colliding += bool(np.any(sig.band_keys[i] == sig.band_keys[j]))
        rate = colliding / pairs
        report[name] = {
            "pairs": pairs,
            "colliding": colliding,
            "rate": rate,
            "per_article_at": {n: round(rate * n, 1) for n in (100_000, 1_000_000, 10_000_000)},
        }
    docs = newsroom_docs()
    shingles = [shingle_hashes(d.body, settings.shingle_size) for d in docs]
    sig = signer.sign(shingles)
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    for k in range(100):
        rows = rng.integers(0, len(docs), settings.max_candidates)
        overlaps(sig.sketch[rows], sig.used[rows], sig.tau[rows], shingles[k % len(docs)])
    report["verify_seconds_per_candidate"] = (time.perf_counter() - started) / (100 * settings.max_candidates)
    return report


# ---------------------------------------------------------------- scale


def sentence_pool() -> list[str]:
    sentences = []
    for doc in newsroom_docs() + benchmark_docs():
        for paragraph in doc.paragraphs:
            sentences.extend(s for s in _sentences(paragraph) if len(s.split()) >= 6)
    return sentences


def synthetic_articles(count: int, rng: random.Random, pool: list[str], start: int) -> list[Doc]:
    """Distinct articles of 12-30 real sentences each (sharing a sentence now and then, as news does)."""
    docs = []
    for n in range(start, start + count):
        picked = rng.sample(pool, rng.randint(12, 30))
        paragraphs = tuple(" ".join(picked[i : i + 3]) for i in range(0, len(picked), 3))
        docs.append(Doc(f"synthetic:{n}", "synthetic", f"Synthetic story {n}", paragraphs))
    return docs


def article_row(doc_key: str, title: str, body: str, published: datetime) -> dict:
    from newsflow.dedup.hashing import content_hash, stable_id

    url = f"https://site{int(hashlib.sha256(doc_key.encode()).hexdigest()[:4], 16) % 500}.example.com/{doc_key}"
    return {
        "article_id": stable_id(url),
        "canonical_url": url,
        "url": url,
        "title": title,
        "body": body,
        "published": published,
        "content_hash": content_hash(body),
    }


def generated_segment(hour: int, rows: int, rng, settings):
    """``rows`` random article summaries for one hour: what an index holds, without texts behind them."""
    import numpy as np

    from newsflow.dedup.minhash import Signatures
    from newsflow.dedup.segments import Segment

    size = rng.integers(150, 1500, rows).astype(np.uint32)
    used = np.minimum(size, settings.sketch_size).astype(np.uint16)
    tau = (np.float64(2**64 - 1) * np.minimum(1.0, settings.sketch_size / size)).astype(np.uint64)
    signatures = Signatures(
        band_keys=rng.integers(0, 2**32, (rows, settings.bands), dtype=np.uint64).astype(np.uint32),
        sketch=rng.integers(0, 2**16, (rows, settings.sketch_size), dtype=np.uint64).astype(np.uint16),
        tau=tau,
        size=size,
        used=used,
    )
    ids = rng.integers(1, 2**63, rows, dtype=np.uint64)
    return Segment.build(
        hours=np.full(rows, hour, np.int32),
        article=ids,
        story=ids,
        dup=np.zeros(rows, np.uint64),
        similarity=np.full(rows, np.nan, np.float32),
        version=np.ones(rows, np.uint16),
        url=rng.integers(1, 2**63, rows, dtype=np.uint64),
        content=rng.integers(1, 2**63, rows, dtype=np.uint64),
        signatures=signatures,
    )


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def templated_history(count: int) -> list[Doc]:
    """``count`` stories written from the templates (different figures each): history's look-alikes."""
    docs = templated_docs(random.Random(7), per_template=max(1, count // len(TEMPLATES)))
    return [Doc(f"{d.key}-history", d.source, d.title, d.paragraphs) for d in docs]


def new_batch(new: int) -> tuple[list[Doc], list[tuple[str, str, str]]]:
    """The same ``new`` articles in every process: a tenth copies of originals planted in history,
    a hundredth new stories from the templates whose look-alikes fill part of history."""
    rng = random.Random(1)
    pool = sentence_pool()
    planted = synthetic_articles(new // 10, rng, pool, 0)
    templated = templated_docs(random.Random(11), per_template=max(1, new // 100 // len(TEMPLATES)))
    fresh = synthetic_articles(new - len(planted) - len(templated), rng, pool, len(planted))
    batch: list[tuple[str, str, str]] = []
    for doc in planted:
        title, paragraphs, _ = syndicate(doc, rng, planted)
        batch.append((doc.key + "#copy", title, "\n\n".join(paragraphs)))
    batch += [(d.key + "-new", d.title, d.body) for d in templated]
    batch += [(d.key, d.title, d.body) for d in fresh]
    rng.shuffle(batch)
    return planted, batch


def build_worker(history: int, new: int, directory: Path) -> dict:
    """Commit ``history`` generated articles hour by hour (compactions included), plus the planted originals."""
    import numpy as np

    from newsflow.dedup.keys import hour_number
    from newsflow.dedup.settings import DedupSettings
    from newsflow.dedup.store import DedupIndex, hour_segment

    settings = DedupSettings.from_env()
    planted, _ = new_batch(new)
    nprng = np.random.default_rng(history)
    index = DedupIndex(directory, settings)
    chunk = max(10_000, history // 100)
    first_hour = hour_number(CLOCK) - (history // chunk) - 2
    started = time.perf_counter()
    # Real summaries: the originals of the batch's copies, and one templated story per 100 of history.
    real = planted + templated_history(history // 100)
    planted_rows = [article_row(d.key, d.title, d.body, CLOCK - timedelta(hours=3)) for d in real]
    index.commit_segment(first_hour - 1, hour_segment(first_hour - 1, planted_rows, settings))
    for k in range(history // chunk):
        index.commit_segment(first_hour + k, generated_segment(first_hour + k, chunk, nprng, settings))
    stored = sum(f.stat().st_size for f in (directory / "segments").rglob("*") if f.is_file())
    articles = len(DedupIndex(directory, settings))
    return {
        "history": articles,
        "segments": len(index.segments),
        "index_bytes_per_article": round(stored / articles, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
        "build_peak_rss_bytes": peak_rss_bytes(),
    }


def time_worker(new: int, directory: Path) -> dict:
    """Open the index as a new task would, then decide and commit the new articles (then undo the commit)."""
    from newsflow.dedup.features import prepare
    from newsflow.dedup.keys import hour_number
    from newsflow.dedup.settings import DedupSettings
    from newsflow.dedup.store import DedupIndex
    from newsflow.dedup.stories import assign_stories, committed

    settings = DedupSettings.from_env()
    planted, batch = new_batch(new)
    hour = hour_number(CLOCK)
    rows = [
        article_row(key, title, body, CLOCK - timedelta(minutes=i % 60)) for i, (key, title, body) in enumerate(batch)
    ]
    wall, cpu = time.perf_counter(), time.process_time()
    index = DedupIndex(directory, settings)
    prepared = prepare(rows, settings)
    decisions = assign_stories(rows, index, hour, settings, prepared)
    decide_wall, decide_cpu = time.perf_counter() - wall, time.process_time() - cpu
    index.commit_hour(hour, *committed(rows, decisions, prepared))
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    index.drop_hour(hour)
    planted_ids = {article_row(d.key, "", "", CLOCK)["article_id"] for d in planted}
    copies = {row["article_id"] for row, (key, _, _) in zip(rows, batch, strict=True) if key.endswith("#copy")}
    found = sum(1 for d in decisions if d.duplicate_of in planted_ids and d.article_id in copies)
    templated = [d for d, (key, _, _) in zip(decisions, batch, strict=True) if key.startswith("template:")]
    return {
        "new": len(rows),
        "templated_new_matched": f"{sum(d.kind != 'original' for d in templated)}/{len(templated)}",
        "seconds": round(total_wall, 3),
        "cpu_seconds": round(total_cpu, 3),
        "decide_seconds": round(decide_wall, 3),
        "decide_cpu_seconds": round(decide_cpu, 3),
        "copies_of_history_found": f"{found}/{len(planted)}",
        "peak_rss_bytes": peak_rss_bytes(),
    }


def _worker(mode: str, history: int, new: int, directory: Path) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--scale-worker",
        mode,
        "--history",
        str(history),
        "--new",
        str(new),
        "--directory",
        str(directory),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        raise RuntimeError(f"{mode} worker for {history:,} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_scale(histories: list[int], new: int, repeats: int) -> list[dict]:
    """Build each history in its own process, then time the sizes in turn, ``repeats`` rounds, best kept.

    Each build and each timed run is a separate process, so each reports its own peak RSS; and
    the sizes alternate, so a busy moment on a shared machine hits them alike.
    """
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        built = {}
        for history in histories:
            built[history] = _worker("build", history, new, Path(tmp) / f"h{history}")
            print(f"  built {history:>10,}: {json.dumps(built[history])}", flush=True)
        runs: dict[int, list[dict]] = {h: [] for h in histories}
        for _ in range(repeats):
            for history in histories:
                runs[history].append(_worker("time", history, new, Path(tmp) / f"h{history}"))
                print(f"  timed {history:>10,}: {json.dumps(runs[history][-1])}", flush=True)
    results = []
    for history in histories:
        best = min(runs[history], key=lambda r: r["cpu_seconds"])
        best["seconds"] = min(r["seconds"] for r in runs[history])
        best["peak_rss_bytes"] = max(
            [built[history]["build_peak_rss_bytes"], *(r["peak_rss_bytes"] for r in runs[history])]
        )
        results.append({**built[history], **best})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--huge", action="store_true", help="also 10,000,000 articles of history (needs ~10 GB disk)")
    parser.add_argument("--new", type=int, default=10_000, help="new articles to add (default 10,000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds over the sizes (best of each kept)")
    parser.add_argument("--histories", default="100000,1000000", help="history sizes, the first is the baseline")
    parser.add_argument("--scale-worker", choices=("build", "time"), help=argparse.SUPPRESS)
    parser.add_argument("--history", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scale_worker == "build":
        print(json.dumps(build_worker(args.history, args.new, Path(args.directory))))
        return
    if args.scale_worker == "time":
        print(json.dumps(time_worker(args.new, Path(args.directory))))
        return

    from newsflow.dedup.settings import DedupSettings

    settings = DedupSettings.from_env()
    print(f"settings: {json.dumps(settings.as_dict())}")
    if not args.scale_only:
        report = run_quality(settings)
        print(f"quality: {report['pairs']} labelled pairs in {report['seconds']} s, threshold {settings.threshold}")
        for part in ("tuning", "held_out"):
            r = report[part]
            print(
                f"  {part:<9} {r['pairs']:>4} pairs ({r['positives']} copies, {r['negatives']} different stories): "
                f"precision {r['precision']:.4f}  recall {r['recall']:.4f}  "
                f"(false positives {r['false_positives']}, missed {r['false_negatives']})"
            )
        best = max(report["tuning_sweep"].items(), key=lambda kv: 2 * kv[1][0] * kv[1][1] / (kv[1][0] + kv[1][1]))
        print(f"  tuning sweep (threshold: precision, recall): {report['tuning_sweep']}")
        print(f"  best F1 on the tuning part at threshold {best[0]}; default {settings.threshold}")
        print(
            f"  copies never proposed by LSH: {report['positives_never_proposed']}; lowest copy similarity "
            f"{report['positive_similarity_min']}, highest different-story similarity "
            f"{report['negative_similarity_max']}"
        )
        for kind, score in report["missed_positives"]:
            print(f"    missed copy: {kind} (similarity {score})")
        for kind, a, b, score in report["false_positives"]:
            print(f"    false match: {kind} {a} ~ {b} ({score})")
        kinds = Counter(p.kind.split("+")[0] if not p.label else "copy" for p in build_pairs())
        print(f"  pair kinds: {dict(kinds)}")
        bg = background_rate(settings)
        real, templated = bg["real"], bg["templated"]
        print(
            f"background: {real['colliding']} of {real['pairs']} pairs of different real articles share a band key "
            f"(rate {real['rate']:.1e}): {real['per_article_at']} candidates per new article at those history sizes; "
            f"stories from one template: {templated['colliding']} of {templated['pairs']} pairs (rate "
            f"{templated['rate']:.2f} of a story's look-alikes in history); verified per article at most "
            f"{settings.max_candidates} (the ones sharing most bands)"
        )
        print(
            f"  verifying a candidate costs {bg['verify_seconds_per_candidate'] * 1e6:.1f} us (in batches of "
            f"{settings.max_candidates})"
        )
    if not args.quality_only:
        histories = [int(h) for h in args.histories.split(",")]
        if args.huge:
            histories.append(10_000_000)
        print(f"scale: adding {args.new:,} articles to a history of {', '.join(f'{h:,}' for h in histories)}")
        results = run_scale(histories, args.new, args.repeats)
        base = results[0]
        for r in results:
            ratio_cpu, ratio_wall = r["cpu_seconds"] / base["cpu_seconds"], r["seconds"] / base["seconds"]
            print(
                f"  history {r['history']:>10,}: {r['seconds']:6.2f} s wall, {r['cpu_seconds']:6.2f} s CPU "
                f"(deciding {r['decide_cpu_seconds']:.2f} s CPU); ratio vs {base['history']:,}: {ratio_cpu:.2f} CPU, "
                f"{ratio_wall:.2f} wall; {r['index_bytes_per_article']:.0f} bytes/article in {r['segments']} segments; "
                f"peak RSS {r['peak_rss_bytes'] / 2**20:.0f} MB; copies of history found "
                f"{r['copies_of_history_found']}; templated stories wrongly matched {r['templated_new_matched']}"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "pipeline"))
    main()
