"""Counted and measured things: the number, its qualifier, its unit and the noun phrase it counts.

"as many as 20 secretive, undeclared missile bases" → 20, ``at_most``, object "missile bases"
(the head noun with the nouns compounded to it, from the dependency parse); "roughly 130 miles"
→ 130 ``mile``; "dozens of facilities" → no value, qualifier ``dozens``, object "facilities";
"15 to 17 metres" → 15 and ``value_max`` 17. Ages ("Smith, 52,", "aged 21") and durations
("38-month sentence") are quantities with the labels ``AGE`` and ``DURATION``. Numbers that name
rather than count — years, codes ("Nodong-1", "Route 9", "Category 4"), scores and tallies
("3-2", "a 9-4 vote"), ordinals, "one of" — are not quantities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsflow.facts.dates import TIME_UNITS
from newsflow.facts.doc import ArticleDoc, Token
from newsflow.facts.money import qualifier_before
from newsflow.facts.numbers import SCALES, WORD_NUMBERS, parse_digits, render_number, word_number
from newsflow.facts.types import Fact

UNITS: dict[str, str] = {
    "mile": "mile", "miles": "mile", "km": "km", "kms": "km", "kilometre": "km", "kilometres": "km",
    "kilometer": "km", "kilometers": "km", "metre": "metre", "metres": "metre", "meter": "metre", "meters": "metre",
    "m": "metre", "cm": "cm", "centimetre": "cm", "centimetres": "cm", "centimeter": "cm", "centimeters": "cm",
    "mm": "mm", "millimetre": "mm", "millimetres": "mm", "millimeter": "mm", "millimeters": "mm", "foot": "foot",
    "feet": "foot", "ft": "foot", "inch": "inch", "inches": "inch", "yard": "yard", "yards": "yard",
    "kg": "kg", "kgs": "kg", "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "kilos": "kg", "gram": "gram",
    "grams": "gram", "g": "gram", "tonne": "tonne", "tonnes": "tonne", "ton": "ton", "tons": "ton", "lb": "pound",
    "lbs": "pound", "ounce": "ounce", "ounces": "ounce", "oz": "ounce", "acre": "acre", "acres": "acre",
    "hectare": "hectare", "hectares": "hectare", "ha": "hectare", "litre": "litre", "litres": "litre",
    "liter": "litre", "liters": "litre", "gallon": "gallon", "gallons": "gallon", "barrel": "barrel",
    "barrels": "barrel", "bushel": "bushel", "bushels": "bushel", "megawatt": "MW", "megawatts": "MW", "mw": "MW",
    "gigawatt": "GW", "gigawatts": "GW", "gw": "GW", "kilowatt": "kW", "kilowatts": "kW", "kwh": "kWh",
    "mwh": "MWh", "twh": "TWh", "gwh": "GWh", "degree": "degree", "degrees": "degree", "mph": "mile per hour",
    "kph": "km per hour", "km/h": "km per hour", "knots": "knot", "knot": "knot", "teu": "TEU",
    "square": "square", "cubic": "cubic", "calories": "calorie", "megabytes": "MB", "gigabytes": "GB",
}  # fmt: skip
TIME_UNIT_WORDS = set(TIME_UNITS)
CODE_WORDS = {
    "no", "no.", "number", "route", "category", "level", "article", "section", "chapter", "stage", "phase",
    "flight", "gate", "room", "highway", "interstate", "apollo", "model", "version", "series", "episode", "grade",
    "class", "division", "platform", "terminal", "channel", "figure", "table", "page", "item", "rule", "clause",
    "amendment", "resolution", "paragraph", "district", "ward", "precinct", "unit", "act", "game", "week", "day",
    "year", "pier", "lot", "bay", "block", "suite", "floor", "row", "seat", "track", "lane", "exit", "box",
    "covid", "mark", "type", "tier", "size", "band", "nos", "vol", "vol.", "part", "step", "league",
}  # fmt: skip
TRANSPORT_AFTER = {"bus", "route", "line", "tram", "train", "road", "street", "avenue", "freeway", "motorway"}
VAGUE_WORDS = {"dozens": "dozens", "scores": "scores", "hundreds": "hundreds", "thousands": "thousands",
               "millions": "millions", "billions": "billions"}  # fmt: skip
AGE_NOUNS = {"children", "kids", "babies", "people", "adults", "those", "anyone", "workers", "women", "men",
             "girls", "boys", "patients", "pupils", "students", "everyone", "teenagers", "residents",
             "aged"}  # fmt: skip
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")
_NUMERIC = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _is_number(tok: Token) -> bool:
    low = tok.lower_
    if _NUMERIC.match(tok.text):
        return True
    return low in WORD_NUMBERS and low not in ("half", "a", "an") or (low in SCALES and low not in ("m", "b", "k"))


def _value(tokens: Sequence[Token]) -> float | None:
    words = [t.lower_ for t in tokens if t.text != "-"]
    if not words:
        return None
    if _NUMERIC.match(words[0]):
        value = parse_digits(words[0])
        for w in words[1:]:
            if w in SCALES:
                value = (value or 0) * SCALES[w]
        return value
    total = 0.0
    current = 0.0
    found = False
    for w in words:
        if w in SCALES and w != "dozen":
            current = (current or 1) * SCALES[w]
            total += current
            current = 0.0
        elif w == "dozen":
            current = (current or 1) * 12
        else:
            number = word_number(w)
            if number is None:
                return None
            current += number
        found = True
    return total + current if found else None


def _compound_chain(noun: Token, exclude: set[int]) -> str:
    """The noun with the nouns compounded to its left ("missile operating bases")."""
    while noun.dep_ in ("compound", "nmod") and noun.head.i > noun.i and noun.head.tag_ in ("NN", "NNS"):
        noun = noun.head  # "38 league matches" parsed with 38 on "league"
    first = noun
    while True:
        prev_i = first.i - 1
        if prev_i < 0 or prev_i in exclude:
            break
        prev = noun.doc[prev_i]
        attached = prev.head.i in (noun.i, first.i) or prev.i < prev.head.i <= noun.i
        if attached and prev.dep_ in ("compound", "nmod") and prev.tag_ in ("NN", "NNS", "NNP", "NNPS", "VBG"):
            first = prev
            continue
        break
    return noun.doc[first.i : noun.i + 1].text


def _object_of(noun: Token, exclude: set[int]) -> Token | None:
    """For "tonnes of wheat", "dozens of facilities", "three of the nine members": the noun after "of"."""
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in child.children:
                if pobj.dep_ == "pobj" and pobj.i not in exclude:
                    return pobj
    return None


def _unit_after(doc, j: int) -> tuple[str, int] | None:
    """(canonical unit, index of its last token) for the unit words after token ``j``, if any."""
    k = j + 1
    if k < len(doc) and doc[k].text == "-":
        k += 1
    if k >= len(doc):
        return None
    word = doc[k].lower_
    if word == "degrees" or word == "degree":
        if k + 1 < len(doc) and doc[k + 1].lower_ in ("celsius", "centigrade", "c"):
            return "degree_celsius", k + 1
        if k + 1 < len(doc) and doc[k + 1].lower_ in ("fahrenheit", "f"):
            return "degree_fahrenheit", k + 1
        return "degree", k
    if word in ("square", "cubic") and k + 1 < len(doc) and doc[k + 1].lower_ in UNITS:
        return f"{word} {UNITS[doc[k + 1].lower_]}", k + 1
    if word in UNITS and word not in ("square", "cubic"):
        if word in ("m", "g") and not doc[k - 1].text[-1:].isdigit():
            return None
        unit, last = UNITS[word], k
        rest = [t.lower_ for t in doc[k + 1 : k + 5]]
        if rest[:2] and rest[0] in ("per", "a", "an") and len(rest) > 1:
            per = rest[1]
            if per in ("square", "cubic") and len(rest) > 2 and rest[2] in UNITS:
                return f"{unit} per {per} {UNITS[rest[2]]}", k + 3
            if per in UNITS:
                return f"{unit} per {UNITS[per]}", k + 2
            if per in ("day", "hour", "second", "minute", "year", "week", "month"):
                return f"{unit} per {per}", k + 2
        return unit, last
    if word in TIME_UNIT_WORDS:
        return "time:" + TIME_UNITS[word], k
    return None


def _age_context(adoc: ArticleDoc, first: Token, last: Token, mentions_person: set[int]) -> str | None:
    """ "AGE" when the number is someone's age, by the way news writes ages."""
    doc = adoc.doc
    prev = doc[first.i - 1] if first.i > 0 else None
    nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
    value_text = doc[first.i : last.i + 1].text
    if not re.fullmatch(r"\d{1,3}", value_text) and not (first.i == last.i and first.lower_ in WORD_NUMBERS):
        return None
    if prev is not None and prev.lower_ in ("aged", "age"):
        return "AGE"
    if prev is not None and prev.text == "," and nxt is not None and nxt.text in (",", ".", ";", ")"):
        before = doc[prev.i - 1] if prev.i > 0 else None
        if before is not None and (before.i in mentions_person or before.tag_ in ("NNP", "NNPS")):
            return "AGE"
    if (
        prev is not None
        and prev.lower_ == "at"
        and nxt is not None
        and nxt.text == ","
        and (prev.i == 0 or doc[prev.i - 1].is_sent_start or prev.is_sent_start)
    ):
        return "AGE"
    if prev is not None and prev.lower_ in ("was", "is", "am", "turned", "turns", "were") and prev.i > 0:
        subject = doc[prev.i - 1]
        personal = subject.lower_ in ("i", "he", "she", "we", "they", "you") or subject.i in mentions_person
        if personal and (nxt is None or nxt.is_punct or nxt.lower_ in ("when", "and", "but", "years")):
            return "AGE"
    if (
        prev is not None
        and prev.lower_ in ("under", "over", "below", "above")
        and prev.i > 0
        and doc[prev.i - 1].lower_ in AGE_NOUNS
        and (nxt is None or nxt.is_punct or nxt.lower_ in ("and", "or"))
    ):
        return "AGE"
    return None


