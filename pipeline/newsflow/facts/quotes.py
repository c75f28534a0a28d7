"""Direct quotations, their speakers and the verb that attributes them.

Quotation marks are paired per paragraph (curly, straight, double and single); an opening mark
left open at the end of a paragraph continues when the next paragraph opens with a mark — the
newspaper convention for quotes that run over paragraphs — and is otherwise closed at the end of
its paragraph, so an odd number of marks never costs the rest of the article.

A quoted span is a quotation when its words are presented as someone's: a speech verb or
"according to" in the sentence, or a sentence-like quote standing on its own (its speaker is the
one named just before). Names, titles and scare quotes are not: a naming cue before them ("known
as", "so-called", "dubbed"), Title Case words without sentence punctuation, or one or two words
that no speech verb governs. The speaker is the subject of the speech verb (or the object of
"according to"), resolved to the person's fullest mention in the article, through appositions
("the governor, Catherine Ashworth,"), pronouns and "the company".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from newsflow.facts.aliases import NON_COMPANY_WORDS, ORG_DESCRIPTIONS
from newsflow.facts.doc import ArticleDoc, Token
from newsflow.facts.types import Fact

OPENERS_DOUBLE = "“„«‟"
CLOSERS_DOUBLE = "”»"
SPEECH_VERBS = {
    "say", "said", "says", "saying", "tell", "told", "tells", "telling", "add", "added", "adds", "adding",
    "write", "wrote", "writes", "writing", "warn", "warned", "warns", "warning", "argue", "argued", "argues",
    "arguing", "insist", "insisted", "insists", "state", "stated", "states", "declare", "declared", "declares",
    "explain", "explained", "explains", "note", "noted", "notes", "ask", "asked", "asks", "reply", "replied",
    "replies", "continue", "continued", "continues", "conclude", "concluded", "acknowledge", "acknowledged",
    "admit", "admitted", "admits", "announce", "announced", "announces", "claim", "claimed", "claims", "caution",
    "cautioned", "cautions", "predict", "predicted", "predicts", "recall", "recalled", "recalls", "urge", "urged",
    "urges", "call", "called", "calls", "calling", "describe", "described", "describes", "describing", "quip",
    "quipped", "stress", "stressed", "stresses", "suggest", "suggested", "suggests", "concede", "conceded",
    "complain", "complained", "complains", "testify", "testified", "post", "posted", "tweet", "tweeted",
    "comment", "commented", "observe", "observed", "remark", "remarked", "respond", "responded", "boast",
    "boasted", "vow", "vowed", "vows", "promise", "promised", "promises", "pledge", "pledged", "maintain",
    "maintained", "maintains", "contend", "contended", "counter", "countered", "allege", "alleged", "alleges",
    "report", "reported", "reports", "read", "reads", "shout", "shouted", "whisper", "whispered", "recount",
    "recounted", "emphasise", "emphasised", "emphasize", "emphasized", "charge", "charged", "accuse", "accused",
    "brand", "branded", "label", "labelled", "labeled", "deem", "deemed", "dismiss", "dismissed", "hail", "hailed",
    "praise", "praised", "criticise", "criticised", "criticize", "criticized", "welcome", "welcomed", "demand",
    "demanded", "demands", "tout", "touted", "assure", "assured", "reassure", "reassured", "joke",
    "joked", "yell", "yelled", "cry", "cried", "plead", "pleaded", "beg", "begged", "confirm", "confirmed",
    "insisting", "noting", "explaining",
}  # fmt: skip
NAMING_VERBS = {"call", "called", "calls", "calling", "brand", "branded", "label", "labelled", "labeled", "dub",
                "dubbed", "deem", "deemed", "hail", "hailed", "tout", "touted"}  # fmt: skip
NAME_CUE = re.compile(
    r"(?:known|referred to|billed|marketed|described) as|so-called|so called|dubbed|nicknamed|titled|entitled|"
    r"named|code-?named|the (?:term|word|words|phrase|slogan|motto|hashtag|label|name|title|book|film|movie|"
    r"album|song|series|show|play|novel|report|documentary|operation|campaign|programme|program|project)|"
    r"(?:book|film|movie|album|song|series|show|play|novel|documentary|memoir|exhibition|podcast|operation|"
    r"campaign|programme|program|project|thriller|comedy|drama|musical|sequel|opera|poem|essay|column|report),?",
    re.IGNORECASE,
)
PERSON_PRONOUNS = {"he", "she", "him", "her"}
OTHER_PRONOUNS = {"they", "it", "we", "them"}


@dataclass
class QuoteSpan:
    open: int  # offset of the opening mark
    start: int  # first character of the quoted words
    end: int  # end of the quoted words (exclusive), trailing comma and spaces left out
    close: int | None  # offset of the closing mark; None when closed by the end of the paragraph


@dataclass
class Mention:
    """An entity mention as the quote rules need it (start, end, label, fullest name)."""

    start: int
    end: int
    label: str
    canonical: str


def _paragraphs(text: str) -> list[tuple[int, int]]:
    splitter = re.compile(r"\n\s*\n") if re.search(r"\n\s*\n", text) else re.compile(r"\n")
    out, pos = [], 0
    for m in splitter.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(a, b) for a, b in out if b > a]


def _is_open_straight(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/:") and not after.isspace()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Pair quotation marks; never fails, whatever the number or order of the marks."""
    spans: list[QuoteSpan] = []
    paragraphs = _paragraphs(text)
    carry: tuple[int, str] | None = None  # an open quote continuing from the previous paragraph
    for p_index, (p_start, p_end) in enumerate(paragraphs):
        open_at: int | None = None
        level = ""
        i = p_start
        if carry is not None:
            open_at, level = carry
            carry = None
            lead = p_start
            while lead < p_end and text[lead].isspace():
                lead += 1
            if lead < p_end and text[lead] in OPENERS_DOUBLE + '"‘':
                i = lead + 1  # the re-opening mark of the continued quotation
        while i < p_end:
            ch = text[i]
            if open_at is None:
                if ch in OPENERS_DOUBLE or (ch == '"' and _is_open_straight(text, i)):
                    open_at, level = i, "double"
                elif ch == "‘" and (i == p_start or not text[i - 1].isalnum()):
                    open_at, level = i, "single"
            elif level == "double":
                if (
                    ch in CLOSERS_DOUBLE
                    or (ch == '"' and not _is_open_straight(text, i))
                    or ch == "“"
                    and (text[open_at] == "„")
                ):
                    start, end = _trim(text, open_at + 1, i)
                    if end > start:
                        spans.append(QuoteSpan(open_at, start, end, i))
                    open_at = None
            elif level == "single" and ch == "’":
                nxt = text[i + 1] if i + 1 < len(text) else " "
                if not nxt.isalnum():
                    start, end = _trim(text, open_at + 1, i)
                    if end > start:
                        spans.append(QuoteSpan(open_at, start, end, i))
                    open_at = None
            i += 1
        if open_at is not None:
            following = paragraphs[p_index + 1] if p_index + 1 < len(paragraphs) else None
            lead_char = text[following[0] : following[1]].lstrip()[:1] if following else ""
            continues = bool(lead_char) and (
                (level == "double" and (lead_char in OPENERS_DOUBLE or lead_char == '"'))
                or (level == "single" and lead_char == "‘")
            )
            if continues:
                carry = (open_at, level)
            else:
                start, end = _trim(text, open_at + 1, p_end)
                if end > start:
                    spans.append(QuoteSpan(open_at, start, end, None))
    return spans


