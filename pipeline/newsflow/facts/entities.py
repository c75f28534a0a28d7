"""People, organisations and places: the small model's entities, corrected and resolved per article.

The model alone labels a city PERSON in one sentence and GPE in the next, reads "North and South
Korea" as one place, misses names after long titles ("Special Envoy for North Korea Stephen
Biegun") and never links "Biegun" to "Stephen Biegun". On top of it:

1. trimming: no leading "the", no titles or honorifics in a name, no possessive, no score;
2. rules: a small gazetteer of places, organisation and landform words ("… Building Society",
   "Bank of …", "… Glacier"), names after titles or as the subject of a speech verb, "X, known
   as Y" aliases, acronyms of the article's organisations;
3. an article-level consistency pass: every mention of the same name gets the majority label,
   where context counts too ("in X", "X, the payments company", "X’s shares"), and unlabelled
   repeats of a known name are added;
4. resolution: short mentions ("Biegun", "Corvane", "ESA", "the Commission") get the fullest
   mention of the same entity as ``canonical``; ``norm_key`` (see :mod:`aliases`) is the
   article-independent key.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsflow.facts.aliases import (
    ALIASES,
    AMBIGUOUS_PLACES,
    GENERIC_ORG_WORDS,
    HONORIFICS,
    LOC_LEADS,
    LOC_WORDS,
    ORG_DESCRIPTIONS,
    ORG_LEADS,
    ORG_WORDS,
    PERSON_TITLES,
    UNIT_WORDS,
    place_label,
    simple_key,
)
from newsflow.facts.doc import ArticleDoc, Token
from newsflow.facts.quotes import SPEECH_VERBS, QuoteSpan

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE"}
NAMED = ("PERSON", "ORG", "GPE", "LOC")
_DEMONYM = re.compile(r"(?:an|ans|ese|ish|ic|ics|i|is|ch|ss|ist|ists|ite|ites|ern|ers|ean|eans|ian|ians|er)$")
_COMPASS = re.compile(
    r"^(North|South|East|West|Northern|Southern|Eastern|Western)\s+and\s+"
    r"(North|South|East|West|Northern|Southern|Eastern|Western)\s+(.+)$"
)
_LEADING = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NAME_TOKEN = re.compile(r"^[A-Z][\w'’.-]*$")
_INITIALS_SKIP = {"of", "and", "the", "for", "&", "de", "du", "la", "le", "des", "der", "und", "in", "on", "at"}
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|near|outside|across|throughout|inside)\s+|\b(?:travel|travels|travelled|traveled|flew|fly|flies|"
    r"moved|move|moves|returned|returns|headed|heads|trip|visit|visited|deported|extradited|relocated|back)\s+to\s+|"
    r"\b(?:city|town|village|capital|province|state|region|district|port|county|island|suburb)\s+of\s+)$",
    re.IGNORECASE,
)
# an ordinary word inside an appositive, not a preposition that would start a new phrase
_PLAIN_WORD = r"(?!(?:at|of|for|in|with|from|on|by|to|who|which|that|and)\b)[\w’'-]+"
_ORG_AFTER = re.compile(
    r"^(?:['’]s\s+(?:shares|stock|chief\s+executive|ceo|board|shareholders|revenue|profit|sales|spokesman|"
    r"spokeswoman|spokesperson|chairman|investors|customers|employees|staff|executives|headquarters|"
    r"market\s+value|results|earnings|bonds|subsidiary|owners|parent)\b"
    r"|,\s+(?:the|a|an|its|their)\s+(?:" + _PLAIN_WORD + r"\s+){0,4}(?:" + "|".join(sorted(ORG_DESCRIPTIONS)) + r")\b"
    r"(?!\s+(?:of|for|at)\b))",
    re.IGNORECASE,
)
_ORG_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|its|his|her|their)\s+(?:"
    + _PLAIN_WORD
    + r"\s+){0,3}(?:"
    + "|".join(sorted(ORG_DESCRIPTIONS))
    + r")(?:,)?\s+|\b(?:analyst|economist|strategist|researcher|scientist|professor|partner|director|head|executive|"
    r"officer|spokesman|spokeswoman|spokesperson|chairman|manager|founder|lawyer|engineer|employee|worker|trader)s?"
    r"\s+(?:at|of|for|with|from)\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
_PLACE_AFTER = re.compile(
    r"^,\s+(?:a|an|the)\s+(?:"
    + r"[\w-]+"
    + r"\s+){0,3}(?:town|city|village|suburb|region|province|county|state|country|"
    r"island|port|district|municipality|capital|hamlet)\b",
    re.IGNORECASE,
)
_CALENDAR_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "june", "july", "august", "september", "october", "november", "december", "today", "tomorrow",
}  # fmt: skip
_PERSON_BEFORE = re.compile(r"\b(?:mr|mrs|ms|dr|prof)\.?\s+$", re.IGNORECASE)


@dataclass
class EntityMention:
    start: int
    end: int
    label: str
    source: str  # "spacy", "spacy+rules" (relabelled or trimmed), "rules" (found by the rules)
    canonical: str | None = None

    def key(self, text: str) -> str:
        return simple_key(text[self.start : self.end])


def _abbrev(text: str, start: int, end: int) -> bool:
    """Whether the final "." belongs to the name ("U.S.", "Corp.")."""
    word = text[start:end].split(" ")[-1]
    return bool(re.fullmatch(r"(?:[A-Z]\.){2,}|[A-Z][a-z]{0,3}\.", word))


def _trim(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """Drop a leading article, titles before a person's name, a possessive, a trailing score."""
    while end > start and text[end - 1] in " ,;:.!?)\"”’'" and not (text[end - 1] == "." and _abbrev(text, start, end)):
        if text[end - 1] in "’'" and end - start > 2 and text[end - 2] in "sS" and label != "PERSON":
            break  # "Workers’ Party"
        end -= 1
    words = text[start:end].split(" ")
    while len(words) > 1 and re.search(r"\d", words[-1]) and label not in ("PRODUCT", "EVENT", "LAW", "WORK_OF_ART"):
        end -= len(words[-1]) + 1
        words.pop()
    lead = _LEADING.match(text[start:end])
    if lead and end - start > lead.end() and label != "WORK_OF_ART":
        start += lead.end()
    if label != "PERSON":
        inner = re.search(r"['’]s\s", text[start:end])
        if inner and place_label(text[start : start + inner.start()]):
            end = start + inner.start()  # "China’s yuan" → "China"
    tail = _POSSESSIVE.search(text[start:end])
    if tail and end - start > len(tail.group(0)) + 1 and not (tail.group(0) in "’'" and label != "PERSON"):
        end -= len(tail.group(0))
    elif tail and tail.group(0) in ("’s", "'s") and end - start > 3:
        end -= 2
    if label == "PERSON":
        words = text[start:end].split(" ")
        drop = 0
        while drop < len(words) - 1 and (
            words[drop].lower() in PERSON_TITLES or words[drop].lower() in HONORIFICS or words[drop].lower() == "u.s."
        ):
            drop += 1
        if drop:
            start += len(" ".join(words[:drop])) + 1
    return start, end


