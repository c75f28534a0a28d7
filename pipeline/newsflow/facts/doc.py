"""One parsed article and the look-ups every fact rule needs: sentences, tokens by offset, tense.

Built once per spaCy ``Doc`` so that the rules share the arrays instead of walking the parse
again and again (the rules must cost a small fraction of the parse itself).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from newsflow.facts.dates import FUTURE, PAST

Token = Any  # spacy.tokens.Token; spaCy ships no type information
Doc = Any

FUTURE_AUX = {"will", "'ll", "’ll", "shall", "wo", "would", "could", "might", "may", "should", "can", "must"}
PAST_AUX = {"had", "was", "were", "did", "has", "have", "'d", "’d"}
PROSPECTIVE_HEADS = {
    "expect", "expected", "expects", "plan", "plans", "planned", "planning", "due", "scheduled", "set", "aim", "aims",
    "hope", "hopes", "hoped", "want", "wants", "intend", "intends", "agreed", "agree", "agrees", "promised",
    "promise", "vowed", "pledged", "decided", "decide", "forecast", "forecasts", "likely", "going", "seeking",
    "seek", "seeks", "need", "needs", "ready", "able", "prepared", "preparing", "ordered", "asked", "told",
    "urged", "allowed", "required", "poised", "bound", "about",
}  # fmt: skip


class ArticleDoc:
    """A parsed text with offset look-ups; ``offset`` places it inside a longer article (chunking)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.token_starts: list[int] = [t.idx for t in doc]
        if doc.has_annotation("SENT_START"):
            bounds = [(s.start_char, s.end_char, s.start, s.end) for s in doc.sents]
        else:
            bounds = [(0, len(self.text), 0, len(doc))]
        self.sent_chars = [(a, b) for a, b, _, _ in bounds]
        self.sent_tokens = [(a, b) for _, _, a, b in bounds]
        self.sent_starts = [a for a, _ in self.sent_chars]

    def sentence_index(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, char) - 1)

    def sentence_span(self, char: int) -> tuple[int, int]:
        return self.sent_chars[self.sentence_index(char)]

    def sentence_text(self, start: int, end: int) -> str:
        """The sentence(s) a span lies in, stripped."""
        first = self.sentence_index(start)
        last = self.sentence_index(max(start, end - 1))
        return self.text[self.sent_chars[first][0] : self.sent_chars[last][1]].strip()

    def token_index(self, char: int) -> int:
        """Index of the token containing (or starting right after) ``char``."""
        i = bisect.bisect_right(self.token_starts, char) - 1
        return max(0, min(i, len(self.token_starts) - 1))

    def tokens_in(self, start: int, end: int) -> list[Token]:
        if not self.token_starts:
            return []
        first = bisect.bisect_left(self.token_starts, start)
        if first > 0 and self.token_starts[first - 1] + len(self.doc[first - 1]) > start:
            first -= 1
        last = bisect.bisect_left(self.token_starts, end)
        return [self.doc[i] for i in range(first, last)]

    def tense_at(self, char: int) -> str | None:
        """ "past", "future" or None for the clause governing the token at ``char``."""
        if not self.token_starts:
            return None
        return clause_tense(self.doc[self.token_index(char)])


PREDICTIVE_VERBS = {
    "predicted", "predict", "predicts", "forecast", "forecasts", "projected", "projects", "anticipated",
    "anticipates", "scheduled", "pledged", "vowed", "promised", "planned", "plans", "expects", "expected",
    "hopes", "hoped", "aims", "intends", "intended",
}  # fmt: skip


def _verb_tense(verb: Token, predictive: bool = True) -> str | None:
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    aux_words = {a.lower_ for a in aux}
    if aux_words & FUTURE_AUX or (predictive and verb.lower_ in PREDICTIVE_VERBS):
        return FUTURE
    if any(c.lower_ in ("next", "soon") and c.dep_ in ("advmod", "npadvmod") for c in verb.children):
        return FUTURE  # "the legislature next meets in January"
    if any(a.lower_ == "to" for a in aux) or verb.dep_ == "xcomp":
        head = verb.head
        if head is not verb and (head.lower_ in PROSPECTIVE_HEADS or head.tag_ == "MD"):
            return FUTURE
        if head is not verb and head.tag_.startswith("VB"):
            return _verb_tense(head)
        return None
    if verb.tag_ == "VBD" or aux_words & PAST_AUX:
        if verb.tag_ == "VBN" and aux_words & {"is", "are", "be", "being"}:
            return None
        return PAST
    if verb.tag_ == "VBG" and aux_words & {"is", "are", "am", "'s", "'re"}:
        return FUTURE  # "is meeting on Friday": the present progressive of a plan
    if verb.tag_ == "VBN" and verb.dep_ in ("acl", "relcl", "amod"):
        return PAST  # "the report published on Wednesday"
    return None


def clause_tense(token: Token) -> str | None:
    """Tense of the verbs governing ``token``: the nearest verb that shows one, walking up the parse
    but not out of a reported clause ("said the meeting is on Friday" stays present)."""
    node = token
    before = token.doc[max(0, token.i - 5) : token.i].text.lower()
    if re.search(r"\b(?:next|upcoming|coming|forthcoming)\s+\w+\s+(?:in|on|at)\s*$", before):
        return FUTURE  # "at the next meeting in May"
    previous = None
    for _ in range(12):
        if node.tag_.startswith("VB") or node.tag_ == "MD":
            # "had expected in March": the date is when the forecast was made, not what it forecast
            when = (
                previous is not None
                and previous.dep_ == "prep"
                and previous.lower_ in ("in", "on", "at", "during", "since")
            )
            tense = _verb_tense(node, predictive=not when)
            if tense is not None:
                return tense
            if node.dep_ in ("ROOT", "ccomp", "relcl"):
                return None
            if node.dep_ == "conj" and node.head is not node:
                return _verb_tense(node.head)
        if node.head is node:
            break
        previous, node = node, node.head
    return None