def _words(content: str) -> list[str]:
    return re.findall(r"[A-Za-zÀ-ÿ0-9][\w'’-]*", content)


def _title_case(content: str) -> bool:
    words = _words(content)
    if not words or content.rstrip()[-1:] in ".?!" or len(words) > 10:
        return False
    significant = [w for w in words if len(w) > 3 or w == words[0]]
    return all(w[0].isupper() or w[0].isdigit() for w in significant)


class QuoteFinder:
    """Classifies quoted spans and attributes them, with the article's entity mentions at hand."""

    def __init__(self, adoc: ArticleDoc, spans: Sequence[QuoteSpan], mentions: Sequence[Mention]) -> None:
        self.adoc = adoc
        self.text = adoc.text
        self.spans = list(spans)
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.inside = [(s.open, (s.close if s.close is not None else s.end) + 1) for s in self.spans]
        self.paragraphs = _paragraphs(self.text)

    def _in_quote(self, char: int) -> bool:
        return any(a <= char < b for a, b in self.inside)

    def _mention_at(self, token: Token) -> Mention | None:
        for m in self.mentions:
            if m.start <= token.idx < m.end:
                return m
            if m.start > token.idx:
                break
        return None

    def _paragraph(self, char: int) -> tuple[int, int]:
        for a, b in self.paragraphs:
            if a <= char <= b:
                return a, b
        return 0, len(self.text)

    def _cues(self, span: QuoteSpan) -> list[tuple[int, Token, str]]:
        """Speech verbs and "according to" in the sentences around the quote, outside any quotation,
        within the quote's paragraph(s) (the parser's sentences sometimes run over a paragraph break)."""
        close = span.close if span.close is not None else span.end
        first = self.adoc.sentence_index(span.open)
        last = self.adoc.sentence_index(close)
        p_start = self._paragraph(span.open)[0]
        p_end = self._paragraph(close)[1]
        out = []
        for s_index in range(first, last + 1):
            t_start, t_end = self.adoc.sent_tokens[s_index]
            for tok in self.adoc.doc[t_start:t_end]:
                if self._in_quote(tok.idx) or not p_start <= tok.idx < p_end:
                    continue
                low = tok.lower_
                if low == "according" and tok.i + 1 < len(self.adoc.doc) and self.adoc.doc[tok.i + 1].lower_ == "to":
                    distance = span.open - tok.idx if tok.idx < span.open else tok.idx - close
                    out.append((abs(distance), tok, "according to"))
                elif low in SPEECH_VERBS and tok.tag_.startswith("VB"):
                    distance = span.open - tok.idx if tok.idx < span.open else tok.idx - close
                    out.append((abs(distance), tok, low))
        out.sort(key=lambda c: c[0])
        return out

    def _governs(self, cue: Token, span: QuoteSpan) -> bool:
        tokens = [t for t in self.adoc.tokens_in(span.start, span.end) if not t.is_punct]
        if not tokens:
            return False
        if cue.lower_ == "according":
            return True
        if any(cue in t.ancestors for t in tokens):
            return True
        root = tokens[0]
        while root.head is not root and span.start <= root.head.idx < span.end:
            root = root.head
        return root.head is cue or (cue.head is root.head and cue.head is not cue)

    def classify(self, span: QuoteSpan) -> tuple[bool, tuple[int, Token, str] | None]:
        content = self.text[span.start : span.end]
        raw_end = self.text[span.start : span.close if span.close is not None else span.end].rstrip()
        words = _words(content)
        before = self.text[max(0, span.open - 40) : span.open].rstrip()
        if not words:
            return False, None
        if NAME_CUE.search(before[-30:]) and re.search(
            r"(?:" + NAME_CUE.pattern + r")\s*[,:]?\s*$", before, re.IGNORECASE
        ):
            return False, None
        sentence_like = raw_end[-1:] in ".?!," or (content[:1].isupper() and len(words) >= 4 and " " in content)
        if _title_case(content) and not (raw_end[-1:] in ".?!," and len(words) > 3):
            return False, None
        cues = self._cues(span)
        if not sentence_like:
            # a partial quote must be governed by its verb ("said the plan was “…”"), not merely
            # share a sentence with one ("began their “working level” talks that officials say …")
            cues = [c for c in cues if self._governs(c[1], span)]
        cue = cues[0] if cues else None
        if cue is not None and (cue[2] in NAMING_VERBS or cue[2] == "according to") and len(words) < 3:
            return False, None
        if len(words) == 1 and raw_end[-1:] not in ".?!":
            return False, None
        if len(words) == 2 and not sentence_like and cue is None:
            return False, None
        if cue is not None or sentence_like:
            return True, cue
        s_start, s_end = self.adoc.sentence_span(span.start)
        sentence_chars = len(self.text[s_start:s_end].strip())
        if sentence_chars and (span.end - span.start) / sentence_chars > 0.6:
            return True, None
        return False, None

    # --- speakers -------------------------------------------------------------------------------

    def _subject(self, verb: Token) -> Token | None:
        node = verb
        for _ in range(4):
            for child in node.children:
                if child.dep_ in ("nsubj", "nsubjpass") and not self._in_quote(child.idx):
                    return child
            if node.dep_ in ("xcomp", "advcl", "conj", "relcl", "acl", "ccomp", "pcomp") and node.head is not node:
                if node.dep_ == "relcl" and node.head.pos_ != "VERB" and not node.head.tag_.startswith("VB"):
                    return node.head
                node = node.head
            else:
                break
        return None

    def _speaker_from_token(self, tok: Token, before: int) -> str | None:
        mention = self._mention_at(tok)
        if mention is not None and mention.label in ("PERSON", "ORG", "GPE"):
            return mention.canonical
        for child in tok.children:
            if child.dep_ in ("compound", "flat"):
                inner = self._mention_at(child)
                if inner is not None and inner.label == "PERSON":
                    return inner.canonical
            if child.dep_ == "appos":
                inner = self._mention_at(child)
                if inner is not None and inner.label == "PERSON":
                    return inner.canonical
                for grand in child.subtree:
                    inner = self._mention_at(grand)
                    if inner is not None and inner.label == "PERSON" and grand.dep_ in ("compound", "appos"):
                        return inner.canonical
        after = re.match(r"\s*,\s*", self.text[tok.idx + len(tok) : tok.idx + len(tok) + 4])
        if after and tok.tag_ in ("NN", "NNS"):  # "the mayor, Maria Lopez," when the parse misses the apposition
            at = tok.idx + len(tok) + after.end()
            inner = next((m for m in self.mentions if m.start == at and m.label == "PERSON"), None)
            if inner is not None:
                return inner.canonical
        if tok.lower_ in PERSON_PRONOUNS:
            return self._recent_person(before)
        if tok.lower_ in OTHER_PRONOUNS:
            return self._previous_subject(tok)
        children = list(tok.children)
        if tok.lower_ in ORG_DESCRIPTIONS and len(children) == 1 and children[0].lower_ in ("the", "this"):
            org = self._recent_org(before, tok.lower_)
            if org is not None:
                return org
        return self._noun_phrase(tok)

    def _noun_phrase(self, tok: Token) -> str | None:
        """The subject as written, without appositions and clauses ("a spokeswoman for the lender")."""
        excluded: set[int] = set()
        for child in tok.children:
            if child.dep_ in ("appos", "relcl", "acl", "advcl"):
                excluded.update(t.i for t in child.subtree)
        keep = [t for t in tok.subtree if t.i not in excluded]
        # the contiguous run of kept tokens around the head
        first = last = keep.index(tok)
        while first > 0 and keep[first - 1].i == keep[first].i - 1:
            first -= 1
        while last + 1 < len(keep) and keep[last + 1].i == keep[last].i + 1:
            last += 1
        run = keep[first : last + 1]
        while run and run[-1].is_punct:
            run.pop()
        while run and run[0].is_punct:
            run.pop(0)
        if not run:
            return None
        start, end = run[0].idx, run[-1].idx + len(run[-1])
        phrase = re.sub(r"\s+", " ", self.text[start:end]).strip(" ,")
        return phrase or None

    def _recent(self, before: int, labels: tuple[str, ...]) -> str | None:
        for m in reversed(self.mentions):
            if m.start < before and m.label in labels and not self._in_quote(m.start):
                return m.canonical
        return None

    def _adjacent_speaker(self, verb: Token) -> str | None:
        """The name nearest a verb the parser left without a subject ("…,” O’Neill said"), within
        its paragraph and outside quotations: before the verb first, then after it."""
        p_start, p_end = self._paragraph(verb.idx)
        before = [m for m in self.mentions if p_start <= m.start < verb.idx and not self._in_quote(m.start)]
        before = [m for m in before if m.label in ("PERSON", "ORG") and not self._quote_between(m.end, verb.idx)]
        if before:
            return before[-1].canonical
        after = [m for m in self.mentions if verb.idx < m.start < p_end and not self._in_quote(m.start)]
        after = [m for m in after if m.label in ("PERSON", "ORG") and m.start - verb.idx < 60]
        return after[0].canonical if after else None

    def _quote_between(self, start: int, end: int) -> bool:
        return any(start <= a < end for a, _ in self.inside)

    def _recent_org(self, before: int, description: str) -> str | None:
        """The organisation "the company" refers to: the last one named that can be a company."""
        for m in reversed(self.mentions):
            if m.start >= before or m.label != "ORG" or self._in_quote(m.start):
                continue
            words = {w.lower() for w in m.canonical.split()}
            if description in ("union", "party", "council", "ministry", "court", "board", "agency", "commission"):
                if description in words:
                    return m.canonical
                continue
            if words & NON_COMPANY_WORDS:
                continue
            return m.canonical
        return None

    def _recent_person(self, before: int) -> str | None:
        if self._last_speaker is not None and self._last_speaker_label == "PERSON" and self._last_end > before - 600:
            last_person = None
            for m in reversed(self.mentions):
                if m.start < before and m.label == "PERSON" and not self._in_quote(m.start):
                    last_person = m
                    break
            if last_person is None or last_person.start < self._last_end or last_person.canonical == self._last_speaker:
                return self._last_speaker
        return self._recent(before, ("PERSON",))

    def _previous_subject(self, tok: Token) -> str | None:
        s_index = self.adoc.sentence_index(tok.idx)
        if s_index == 0:
            return None
        t_start, t_end = self.adoc.sent_tokens[s_index - 1]
        for t in self.adoc.doc[t_start:t_end]:
            if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT" and not self._in_quote(t.idx):
                if t.lower_ in PERSON_PRONOUNS | OTHER_PRONOUNS:
                    return None
                return self._speaker_from_token(t, t.idx)
        return None

    def _context_speaker(self, span: QuoteSpan) -> str | None:
        """A quote with no verb of its own: whoever the sentence before it is about, or the previous speaker.

        The sentence right before decides: a quotation there means this one continues it; a person
        as its subject (or the only person in it) introduces the speaker ("Firefighter Jorge Mamani
        spent nine hours … “We could hear a child calling.”").
        """
        s_index = self.adoc.sentence_index(span.open)
        t_start, t_end = self.adoc.sent_tokens[s_index]
        lead = [t for t in self.adoc.doc[t_start:t_end] if t.idx < span.open and not self._in_quote(t.idx)]
        if len([t for t in lead if not t.is_punct]) < 3:
            if s_index == 0:
                return self._last_speaker
            t_start, t_end = self.adoc.sent_tokens[s_index - 1]
        else:
            t_end = lead[-1].i + 1
        previous_has_quote = any(self._in_quote(t.idx) for t in self.adoc.doc[t_start:t_end])
        if previous_has_quote and self._last_speaker is not None and s_index - self._last_sentence <= 1:
            return self._last_speaker
        subject_person = None
        persons: list[str] = []
        for t in self.adoc.doc[t_start:t_end]:
            if self._in_quote(t.idx):
                continue
            mention = self._mention_at(t)
            if mention is not None and mention.label == "PERSON":
                if not persons or persons[-1] != mention.canonical:
                    persons.append(mention.canonical)
                if subject_person is None and (
                    t.dep_ in ("nsubj", "nsubjpass")
                    or t.head.dep_ in ("nsubj", "nsubjpass")
                    and t.dep_ in ("appos", "compound")
                ):
                    subject_person = mention.canonical
            elif t.dep_ in ("nsubj", "nsubjpass") and subject_person is None:
                for child in t.children:
                    inner = self._mention_at(child)
                    if child.dep_ == "appos" and inner is not None and inner.label == "PERSON":
                        subject_person = inner.canonical
                if t.lower_ in PERSON_PRONOUNS and self._last_speaker is not None:
                    subject_person = self._recent_person(t.idx)
                elif subject_person is None and t.head.lower_ in SPEECH_VERBS and t.head.dep_ == "ROOT":
                    subject_person = self._speaker_from_token(t, t.idx)  # "An investor … told the court"
        if subject_person is not None:
            return subject_person
        if len(set(persons)) == 1:
            return persons[0]
        if self._last_speaker is not None and s_index - self._last_sentence <= 2:
            return self._last_speaker
        return persons[-1] if persons else None

    def facts(self) -> list[Fact]:
        out = []
        self._last_speaker: str | None = None
        self._last_speaker_label: str | None = None
        self._last_sentence = -10
        self._last_end = -10_000
        for span in self.spans:
            is_quote, cue = self.classify(span)
            if not is_quote:
                continue
            speaker = None
            verb = None
            if cue is not None:
                _, tok, verb = cue
                if verb == "according to":
                    to = self.adoc.doc[tok.i + 1]
                    objects = [c for c in to.children if c.dep_ == "pobj"]
                    speaker = self._speaker_from_token(objects[0], span.open) if objects else None
                else:
                    subject = self._subject(tok)
                    speaker = self._speaker_from_token(subject, span.open) if subject is not None else None
                    if speaker is None:
                        speaker = self._adjacent_speaker(tok)
            if speaker is None:
                speaker = self._context_speaker(span)
            text = self.text[span.start : span.end]
            value = re.sub(r"\s*\n\s*[“„«\"‘]?\s*", " ", text)
            fact = Fact(
                "quote", "QUOTE", text, span.start, span.end, self.adoc.sentence_text(span.start, span.end),
                value=value, speaker=speaker, speech_verb=verb, extractor="rules",
            )  # fmt: skip
            out.append(fact)
            if speaker is not None:
                self._last_speaker = speaker
                self._last_speaker_label = (
                    "PERSON" if any(m.canonical == speaker and m.label == "PERSON" for m in self.mentions) else None
                )
            self._last_sentence = self.adoc.sentence_index(span.close if span.close is not None else span.end)
            self._last_end = span.end
        return out