def _implausible(adoc: ArticleDoc, m: EntityMention) -> bool:
    """Model mentions that are not names: lower-case words, units, "Nodong" of "Nodong-1", "Trump-Kim"."""
    text = adoc.text
    span = text[m.start : m.end]
    if span.lower() == span or span.lower() in UNIT_WORDS or span.lower() in _CALENDAR_WORDS:
        return True
    if m.label == "PERSON" and re.search(r"\d", span):
        return True
    if m.label in ("PERSON", "ORG", "NORP") and re.match(r"-\d", text[m.end : m.end + 2]):
        return True
    if " " not in span and m.label in NAMED:
        tokens = adoc.tokens_in(m.start, m.end)
        if len(tokens) == 1 and tokens[0].is_sent_start and tokens[0].tag_ not in ("NNP", "NNPS"):
            return True  # "Households", "Turnout" at the start of a sentence
    if m.label in ("ORG", "NORP", "PRODUCT") and re.fullmatch(r"[A-Z][a-z]+-[A-Z][a-z]+", span):
        left, right = span.split("-")
        capitalised = re.findall(r"\b[A-Z][a-z]+\b", text)
        return capitalised.count(left) > 1 and capitalised.count(right) > 1
    return False


def _model_mentions(adoc: ArticleDoc) -> list[EntityMention]:
    text = adoc.text
    out = []
    for ent in adoc.doc.ents:
        label = ent.label_
        if label not in ENTITY_LABELS:
            continue
        start, end = _trim(text, ent.start_char, ent.end_char, label)
        if end <= start:
            continue
        if text[end : end + 1] == "+" and label in ("ORG", "PRODUCT"):
            end += 1  # "OPEC+"
        source = "spacy" if (start, end) == (ent.start_char, ent.end_char) else "spacy+rules"
        span = text[start:end]
        compass = _COMPASS.match(span)
        if compass and label in ("GPE", "LOC", "NORP"):
            first = compass.group(1)
            second_start = start + compass.start(2)
            out.append(EntityMention(start, start + len(first), "GPE", "spacy+rules", f"{first} {compass.group(3)}"))
            out.append(EntityMention(second_start, end, "GPE", "spacy+rules"))
            continue
        if " and " in span and label in ("GPE", "LOC", "ORG", "FAC"):
            left, right = span.split(" and ", 1)
            alone = re.compile(r"\b(?:" + re.escape(left) + "|" + re.escape(right) + r")\b(?!\s+and\b)")
            elsewhere = [hit for hit in alone.finditer(text) if not start <= hit.start() < end]
            if (place_label(left) and place_label(right)) or (
                " " not in left.strip()
                and " " not in right.strip()
                and elsewhere
                and label != "ORG"
                or (
                    label == "ORG"
                    and " " not in left
                    and " " not in right
                    and len(elsewhere) >= 1
                    and right.lower() not in ORG_WORDS
                )
            ):
                out.append(EntityMention(start, start + len(left), place_label(left) or label, "spacy+rules"))
                out.append(EntityMention(end - len(right), end, place_label(right) or label, "spacy+rules"))
                continue
        # a first name the model left out of a one-word mention: "Ana" + "Pedrosa"
        tokens = adoc.tokens_in(start, end)
        if len(tokens) == 1 and tokens[0].i > 0 and label in ("PERSON", "ORG", "GPE", "NORP"):
            prev = adoc.doc[tokens[0].i - 1]
            if (
                prev.dep_ == "compound"
                and prev.head.i == tokens[0].i
                and _is_name_token(prev)
                and not prev.ent_type_
                and not place_label(prev.text)
                and prev.lower_ not in ORG_WORDS
            ):
                start = prev.idx
                source = "spacy+rules"
                if label != "PERSON" and _person_role(adoc, prev.i, tokens[0].i):
                    label = "PERSON"
        # one capitalised word more on the left makes a known place: "French" + "Guiana"
        before = re.search(r"([A-Z][\w’'-]+)\s$", text[max(0, start - 30) : start])
        if before and place_label(before.group(1) + " " + span) and not place_label(span):
            start -= len(before.group(0))
            span = text[start:end]
            source = "spacy+rules"
        out.append(EntityMention(start, end, label, source))
    return out


