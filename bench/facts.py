"""Facts quality on the hand-annotated articles, and throughput against the bare spaCy pipeline.

Quality (``tests/facts/annotated``, tune and held-out parts printed separately and combined):

- entities: strict span and type, PERSON / ORG / GPE-LOC (GPE and LOC are one class); precision,
  recall and F1 over all mentions; predictions with other labels (NORP, FAC …) are ignored;
- money, percent, quantity, date, quote: a prediction matches a gold item of the same type whose
  span it overlaps (one-to-one, largest overlap first); precision and recall over the matches;
- values on the matched pairs: money exactly right = value_num, value_max and currency;
  dates exactly right = date_start, date_end and resolution; percent = value, max and unit;
  quantities = value, max, qualifier and unit (object accuracy where the gold names one);
  quote speaker accuracy = the speaker, compared without case and leading article.

Speed (same run, same texts, 2 worker processes each): the bare pipeline
``nlp.pipe(texts, n_process=2)`` with every component of the same model, against
``extract_facts_many(items, n_process=2)`` with all fact types; best of ``--rounds``; peak RSS of
the whole process tree (parent and workers), sampled.

    PYTHONPATH=pipeline:. .venv/bin/python bench/facts.py [--split tune] [--errors] [--repeat 6] [--join 2] [--no-speed]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import threading
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import psutil

from newsflow.facts import FactsSettings, extract_facts_many
from newsflow.facts.model import MODEL_PACKAGE

ROOT = Path(__file__).resolve().parents[1]
ANNOTATED = ROOT / "tests" / "facts" / "annotated"
SPAN_TYPES = {"money": "money", "percent": "percent", "quantities": "quantity", "dates": "date", "quotes": "quote"}
TARGETS = {"entity_f1": 0.85, "precision": 0.9, "recall": 0.85, "speaker": 0.85, "values": 0.9, "speed": 0.9}


def load_articles(split: str | None = None) -> list[dict]:
    index = json.loads((ANNOTATED / "index.json").read_text())
    out = []
    for entry in index:
        if split and entry["split"] != split:
            continue
        gold = json.loads((ANNOTATED / f"{entry['id']}.json").read_text())
        gold["body"] = (ANNOTATED / f"{entry['id']}.txt").read_text(encoding="utf-8")
        out.append(gold)
    return out


def entity_class(label: str) -> str | None:
    return {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE-LOC", "LOC": "GPE-LOC"}.get(label)


def norm_speaker(s: str | None) -> str:
    s = (s or "").lower().replace("’", "'").strip()
    return re.sub(r"^(?:the|a|an)\s+", "", s)


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def match_spans(gold: list[dict], pred: list) -> list[tuple[dict, object]]:
    """One-to-one pairs of overlapping spans, largest overlap first."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            overlap = min(g["end"], p.end) - max(g["start"], p.start)
            if overlap > 0:
                candidates.append((overlap, gi, pi))
    candidates.sort(key=lambda c: -c[0])
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gold[gi], pred[pi]))
    return pairs


def value_ok(kind: str, g: dict, p) -> bool:
    if kind == "money":
        return close(g["value_num"], p.value_num) and close(g["value_max"], p.value_max) and g["currency"] == p.currency
    if kind == "percent":
        return close(g["value_num"], p.value_num) and close(g["value_max"], p.value_max) and g["unit"] == p.unit
    if kind == "quantity":
        return (
            close(g["value_num"], p.value_num)
            and close(g["value_max"], p.value_max)
            and g["qualifier"] == p.qualifier
            and g["unit"] == p.unit
        )
    if kind == "date":
        return (
            p.date_start is not None
            and g["date_start"] == p.date_start.isoformat()
            and g["date_end"] == p.date_end.isoformat()
            and g["resolution"] == p.resolution
        )
    return True


class Tally:
    def __init__(self) -> None:
        self.c: Counter = Counter()
        self.errors: list[str] = []

    def ratio(self, num: str, den: str) -> float:
        return self.c[num] / self.c[den] if self.c[den] else float("nan")


