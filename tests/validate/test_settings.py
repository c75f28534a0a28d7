"""Validation settings from the environment: defaults that work, bad values that say how to fix them."""

from __future__ import annotations

import pytest

from newsflow.errors import ConfigError
from newsflow.validate.languages import ISO_639_1
from newsflow.validate.settings import ValidationSettings, parse_languages


def test_defaults(monkeypatch):
    for name in ("NEWSFLOW_ALLOWED_LANGUAGES", "NEWSFLOW_VOLUME_THRESHOLD", "NEWSFLOW_VOLUME_MIN_POINTS"):
        monkeypatch.delenv(name, raising=False)
    settings = ValidationSettings.from_env()
    assert settings.allowed_languages == ISO_639_1 and len(ISO_639_1) == 184
    assert settings.volume_threshold == 0.3 and settings.volume_min_points == 3 and settings.volume_days == 14
    assert settings.suite_parameters() == {"allowed_languages": list(ISO_639_1)}


def test_from_env(monkeypatch):
    monkeypatch.setenv("NEWSFLOW_ALLOWED_LANGUAGES", " EN,de , es")
    monkeypatch.setenv("NEWSFLOW_VOLUME_THRESHOLD", "0.5")
    monkeypatch.setenv("NEWSFLOW_VOLUME_MIN_POINTS", "5")
    settings = ValidationSettings.from_env()
    assert settings.allowed_languages == ("de", "en", "es")
    assert settings.volume_threshold == 0.5 and settings.volume_min_points == 5


def test_every_language(monkeypatch):
    assert parse_languages("*") == ISO_639_1 == parse_languages("") == parse_languages(None)


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("NEWSFLOW_ALLOWED_LANGUAGES", "en,english", "english"),
        ("NEWSFLOW_VOLUME_THRESHOLD", "lots", "NEWSFLOW_VOLUME_THRESHOLD=0.3"),
        ("NEWSFLOW_VOLUME_MIN_POINTS", "-1", "must not be negative"),
    ],
)
def test_bad_values_say_how_to_fix_them(monkeypatch, name, value, hint):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=hint):
        ValidationSettings.from_env()