def _relabel(m: EntityMention, text: str) -> None:
    span = text[m.start : m.end]
    words = span.split()
    place = place_label(span)
    if (
        place
        and m.label in ("PERSON", "ORG", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT")
        and (span.lower() not in AMBIGUOUS_PLACES or m.label in ("NORP", "FAC", "PRODUCT", "ORG"))
    ):
        m.label, m.source = place, "spacy+rules"
        return
    last = words[-1].lower().strip(".,") if words else ""
    first = words[0].lower() if words else ""
    if (
        m.label in ("ORG", "FAC", "PERSON", "GPE", "NORP")
        and len(words) > 1
        and (last in LOC_WORDS or first in LOC_LEADS)
    ):
        m.label, m.source = "LOC", "spacy+rules"
        return
    org_shaped = (len(words) > 1 and last in ORG_WORDS and not (last == "city" and place)) or (
        first in ORG_LEADS and " of " in span and len(words) > 2
    )
    if org_shaped and m.label in ("PERSON", "GPE", "NORP", "PRODUCT", "FAC", "WORK_OF_ART", "LOC") and not place:
        m.label, m.source = "ORG", "spacy+rules"
    elif m.label == "PERSON" and len(span) >= 2 and span.isupper() and span.isalpha():
        m.label, m.source = "ORG", "spacy+rules"  # "LSEG", "JAXA": acronyms are not people
    elif (
        m.label == "NORP"
        and not _DEMONYM.search(span)
        and span[:1].isupper()
        and len(words) <= 3
        and text[m.end : m.end + 1] != "-"
    ):
        m.label, m.source = "ORG", "spacy+rules"


def _is_name_token(tok: Token) -> bool:
    return tok.tag_ in ("NNP", "NNPS") and bool(_NAME_TOKEN.match(tok.text)) and tok.lower_ not in PERSON_TITLES


def _covered(mentions: Sequence[EntityMention], start: int, end: int) -> EntityMention | None:
    for m in mentions:
        if m.start < end and start < m.end:
            return m
    return None


def _title_names(adoc: ArticleDoc, mentions: list[EntityMention]) -> list[EntityMention]:
    """Names right after a title: "Vice Minister Park Seo-yeon", "Envoy for North Korea Stephen Biegun"."""
    doc = adoc.doc
    found = []
    n = len(doc)
    for tok in doc:
        if tok.lower_ not in PERSON_TITLES:
            continue
        j = tok.i + 1
        while j < n and doc[j].lower_ in PERSON_TITLES:
            j += 1
        if j < n and doc[j].lower_ in ("for", "of") and j + 1 < n:  # "Envoy for North Korea Stephen Biegun"
            k = j + 1
            while k < n and doc[k].tag_ in ("NNP", "NNPS") and doc[k].text[:1].isupper():
                k += 1
            run = list(doc[j + 1 : k])
            if len(run) >= 3:
                covering = _covered(mentions, run[0].idx, run[0].idx + len(run[0]))
                split = None
                if covering is not None and covering.end < run[-1].idx + len(run[-1]):
                    split = next((x for x, t in enumerate(run) if t.idx >= covering.end), None)
                else:
                    for x in range(len(run) - 1, 0, -1):
                        if place_label(adoc.text[run[0].idx : run[x - 1].idx + len(run[x - 1])]):
                            split = x
                            break
                rest = run[split:] if split is not None else []
                if 1 < len(rest) <= 3 and all(_is_name_token(t) for t in rest):
                    found.append((rest[0].idx, rest[-1].idx + len(rest[-1])))
            continue
        k = j
        while k < n and _is_name_token(doc[k]) and k - j < 3:
            k += 1
        strong_title = tok.text[:1].isupper() and tok.lower_ in HONORIFICS | {
            "president",
            "judge",
            "justice",
            "governor",
            "mayor",
            "senator",
            "chancellor",
        }
        if k - j >= 2 or (k - j == 1 and strong_title):
            if k < n and doc[k].tag_ in ("NNP", "NNPS") and doc[k].text[:1].isupper():
                continue  # the name runs on: leave it to the model
            found.append((doc[j].idx, doc[k - 1].idx + len(doc[k - 1])))
    return [m for m in (_person_candidate(adoc, mentions, s, e) for s, e in found) if m is not None]


def _person_candidate(adoc: ArticleDoc, mentions: list[EntityMention], start: int, end: int) -> EntityMention | None:
    span = adoc.text[start:end]
    if place_label(span) or span.split()[-1].lower() in ORG_WORDS:
        return None
    covering = _covered(mentions, start, end)
    if covering is not None and covering.label == "PERSON":
        return None
    if (
        covering is not None
        and covering.start <= start
        and covering.end >= end
        and covering.end - covering.start > end - start + 2
    ):
        return None  # inside a longer name
    return EntityMention(start, end, "PERSON", "rules")


def _proper_chunks(adoc: ArticleDoc, mentions: list[EntityMention]) -> list[EntityMention]:
    """Capitalised chunks the model skipped: places and organisations by their words, people by role."""
    doc = adoc.doc
    out = []
    i = 0
    n = len(doc)
    while i < n:
        starts_name = doc[i].tag_ in ("NNP", "NNPS") or (
            doc[i].tag_ == "JJ" and i + 1 < n and doc[i + 1].tag_ in ("NNP", "NNPS") and not doc[i].is_sent_start
        )
        if not (starts_name and doc[i].text[:1].isupper()):
            i += 1
            continue
        j = i
        while j + 1 < n and (
            (doc[j + 1].tag_ in ("NNP", "NNPS") and doc[j + 1].text[:1].isupper())
            or (
                doc[j + 1].lower_ in ("of", "and", "&", "for")
                and j + 2 < n
                and doc[j + 2].text[:1].isupper()
                and doc[j + 2].tag_ in ("NNP", "NNPS")
            )
        ):
            j += 1
        first, last = doc[i], doc[j]
        start, end = first.idx, last.idx + len(last)
        i = j + 1
        if _covered(mentions, start, end) is not None or first.lower_ in PERSON_TITLES:
            continue
        span = adoc.text[start:end]
        label = place_label(span)
        words = span.split()
        if label and span.lower() not in AMBIGUOUS_PLACES:
            out.append(EntityMention(start, end, label, "rules"))
        elif len(words) > 1 and (words[-1].lower() in ORG_WORDS or (words[0].lower() in ORG_LEADS and "of" in words)):
            out.append(EntityMention(start, end, "ORG", "rules"))
        elif len(words) > 1 and (words[-1].lower() in LOC_WORDS or words[0].lower() in LOC_LEADS):
            out.append(EntityMention(start, end, "LOC", "rules"))
        elif 2 <= len(words) <= 3 and all(_is_name_token(t) for t in doc[first.i : last.i + 1]):
            if _person_role(adoc, first.i, last.i):
                out.append(EntityMention(start, end, "PERSON", "rules"))
        elif first.lower_ not in PERSON_TITLES and not first.is_sent_start or len(words) > 1:
            before = adoc.text[max(0, start - 60) : start]
            after = adoc.text[end : end + 80]
            if _ORG_AFTER.match(after) or _ORG_BEFORE.search(before):
                out.append(EntityMention(start, end, "ORG", "rules"))
            elif _PLACE_AFTER.match(after) and len(words) <= 3:
                out.append(EntityMention(start, end, "GPE", "rules"))
        if (
            len(words) == 1
            and first.text.isupper()
            and len(first.text) >= 2
            and not out
            or (len(words) == 1 and out and out[-1].start != start and first.text.isupper())
        ):
            key = simple_key(first.text)
            if key in ALIASES and len(first.text) >= 3:
                end_plus = end + 1 if adoc.text[end : end + 1] == "+" else end
                out.append(EntityMention(start, end_plus, "GPE" if place_label(first.text) else "ORG", "rules"))
    return out


_PERSON_ROLE_AFTER = re.compile(
    r",\s+(?:the|a|an|its|their)\s+(?:[\w’'-]+\s+){0,4}(?:leader|head|chief|director|minister|president|"
    r"executive|spokesman|spokeswoman|spokesperson|analyst|economist|lawyer|founder|chairman|chairwoman|professor|"
    r"author|scientist|researcher|manager|coach|member|secretary|governor|mayor|official|partner|investigator|"
    r"epidemiologist|glaciologist|physicist|archaeologist|historian|teacher|nurse|doctor|farmer|resident|"
    r"worker|striker|captain|player|judge|prosecutor|attorney|senator|ambassador|envoy|commissioner)\b"
)


def _person_role(adoc: ArticleDoc, first: int, last: int) -> bool:
    """A bare two- or three-word name used the way news uses people's names."""
    doc = adoc.doc
    head = doc[last]
    after = adoc.text[head.idx + len(head) : head.idx + len(head) + 40]
    if re.match(r",\s+\d{1,3},", after):
        return True  # "Rui Costa, 52,"
    before = adoc.text[max(0, doc[first].idx - 40) : doc[first].idx]
    possessive_place = re.search(r"([A-Z][\w ]+?)['’]s\s+$", before)
    if possessive_place and place_label(possessive_place.group(1).split("  ")[-1].strip()):
        return True  # "Spain’s Diego Marín"
    of_place = re.match(r"\s+of\s+(?:the\s+)?([A-Z][\w]+(?:\s+[A-Z][\w]+)?)", after)
    if of_place and place_label(of_place.group(1)) and doc[first].dep_ not in ("compound",):
        return True  # "Jakub Novak of the Czech Republic"
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lower_ in SPEECH_VERBS:
        return True
    if _PERSON_ROLE_AFTER.match(after):
        return True
    return first > 0 and doc[first - 1].lower_ in SPEECH_VERBS and doc[first - 1].tag_.startswith("VB")


def _known_as(text: str, mentions: list[EntityMention]) -> tuple[list[EntityMention], dict[str, str]]:
    """ "The California Department of Forestry and Fire Protection, known as Cal Fire" → alias."""
    added, alias = [], {}
    for m in mentions:
        if m.label != "ORG":
            continue
        after = text[m.end : m.end + 60]
        hit = re.match(
            r"(?:,\s*|\s+)(?:known as|also known as|or|\()\s*(?:the\s+)?([A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,3})",
            after,
        )
        if hit:
            start = m.end + hit.start(1)
            end = m.end + hit.end(1)
            alias[simple_key(hit.group(1))] = text[m.start : m.end]
            if _covered(mentions, start, end) is None:
                added.append(EntityMention(start, end, "ORG", "rules"))
    return added, alias


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in _INITIALS_SKIP]
    return "".join(w[0] for w in words if w[0].isalpha()).upper() if len(words) >= 2 else ""