def score(articles: list[dict], results: list, keep_errors: bool = False) -> Tally:
    t = Tally()
    for article, result in zip(articles, results, strict=True):
        body = article["body"]
        facts = result.facts
        aid = article["id"]
        for f in facts:
            assert body[f.start : f.end] == f.text, (aid, f)
        gold_ents = {(e["start"], e["end"], entity_class(e["label"])) for e in article["entities"]}
        pred_ents = {
            (f.start, f.end, entity_class(f.label)) for f in facts if f.fact_type == "entity" and entity_class(f.label)
        }
        tp = gold_ents & pred_ents
        t.c["ent_tp"] += len(tp)
        t.c["ent_pred"] += len(pred_ents)
        t.c["ent_gold"] += len(gold_ents)
        for cls in ("PERSON", "ORG", "GPE-LOC"):
            t.c[f"ent_tp_{cls}"] += sum(1 for x in tp if x[2] == cls)
            t.c[f"ent_pred_{cls}"] += sum(1 for x in pred_ents if x[2] == cls)
            t.c[f"ent_gold_{cls}"] += sum(1 for x in gold_ents if x[2] == cls)
        gold_canon = {(e["start"], e["end"]): e["canonical"] for e in article["entities"]}
        for f in facts:
            if f.fact_type == "entity" and (f.start, f.end) in gold_canon and entity_class(f.label):
                t.c["canon_n"] += 1
                t.c["canon_ok"] += gold_canon[(f.start, f.end)] == f.canonical
                if keep_errors and gold_canon[(f.start, f.end)] != f.canonical:
                    t.errors.append(
                        f"{aid} canonical {f.text!r}: gold {gold_canon[(f.start, f.end)]!r} got {f.canonical!r}"
                    )
        if keep_errors:
            for s, e, cls in sorted(gold_ents - pred_ents):
                t.errors.append(
                    f"{aid} entity missed {body[s:e]!r} {cls} "
                    f"(pred here: {[(body[a:b], c) for a, b, c in pred_ents if a < e and s < b]})"
                )
            for s, e, cls in sorted(pred_ents - gold_ents):
                if not any(a < e and s < b for a, b, _ in gold_ents):
                    t.errors.append(f"{aid} entity spurious {body[s:e]!r} {cls}")
        for group, kind in SPAN_TYPES.items():
            gold = article[group]
            pred = [f for f in facts if f.fact_type == kind]
            pairs = match_spans(gold, pred)
            t.c[f"{kind}_tp"] += len(pairs)
            t.c[f"{kind}_pred"] += len(pred)
            t.c[f"{kind}_gold"] += len(gold)
            for g, p in pairs:
                ok = value_ok(kind, g, p)
                t.c[f"{kind}_val_ok"] += ok
                if kind == "quantity" and g.get("object"):
                    t.c["object_n"] += 1
                    t.c["object_ok"] += (p.object or "").lower() == g["object"].lower()
                    if keep_errors and (p.object or "").lower() != g["object"].lower():
                        t.errors.append(f"{aid} object {g['text']!r}: gold {g['object']!r} got {p.object!r}")
                if kind == "money":
                    t.c["money_label_ok"] += g["label"] == p.label and g["unit"] == p.unit
                if kind == "quantity":
                    t.c["quantity_label_ok"] += g["label"] == p.label
                if kind == "quote":
                    good = norm_speaker(g["speaker"]) == norm_speaker(p.speaker)
                    t.c["speaker_ok"] += good
                    if keep_errors and not good:
                        t.errors.append(f"{aid} speaker {g['text'][:50]!r}: gold {g['speaker']!r} got {p.speaker!r}")
                if keep_errors and not ok:
                    got = {
                        k: getattr(p, k)
                        for k in (
                            "value_num",
                            "value_max",
                            "currency",
                            "unit",
                            "qualifier",
                            "label",
                            "date_start",
                            "date_end",
                            "resolution",
                        )
                        if getattr(p, k) is not None
                    }
                    want = {k: g[k] for k in g if k not in ("text", "occurrence", "start", "end") and g[k] is not None}
                    t.errors.append(f"{aid} {kind} value {g['text']!r} / {p.text!r}: gold {want} got {got}")
            if keep_errors:
                matched_g = {id(g) for g, _ in pairs}
                matched_p = {id(p) for _, p in pairs}
                for g in gold:
                    if id(g) not in matched_g:
                        t.errors.append(f"{aid} {kind} missed {g['text'][:60]!r}")
                for p in pred:
                    if id(p) not in matched_p:
                        t.errors.append(f"{aid} {kind} spurious {p.text[:60]!r} ({p.label})")
    return t


def report(name: str, t: Tally) -> dict:
    p = t.ratio("ent_tp", "ent_pred")
    r = t.ratio("ent_tp", "ent_gold")
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    out = {"entity_p": p, "entity_r": r, "entity_f1": f1}
    print(f"\n== {name}")
    print(f"  entities   P {p:.3f}  R {r:.3f}  F1 {f1:.3f}   (gold {t.c['ent_gold']})", end="")
    for cls in ("PERSON", "ORG", "GPE-LOC"):
        cp, cr = t.ratio(f"ent_tp_{cls}", f"ent_pred_{cls}"), t.ratio(f"ent_tp_{cls}", f"ent_gold_{cls}")
        cf = 2 * cp * cr / (cp + cr) if cp + cr else 0.0
        print(f"  {cls} {cf:.2f}", end="")
        out[f"entity_f1_{cls}"] = cf
    print(f"\n  canonical  {t.ratio('canon_ok', 'canon_n'):.3f} of {t.c['canon_n']} matched entities")
    for kind in ("money", "percent", "quantity", "date", "quote"):
        kp, kr = t.ratio(f"{kind}_tp", f"{kind}_pred"), t.ratio(f"{kind}_tp", f"{kind}_gold")
        values = t.ratio(f"{kind}_val_ok", f"{kind}_tp")
        extra = ""
        if kind == "quote":
            extra = f"  speaker {t.ratio('speaker_ok', 'quote_tp'):.3f}"
            out["speaker"] = t.ratio("speaker_ok", "quote_tp")
        elif kind == "money":
            extra = f"  values {values:.3f}  label+unit {t.ratio('money_label_ok', 'money_tp'):.3f}"
        elif kind == "quantity":
            extra = (
                f"  values {values:.3f}  label {t.ratio('quantity_label_ok', 'quantity_tp'):.3f}"
                f"  object {t.ratio('object_ok', 'object_n'):.3f} of {t.c['object_n']}"
            )
        else:
            extra = f"  values {values:.3f}"
        print(f"  {kind:<9}  P {kp:.3f}  R {kr:.3f}   (gold {t.c[kind + '_gold']}){extra}")
        out[f"{kind}_p"], out[f"{kind}_r"], out[f"{kind}_values"] = kp, kr, values
    return out


