"""Settings of validation: which languages an article may be in, when an hour's volume is anomalous.

A small frozen dataclass read from environment variables (the lead wires it into
:class:`newsflow.config.Settings` or passes it along); every field has a default that works.

=============================  =========================================================  ===============
variable                       meaning                                                    default
=============================  =========================================================  ===============
NEWSFLOW_ALLOWED_LANGUAGES     ISO 639-1 codes an article may have, comma-separated;      every ISO 639-1
                               ``*`` or empty for all. A null language (not identified:   code
                               short or mixed text) is always allowed: junk is caught by
                               the text checks, not by the language.
NEWSFLOW_VOLUME_THRESHOLD      an hour with fewer articles than this share of the same    0.3
                               hour's trailing average is a volume anomaly (a warning)
NEWSFLOW_VOLUME_MIN_POINTS     earlier same hours needed before the check speaks          3
NEWSFLOW_VOLUME_DAYS           how many days back the trailing average looks              14
NEWSFLOW_DATA_DOCS_DAYS        how many days of validation results Data Docs keeps        14
=============================  =========================================================  ===============
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from newsflow.errors import ConfigError
from newsflow.validate.languages import ISO_639_1


def _number(name: str, default: float, cast: type[int] | type[float]) -> Any:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
    except ValueError:
        kind = "a whole number" if cast is int else "a number"
        raise ConfigError(f"{name}={raw!r} is not {kind}; unset it or give e.g. {name}={default}") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} must not be negative; unset it or give e.g. {name}={default}")
    return value


def parse_languages(raw: str | None) -> tuple[str, ...]:
    """``"en, de,ES"`` -> ``("de", "en", "es")``; empty or ``*`` -> every ISO 639-1 code.

    An unknown code is a configuration error (a typo would otherwise quarantine every article)."""
    if raw is None or raw.strip() in ("", "*"):
        return ISO_639_1
    codes = sorted({c.strip().lower() for c in raw.split(",") if c.strip()})
    unknown = [c for c in codes if c not in ISO_639_1]
    if unknown:
        raise ConfigError(
            f"NEWSFLOW_ALLOWED_LANGUAGES: {', '.join(unknown)} not ISO 639-1 code(s); "
            "give two-letter codes such as en,de,es, or * for every language"
        )
    return tuple(codes)


@dataclass(frozen=True)
class ValidationSettings:
    allowed_languages: tuple[str, ...] = ISO_639_1
    volume_threshold: float = 0.3
    volume_min_points: int = 3
    volume_days: int = 14
    data_docs_days: int = 14

    @classmethod
    def from_env(cls, **overrides: Any) -> ValidationSettings:
        settings = cls(
            allowed_languages=parse_languages(os.environ.get("NEWSFLOW_ALLOWED_LANGUAGES")),
            volume_threshold=_number("NEWSFLOW_VOLUME_THRESHOLD", cls.volume_threshold, float),
            volume_min_points=_number("NEWSFLOW_VOLUME_MIN_POINTS", cls.volume_min_points, int),
            volume_days=_number("NEWSFLOW_VOLUME_DAYS", cls.volume_days, int),
            data_docs_days=_number("NEWSFLOW_DATA_DOCS_DAYS", cls.data_docs_days, int),
        )
        return replace(settings, **overrides) if overrides else settings

    def suite_parameters(self) -> dict[str, Any]:
        """Values of the ``{"$PARAMETER": …}`` placeholders in the suites."""
        return {"allowed_languages": list(self.allowed_languages)}