def _dedupe(mentions: Iterable[EntityMention]) -> list[EntityMention]:
    """Non-overlapping mentions; rules beat the model where they disagree, longer beats shorter."""
    priority = {"rules": 2, "spacy+rules": 1, "spacy": 0}
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[EntityMention] = []
    for m in ordered:
        clash = [k for k in kept if k.start < m.end and m.start < k.end]
        if not clash:
            kept.append(m)
            continue
        other = clash[0]
        better = (m.label == "PERSON" and m.source == "rules" and other.label != "PERSON") or (
            priority[m.source] > priority[other.source] and (m.end - m.start) >= (other.end - other.start)
        )
        if better and len(clash) == 1:
            kept[kept.index(other)] = m
    return sorted(kept, key=lambda m: m.start)


def _merge_adjacent(text: str, mentions: list[EntityMention]) -> list[EntityMention]:
    """ "Harrowgate" + "Rovers", both ORG and one space apart, are one name."""
    out: list[EntityMention] = []
    for m in mentions:
        if out and out[-1].label == m.label == "ORG" and text[out[-1].end : m.start] == " ":
            out[-1] = EntityMention(out[-1].start, m.end, "ORG", "spacy+rules")
            continue
        out.append(m)
    return out


_WORD = re.compile(r"[\w&+.’'-]+")