class RssSampler:
    """Peak resident memory of this process and all its children, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        me = psutil.Process(os.getpid())
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            time.sleep(0.02)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())


def speed(articles: list[dict], repeat: int, rounds: int, n_process: int, batch_size: int, join: int = 1) -> None:
    import spacy

    bodies = [a["body"] for a in articles]
    if join > 1:  # longer articles: n annotated articles in one body (~350 words each)
        bodies = ["\n\n".join(bodies[i : i + join]) for i in range(0, len(bodies), join)]
    items = [(body, date(2026, 3, 19), "en") for body in bodies] * repeat
    texts = [t for t, _, _ in items]
    words = sum(len(t.split()) for t in texts) / len(texts)
    bare = spacy.load(MODEL_PACKAGE)  # every component, as shipped
    settings = FactsSettings(n_process=n_process, batch_size=batch_size)
    baseline_times, ours_times = [], []
    baseline_peak = ours_peak = 0
    for _ in range(rounds):
        with RssSampler() as rss:
            started = time.perf_counter()
            for _doc in bare.pipe(texts, n_process=n_process, batch_size=batch_size):
                pass
            baseline_times.append(time.perf_counter() - started)
        baseline_peak = max(baseline_peak, rss.peak)
        with RssSampler() as rss:
            started = time.perf_counter()
            results = extract_facts_many(items, settings)
            ours_times.append(time.perf_counter() - started)
        ours_peak = max(ours_peak, rss.peak)
        assert all(r.status == "extracted" for r in results)
    b, o = min(baseline_times), min(ours_times)
    print(
        f"\n== speed: {len(texts)} articles (~{words:.0f} words), {n_process} processes, batch {batch_size}, "
        f"best of {rounds}, {os.cpu_count()} CPUs"
    )
    print(
        f"  bare nlp.pipe(n_process={n_process})      {len(texts) / b:6.1f} articles/s   "
        f"peak RSS {baseline_peak / 2**20:6.0f} MB"
    )
    print(
        f"  extract_facts_many(n_process={n_process}) {len(texts) / o:6.1f} articles/s   "
        f"peak RSS {ours_peak / 2**20:6.0f} MB"
    )
    ratio = b / o
    print(
        f"  ratio {ratio:.2f} (target >= {TARGETS['speed']}), "
        f"peak RSS {'<' if ours_peak < 1.5 * 2**30 else '>='} 1.5 GB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tune", "heldout"), help="score one part only")
    parser.add_argument("--errors", action="store_true", help="print every mismatch (use on the tune part)")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--repeat", type=int, default=6, help="copies of the set in the speed run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--join", type=int, default=1, help="articles per body in the speed run (2 ≈ 700 words)")
    args = parser.parse_args()
    articles = load_articles(args.split)
    results = extract_facts_many(
        [(a["body"], date.fromisoformat(a["published"]), a.get("language", "en")) for a in articles],
        FactsSettings(n_process=1),
    )
    failed = [(a["id"], r.error) for a, r in zip(articles, results, strict=True) if r.status != "extracted"]
    if failed:
        print("FAILED:", failed)
    by_split: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        by_split[a["split"]].append(i)
    summary = {}
    for split in ("tune", "heldout"):
        if split in by_split:
            idx = by_split[split]
            tally = score([articles[i] for i in idx], [results[i] for i in idx], args.errors and split == "tune")
            summary[split] = report(f"{split} ({len(idx)} articles)", tally)
            if args.errors and split == "tune":
                print("\n".join(tally.errors))
    if len(by_split) > 1:
        summary["combined"] = report(f"combined ({len(articles)} articles)", score(articles, results))
    if not args.no_speed:
        speed(articles, args.repeat, args.rounds, args.processes, args.batch_size, args.join)


if __name__ == "__main__":
    main()
