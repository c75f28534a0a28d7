"""The language of a text, from py3langid (the identifier trafilatura itself can use), with its confidence.

Text that is not language gets none: before asking the model, the text must be mostly letters and
word-shaped (random bytes, markup soup and number tables are not), and the model's own answer must
be a language (not ``zxx``, "no linguistic content") with a normalised probability of at least
:data:`MIN_CONFIDENCE`. A page's declared language (``<html lang>``, JSON-LD ``inLanguage``) is used
only when the body is too short to identify; that choice is named in ``language_source``.
"""

from __future__ import annotations

import re
import threading
from typing import Any

MIN_CONFIDENCE = 0.5
MIN_LETTERS = 40
MIN_LETTER_SHARE = 0.6  # of the non-space characters
MIN_WORD_SHARE = 0.5  # of the tokens, those that are words of letters
SAMPLE_CHARS = 800  # ~130 words: on the benchmark, the same answer as the whole body, at a fraction of the cost
NOT_LANGUAGE = frozenset({"zxx", "und"})

_TOKEN = re.compile(r"\S+")
_LETTER = re.compile(r"[^\W\d_]")  # letters (and the marks \w includes with them)
_VISIBLE = re.compile(r"\S")
_LANG_CODE = re.compile(r"^[a-z]{2,3}$")

_lock = threading.Lock()
_identifier: Any = None


def load_model() -> Any:
    """The identifier, loaded once per process (0.7 s), lazily so that importing stays cheap."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def looks_like_language(text: str) -> bool:
    """Mostly letters, mostly word-shaped tokens: a precondition for asking the model at all."""
    sample = text[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS or letters < MIN_LETTER_SHARE * len(_VISIBLE.findall(sample)):
        return False
    tokens = _TOKEN.findall(sample)
    # A token is word-shaped when letters dominate it. CJK and Thai, written without spaces, give one
    # long token per clause: still word-shaped. Random bytes give long tokens of mixed symbols.
    wordlike = sum(1 for t in tokens if len(_LETTER.findall(t)) >= 0.6 * len(t))
    return wordlike >= MIN_WORD_SHARE * len(tokens)


def detect_language(text: str) -> tuple[str | None, float | None]:
    """``(ISO 639 code, probability)``, or ``(None, None)`` for text that is not identifiable language."""
    if not text or not looks_like_language(text):
        return None, None
    lang, confidence = load_model().classify(text[:SAMPLE_CHARS])
    if lang in NOT_LANGUAGE or confidence < MIN_CONFIDENCE:
        return None, None
    return str(lang), round(float(confidence), 4)


def normalise_code(code: str | None) -> str | None:
    """``en-GB``/``en_US``/``EN`` -> ``en``; None for anything that is not a language code."""
    if not code or not isinstance(code, str):
        return None
    head = code.strip().replace("_", "-").split("-")[0].lower()
    return head if _LANG_CODE.match(head) and head not in NOT_LANGUAGE else None


def guess_language(text: str) -> str | None:
    """The detected language of ``text`` alone (kept for callers of the old stopword vote)."""
    return detect_language(text)[0]