class _WordIndex:
    """Where each word of a text starts, built once per article (no regex per name)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions: dict[str, list[int]] = defaultdict(list)
        self.lower_words: set[str] = set()
        for m in _WORD.finditer(text):
            word = m.group(0).strip(".’'-")
            if not word:
                continue
            start = m.start() + m.group(0).index(word)
            self.positions[word].append(start)
            if word.islower():
                self.lower_words.add(word)

    def occurrences(self, needle: str) -> Iterable[tuple[int, int]]:
        """Whole-word occurrences of ``needle`` (one word or several)."""
        first = needle.split(" ")[0]
        for start in self.positions.get(first, ()):
            end = start + len(needle)
            if self.text[start:end] != needle:
                continue
            after = self.text[end : end + 1]
            if after and (after.isalnum() or after in "-_"):
                continue
            yield start, end

    def common_word(self, word: str) -> bool:
        """Whether the word also appears in lower case ("Will", "May" are words as well as names)."""
        return word.lower() in self.lower_words


def resolve_mentions(adoc: ArticleDoc, quote_spans: Sequence[QuoteSpan] = ()) -> list[EntityMention]:
    """All entity mentions of the article, corrected, made consistent and resolved (see module doc)."""
    text = adoc.text
    mentions = _model_mentions(adoc)
    for m in mentions:
        _relabel(m, text)
    mentions = [m for m in mentions if not _implausible(adoc, m)]
    mentions = _merge_adjacent(text, _dedupe(mentions))
    mentions = _dedupe(mentions + _title_names(adoc, mentions))
    mentions = _dedupe(mentions + [m for m in _proper_chunks(adoc, mentions) if not _implausible(adoc, m)])
    added, alias = _known_as(text, mentions)
    mentions = _dedupe(mentions + added)
    mentions = _consistent_labels(text, mentions)
    _surname_evidence(text, mentions)
    mentions = _propagate(text, mentions, alias)
    mentions = _merge_adjacent(text, mentions)
    _unify_pairs(text, mentions)
    _canonicalise(text, mentions, alias)
    return mentions


def _surname_evidence(text: str, mentions: list[EntityMention]) -> None:
    """ "Adrian Kovac" tagged GPE once while "Kovac" is a PERSON four times: the full name is the person."""
    singles: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        span = text[m.start : m.end]
        if " " not in span:
            singles[span][m.label] += 1
    for m in mentions:
        words = text[m.start : m.end].split()
        if len(words) not in (2, 3) or m.label == "PERSON" or place_label(" ".join(words)):
            continue
        if words[-1].lower() in ORG_WORDS or words[-1].lower() in LOC_WORDS:
            continue
        votes = singles.get(words[-1], Counter())
        if votes and votes.most_common(1)[0][0] == "PERSON" and all(w[:1].isupper() for w in words):
            m.label, m.source = "PERSON", "spacy+rules"


def _unify_pairs(text: str, mentions: list[EntityMention]) -> None:
    """ "Paiporta and Catarroja": two names joined by "and" are the same kind of thing when one is a place."""
    for a, b in zip(mentions, mentions[1:], strict=False):
        if (
            text[a.end : b.start] == " and "
            and {a.label, b.label} & {"GPE", "LOC"}
            and {a.label, b.label} <= {"GPE", "LOC", "ORG"}
        ):
            place = a.label if a.label in ("GPE", "LOC") else b.label
            for m in (a, b):
                if m.label == "ORG" and m.source != "spacy":
                    m.label = place


def _context_label(text: str, m: EntityMention) -> str | None:
    before = text[max(0, m.start - 40) : m.start]
    after = text[m.end : m.end + 80]
    if _ORG_AFTER.match(after) or _ORG_BEFORE.search(before):
        return "ORG"
    if _PERSON_BEFORE.search(before) or _PERSON_ROLE_AFTER.match(after):
        return "PERSON"
    if _PLACE_AFTER.match(after):
        return "GPE"
    if (
        _PLACE_BEFORE.search(before)
        and " " not in text[m.start : m.end].strip()
        and not re.match(r"['’]s\b", after)
        and not re.search(r"\baccording\s+to\s+$", before)
    ):
        return "GPE"
    return None


def _consistent_labels(text: str, mentions: list[EntityMention]) -> list[EntityMention]:
    """A name labelled PERSON once and GPE twice is a GPE everywhere; context votes count double."""
    by_key: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        by_key[m.key(text)].append(m)
    for group in by_key.values():
        counts: dict[str, float] = defaultdict(float)
        for m in group:
            counts[m.label] += 1
            hint = _context_label(text, m)
            if hint is not None and m.label in NAMED + ("NORP", "FAC", "PRODUCT"):
                counts[hint] += 2.5
        if len(counts) == 1:
            continue
        span = text[group[0].start : group[0].end]
        ranked = sorted(counts.items(), key=lambda item: -item[1])
        best, top = ranked[0]
        tied = [label for label, c in ranked if c == top]
        if len(tied) > 1:
            place = place_label(span)
            if place in tied:
                best = place
            elif "ORG" in tied and span.split()[-1].lower() in ORG_WORDS:
                best = "ORG"
            elif "PERSON" in tied and len(span.split()) in (2, 3) and not place:
                best = "PERSON"
            else:
                best = next((label for label in tied if label in NAMED), best)
        if best not in NAMED and not any(m.label == best for m in group):
            continue
        for m in group:
            if m.label != best and (m.label in NAMED or best in NAMED):
                m.label, m.source = best, "spacy+rules" if m.source == "spacy" else m.source
    return mentions


def _short_forms(text: str, mentions: list[EntityMention], alias: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Surface form → (label, fullest name): surnames, first names, company words, acronyms, aliases."""
    full_names: dict[str, str] = {}
    for m in mentions:
        if m.label in NAMED:
            full_names.setdefault(text[m.start : m.end], m.label)
    forms: dict[str, tuple[str, str]] = {}
    persons = sorted((s for s, lb in full_names.items() if lb == "PERSON" and len(s.split()) >= 2), key=len)
    orgs = sorted((s for s, lb in full_names.items() if lb == "ORG" and len(s.split()) >= 2), key=len)
    for name in persons:
        parts = name.split()
        for part in (parts[-1], parts[0]):
            if len(part) > 1 and part[:1].isupper() and part.lower() not in PERSON_TITLES:
                forms[part] = ("PERSON", name)  # the longest full name wins (sorted by length)
    last_words = Counter(name.split()[-1] for name in orgs)
    frequency = Counter(text[m.start : m.end] for m in mentions if m.label == "ORG")
    orgs = sorted(orgs, key=lambda s: (frequency[s], -len(s)), reverse=True)
    for name in orgs:
        parts = name.split()
        for position, part in ((0, parts[0]), (-1, parts[-1])):
            low = part.lower().strip(".,")
            distinctive = low not in GENERIC_ORG_WORDS and not place_label(part)
            generic_back_reference = position == -1 and low in ORG_WORDS and last_words[part] == 1
            usable = len(part) > 2 and part[:1].isupper() and (distinctive or generic_back_reference)
            if usable and (forms.get(part, ("", ""))[0] != "PERSON" or full_names.get(part) == "ORG"):
                forms.setdefault(part, ("ORG", name))
        initials = _initials(name)
        if len(initials) >= 2:
            forms.setdefault(initials, ("ORG", name))
    for key, name in alias.items():
        for span in full_names:
            if simple_key(span) == key:
                forms[span] = ("ORG", name)
    for span, label in full_names.items():
        forms.setdefault(span, (label, span))
    return forms


