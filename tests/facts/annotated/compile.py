"""Compile the annotated sources (``src/<id>.ann``) into ``<id>.txt``, ``<id>.json`` and ``index.json``.

The sources carry the annotations inline (``[text]{TAG key=value}``, nesting allowed), which keeps
the gold next to the words it describes while writing; the compiled JSON is what the tests and
``bench/facts.py`` read. ``python tests/facts/annotated/compile.py`` rewrites the compiled files;
``compile_source`` is also used by the tests to check that the compiled files are up to date.
"""

from __future__ import annotations

import calendar
import json
import re
import shlex
import sys
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENTITY_TAGS = {"PERSON", "ORG", "GPE", "LOC"}
GROUP = {"MONEY": "money", "PCT": "percent", "QTY": "quantities", "DATE": "dates", "QUOTE": "quotes"}
# Marked in places as a reading aid, never exhaustively, so not part of the gold.
IGNORED_TAGS = {"NORP"}
HEADER_KEYS = ("id", "split", "section", "published", "language", "title")


class SourceError(ValueError):
    pass


def parse_markup(marked: str) -> tuple[str, list[tuple[str, dict[str, str], int, int]]]:
    """Plain text and ``(tag, attrs, start, end)`` spans from ``[text]{TAG k=v}`` markup."""
    out: list[str] = []
    pos = 0  # length of the plain text so far
    stack: list[int] = []
    spans: list[tuple[str, dict[str, str], int, int]] = []
    i = 0
    while i < len(marked):
        ch = marked[i]
        if ch == "\\" and i + 1 < len(marked) and marked[i + 1] in "[]{}":
            out.append(marked[i + 1])
            pos += 1
            i += 2
        elif ch == "[":
            stack.append(pos)
            i += 1
        elif ch == "]":
            if not stack or marked[i + 1 : i + 2] != "{":
                raise SourceError(f"unbalanced ']' near {marked[max(0, i - 40) : i + 20]!r}")
            close = marked.index("}", i)
            tag, *rest = shlex.split(marked[i + 2 : close])
            attrs = {}
            for item in rest:
                key, _, value = item.partition("=")
                attrs[key] = value
            spans.append((tag, attrs, stack.pop(), pos))
            i = close + 1
        else:
            out.append(ch)
            pos += 1
            i += 1
    if stack:
        raise SourceError(f"{len(stack)} unclosed '['")
    return "".join(out), spans


def date_range(spec: str) -> tuple[str, str, str]:
    """``(date_start, date_end, resolution)`` for a ``d=`` value."""
    if "/" in spec:
        first, last = spec.split("/")
        start, _, resolution = date_range(first)
        _, end, _ = date_range(last)
        return start, end, resolution
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", spec):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return day.isoformat(), day.isoformat(), "day"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", spec):
        year, month = int(m[1]), int(m[2])
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1).isoformat(), date(year, month, last).isoformat(), "month"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", spec):
        year, quarter = int(m[1]), int(m[2])
        first_month = 3 * quarter - 2
        last = calendar.monthrange(year, first_month + 2)[1]
        return date(year, first_month, 1).isoformat(), date(year, first_month + 2, last).isoformat(), "quarter"
    if m := re.fullmatch(r"(\d{4})-W(\d{2})", spec):
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "week"
    if m := re.fullmatch(r"(\d{4})", spec):
        return f"{m[1]}-01-01", f"{m[1]}-12-31", "year"
    raise SourceError(f"bad date spec {spec!r}")


def _number(value: str | None) -> float | None:
    if value is None or value == "null":
        return None
    return float(value)


def _occurrence(text: str, needle: str, start: int) -> int:
    count, at = 0, -1
    while True:
        at = text.find(needle, at + 1)
        if at < 0 or at > start:
            raise SourceError(f"{needle!r} not found at {start}")
        count += 1
        if at == start:
            return count