def find_quantities(
    adoc: ArticleDoc,
    taken: Sequence[tuple[int, int]],
    name_spans: Sequence[tuple[int, int]],
    person_tokens: set[int],
) -> list[Fact]:
    """Quantity facts of a parsed article; ``taken`` spans (money, percent, dates) are skipped."""
    doc = adoc.doc
    text = adoc.text
    out: list[Fact] = []
    n = len(doc)
    i = 0

    def blocked(start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in taken) or any(a <= start and end <= b for a, b in name_spans)

    while i < n:
        tok = doc[i]
        low = tok.lower_
        if low in VAGUE_WORDS and i + 1 < n and doc[i + 1].lower_ == "of" and not (i > 0 and _is_number(doc[i - 1])):
            if not blocked(tok.idx, tok.idx + len(tok)):
                pobj = _object_of(tok, set())
                obj = _compound_chain(pobj, set()) if pobj is not None else None
                if obj is None or not re.search(r"dollars?|euros?|pounds|yen|rupees|francs", obj, re.IGNORECASE):
                    out.append(
                        _fact(adoc, tok.idx, tok.idx + len(tok), "CARDINAL", None, None, VAGUE_WORDS[low], None, obj)
                    )
            i += 1
            continue
        if not _is_number(tok) or (low in SCALES and low != "dozen"):
            i += 1
            continue
        # the number group: digits or number words followed by scale words ("2.5 million", "twenty-five")
        j = i
        while j + 1 < n and (
            doc[j + 1].lower_ in SCALES
            or (
                doc[j + 1].lower_ in WORD_NUMBERS
                and not _NUMERIC.match(doc[j].text)
                and doc[j + 1].lower_ not in ("a", "an", "half")
            )
            or (
                doc[j + 1].text == "-"
                and j + 2 < n
                and doc[j + 2].lower_ in WORD_NUMBERS
                and doc[j].lower_ in WORD_NUMBERS
            )
        ):
            j += 1
        if low == "dozen" and i > 0 and doc[i - 1].lower_ == "a":
            i -= 1  # "a dozen"
        group = doc[i : j + 1]
        first, last = doc[i], doc[j]
        start, end = first.idx, last.idx + len(last)
        i_next = j + 1
        value = 12.0 if group.text.lower() == "a dozen" else _value(list(group))
        if value is None or blocked(start, end) or _skip(adoc, first, last):
            i = i_next
            continue
        # a range: "15 to 17 metres", "between 2 and 3 degrees", "5-7"
        value_max = None
        k = j + 1
        joined = k + 1 < n and doc[k].lower_ in ("to", "-", "–", "and", "or") and _is_number(doc[k + 1])
        if joined and (doc[k].lower_ != "and" or (i > 0 and doc[i - 1].lower_ == "between")):
            m = k + 1
            while m + 1 < n and doc[m + 1].lower_ in SCALES:
                m += 1
            second = _value(list(doc[k + 1 : m + 1]))
            if second is not None and second > value and not blocked(doc[k + 1].idx, doc[m].idx + len(doc[m])):
                if (
                    doc[k].text in ("-", "–")
                    and doc[k].whitespace_ == ""
                    and doc[j].whitespace_ == ""
                    and not (_unit_after(doc, m))
                ):
                    i = m + 1
                    continue  # "3-2", "9-4": a score or a tally
                value_max = second
                j = m
                last = doc[j]
                end = last.idx + len(last)
                i_next = j + 1
        qualifier = qualifier_before(text, start)
        if i > 0 and doc[i - 1].lower_ in ("over", "about") and doc[i - 1].dep_ == "prep":
            qualifier = None  # "wins over three seeded players": a preposition, not a qualifier
        if i > 0 and doc[i - 1].lower_ == "minus":
            start, value = doc[i - 1].idx, -value
            value_max = None
        # magnitude of an earthquake
        if i > 0 and doc[i - 1].lower_ == "magnitude":
            start = doc[i - 1].idx
            nxt = doc[j + 1] if j + 1 < n else None
            obj = nxt.text if nxt is not None and nxt.tag_ in ("NN", "NNS") else None
            out.append(_fact(adoc, start, end, "QUANTITY", value, value_max, qualifier, "magnitude", obj))
            i = i_next
            continue
        unit = _unit_after(doc, j)
        label = "CARDINAL"
        unit_name = None
        obj = None
        exclude = set(range(i, j + 1))
        if unit is not None:
            unit_name, unit_last = unit
            exclude.update(range(j + 1, unit_last + 1))
            unit_tok = doc[unit_last]
            end = unit_tok.idx + len(unit_tok)
            if unit_name.startswith("time:"):
                unit_name = unit_name[5:]
                label = "DURATION"
                tail = doc[unit_last + 1 : unit_last + 3]
                if len(tail) and (
                    tail[0].lower_ == "old" or (tail[0].text == "-" and len(tail) > 1 and tail[1].lower_ == "old")
                ):
                    label = "AGE"
                    unit_last = unit_last + (1 if tail[0].lower_ == "old" else 2)
                    end = doc[unit_last].idx + len(doc[unit_last])
            else:
                label = "QUANTITY"
            i_next = max(i_next, unit_last + 1)
            head = unit_tok
            pobj = _object_of(head, exclude)
            if pobj is not None:
                obj = _compound_chain(pobj, exclude)
            elif (
                head.head.i > head.i
                and head.head.tag_ in ("NN", "NNS")
                and head.dep_ in ("compound", "amod", "nmod", "npadvmod", "nummod")
            ):
                obj = _compound_chain(head.head, exclude)
        else:
            age = _age_context(adoc, first, last, person_tokens)
            if age:
                following = text[end : end + 20].lower()
                if re.match(r"\s+(?:and|or)\s+(?:over|older|above|up)\b", following):
                    qualifier = "at_least"
                elif re.match(r"\s+(?:and|or)\s+(?:under|younger|below)\b", following):
                    qualifier = "at_most"
                out.append(_fact(adoc, start, end, "AGE", value, value_max, qualifier, "year", None))
                i = i_next
                continue
            if low == "one" and j == i:
                i = i_next
                continue  # "one of", "the one man": not a count
            head = last.head
            noun = None
            if last.dep_ in ("nummod", "quantmod", "compound") and head.tag_ in ("NN", "NNS", "NNPS") and head.i > j:
                noun = head
            elif (pobj := _object_of(last, exclude)) is not None:
                noun = pobj
            elif j + 1 < n and doc[j + 1].tag_ in ("NN", "NNS") and doc[j + 1].dep_ not in ("nsubj",):
                noun = doc[j + 1]
            if noun is not None:
                if noun.lower_ in TRANSPORT_AFTER and noun.i == j + 1:
                    i = i_next
                    continue
                obj = _compound_chain(noun, exclude)
                if re.fullmatch(r"(?:times?|percent|per|cent)", noun.lower_):
                    obj = None if noun.lower_ != "times" else obj
        out.append(_fact(adoc, start, end, label, value, value_max, qualifier, unit_name, obj))
        i = i_next
    return out