def _propagate(text: str, mentions: list[EntityMention], alias: dict[str, str]) -> list[EntityMention]:
    """Add unlabelled repeats of known names and short forms; relabel short forms of fuller names."""
    forms = _short_forms(text, mentions, alias)
    index = _WordIndex(text)
    added: list[EntityMention] = []
    occupied = [(m.start, m.end) for m in mentions]
    for form, (label, name) in forms.items():
        if len(form) < 2 or not form[:1].isupper() or label not in NAMED:
            continue
        single = " " not in form
        if single and index.common_word(form):
            continue
        for start, end in index.occurrences(form):
            if any(a < end and start < b for a, b in occupied):
                continue
            if single and form.lower() in ORG_WORDS and not re.search(r"\bthe\s+$", text[max(0, start - 5) : start]):
                continue  # "Commission" as a back reference needs its article: "the Commission"
            if single and label == "ORG" and form.isupper() and len(form) <= 2:
                continue
            added.append(EntityMention(start, end, label, "rules", None if form == name else name))
            occupied.append((start, end))
    for m in mentions:
        span = text[m.start : m.end]
        if span not in forms:
            continue
        label, name = forms[span]
        if name != span and m.label != label and label in NAMED and m.label != "GPE":
            m.label, m.source = label, "spacy+rules"
    return sorted(mentions + added, key=lambda m: m.start)