def _fact(tag: str, attrs: dict[str, str], text: str, start: int, end: int) -> dict:
    span = text[start:end]
    if span != span.strip() or not span:
        raise SourceError(f"span {span!r} has surrounding whitespace or is empty")
    item: dict = {"text": span, "occurrence": _occurrence(text, span, start), "start": start, "end": end}
    known: set[str]
    if tag in ENTITY_TAGS:
        known = {"c"}
        item.update(label=tag, canonical=attrs.get("c", span))
    elif tag == "MONEY":
        known = {"v", "max", "cur", "unit", "label"}
        item.update(
            label=attrs.get("label", "MONEY"),
            value_num=_number(attrs["v"]),
            value_max=_number(attrs.get("max")),
            currency=attrs["cur"],
            unit=attrs.get("unit"),
        )
    elif tag == "PCT":
        known = {"v", "max", "unit"}
        item.update(
            label="PERCENT",
            value_num=_number(attrs["v"]),
            value_max=_number(attrs.get("max")),
            unit=attrs.get("unit", "percent"),
        )
    elif tag == "QTY":
        known = {"v", "max", "q", "unit", "obj", "label"}
        item.update(
            label=attrs.get("label", "CARDINAL"),
            value_num=_number(attrs.get("v")),
            value_max=_number(attrs.get("max")),
            qualifier=attrs.get("q"),
            unit=attrs.get("unit"),
            object=attrs.get("obj"),
        )
    elif tag == "DATE":
        known = {"d"}
        start_date, end_date, resolution = date_range(attrs["d"])
        item.update(date_start=start_date, date_end=end_date, resolution=resolution)
    elif tag == "QUOTE":
        known = {"sp"}
        item.update(speaker=attrs["sp"])
    else:
        raise SourceError(f"unknown tag {tag!r}")
    unknown = set(attrs) - known
    if unknown:
        raise SourceError(f"{tag} {span!r}: unknown keys {sorted(unknown)}")
    return item


def compile_source(source: str) -> tuple[str, dict]:
    """``(body, gold)`` from the text of one ``.ann`` file."""
    head, sep, marked = source.partition("\n---\n")
    if not sep:
        raise SourceError("no '---' line between header and body")
    meta = {}
    for line in head.strip().splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    missing = [k for k in HEADER_KEYS if k not in meta]
    if missing:
        raise SourceError(f"header misses {missing}")
    date.fromisoformat(meta["published"])
    body, spans = parse_markup(marked.strip())
    gold: dict = {k: meta[k] for k in HEADER_KEYS}
    gold["words"] = len(body.split())
    gold.update(entities=[], money=[], percent=[], quantities=[], dates=[], quotes=[])
    for tag, attrs, start, end in sorted(spans, key=lambda s: (s[2], -s[3])):
        if tag in IGNORED_TAGS:
            continue
        group = "entities" if tag in ENTITY_TAGS else GROUP.get(tag)
        if group is None:
            raise SourceError(f"unknown tag {tag!r}")
        gold[group].append(_fact(tag, attrs, body, start, end))
    return body, gold


def compile_all(directory: Path = HERE) -> list[dict]:
    index = []
    for src in sorted((directory / "src").glob("*.ann")):
        try:
            body, gold = compile_source(src.read_text(encoding="utf-8"))
        except SourceError as exc:
            raise SourceError(f"{src.name}: {exc}") from exc
        if gold["id"] != src.stem:
            raise SourceError(f"{src.name}: id {gold['id']!r} differs from the file name")
        (directory / f"{src.stem}.txt").write_text(body, encoding="utf-8")
        (directory / f"{src.stem}.json").write_text(json.dumps(gold, indent=1, ensure_ascii=False) + "\n", "utf-8")
        index.append({k: gold[k] for k in ("id", "split", "section", "published", "language", "words")})
    (directory / "index.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    return index


if __name__ == "__main__":
    articles = compile_all()
    for split in ("tune", "heldout"):
        part = [a for a in articles if a["split"] == split]
        print(f"{split}: {len(part)} articles, {sum(a['words'] for a in part)} words")
    sys.exit(0)