def _skip(adoc: ArticleDoc, first: Token, last: Token) -> bool:
    """Numbers that name rather than count: years, codes, ordinals, scores, times."""
    doc = adoc.doc
    text = first.text
    if first.i == last.i and _YEAR.match(text):
        return True
    if re.search(r"[A-Za-z]\d|\d[A-Za-z]", text) or re.search(r"\d(?:st|nd|rd|th)$", text):
        return True
    prev = doc[first.i - 1] if first.i > 0 else None
    nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
    if prev is not None:
        if prev.lower_ in CODE_WORDS or prev.text in ("#", "No.", "№"):
            return True
        if (
            prev.text in ("-", "–", "/", ":", ".")
            and prev.whitespace_ == ""
            and prev.i > 0
            and (
                doc[prev.i - 1].like_num or doc[prev.i - 1].tag_ in ("NNP", "NN") and doc[prev.i - 1].whitespace_ == ""
            )
        ):
            return True  # "9-4", "Nodong-1", "10:30", "3/4"
        if (
            prev.tag_ == "NNP"
            and prev.text[:1].isupper()
            and prev.whitespace_ == " "
            and not prev.is_sent_start
            and (nxt is None or nxt.tag_ not in ("NN", "NNS"))
            and prev.ent_type_ in ("ORG", "PRODUCT", "FAC", "EVENT", "LAW", "WORK_OF_ART")
        ):
            return True
    if nxt is not None:
        if nxt.text in (":", "/") and nxt.whitespace_ == "" or nxt.lower_ in ("a.m.", "p.m.", "am", "pm", "gmt", "bst"):
            return True
        if nxt.text in ("-", "–") and nxt.whitespace_ == "" and nxt.i + 1 < len(doc) and doc[nxt.i + 1].like_num:
            following = doc[nxt.i + 2] if nxt.i + 2 < len(doc) else None
            if following is None or following.lower_ not in UNITS and following.lower_ not in TIME_UNIT_WORDS:
                return True
        if nxt.lower_ in ("th", "st", "nd", "rd"):
            return True
    return first.ent_type_ in ("ORDINAL", "TIME") or bool(first.ent_type_ == "DATE" and _YEAR.match(text))


def _fact(
    adoc: ArticleDoc,
    start: int,
    end: int,
    label: str,
    value: float | None,
    value_max: float | None,
    qualifier: str | None,
    unit: str | None,
    obj: str | None,
) -> Fact:
    rendered = None
    if value is not None:
        rendered = render_number(value) + ("" if value_max is None else "–" + render_number(value_max))
        if unit:
            rendered += f" {unit}"
    return Fact(
        "quantity", label, adoc.text[start:end], start, end, adoc.sentence_text(start, end), value=rendered,
        value_num=value, value_max=value_max, unit=unit, qualifier=qualifier, object=obj, extractor="spacy+rules",
    )  # fmt: skip