def _canonicalise(text: str, mentions: list[EntityMention], alias: dict[str, str]) -> None:
    forms = _short_forms(text, mentions, alias)
    persons = [m for m in mentions if m.label == "PERSON"]
    for m in mentions:
        span = text[m.start : m.end]
        if m.canonical is not None and m.label != "PERSON":
            continue
        if m.label == "PERSON":
            words = span.split()
            best = m.canonical or span
            if len(words) == 1:
                candidates = [
                    p for p in persons
                    if len(text[p.start : p.end].split()) > 1 and words[0] in text[p.start : p.end].split()
                ]  # fmt: skip
                preceding = [p for p in candidates if p.start < m.start] or candidates
                if preceding:
                    best = max((text[p.start : p.end] for p in preceding[-1:]), key=len)
                    longer = [
                        text[p.start : p.end] for p in candidates if text[p.start : p.end].endswith(" " + words[0])
                    ]
                    if longer and best not in longer:
                        best = max(longer, key=len)
            else:
                for p in persons:
                    full = text[p.start : p.end]
                    if len(full) > len(best) and full.endswith(" " + words[-1]) and words[0] in full.split():
                        best = full
            m.canonical = best
        elif (
            m.label == "ORG"
            and (letters := re.sub(r"[^A-Za-z]", "", span)).isupper()
            and letters != span
            and forms.get(letters, ("", ""))[0] == "ORG"
        ):
            m.canonical = forms[letters][1]  # "PG&E" → Pacific Gas and Electric
        elif m.label == "ORG" and span in forms and forms[span][0] == "ORG":
            m.canonical = forms[span][1]
        else:
            m.canonical = span
