from pathlib import Path

import pytest

from newsflow.config import Settings


def test_from_env_reads_numbers_paths_and_networks(monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DATA", "/srv/news")
    monkeypatch.setenv("NEWSFLOW_MAX_BYTES", "1024")
    monkeypatch.setenv("NEWSFLOW_READ_TIMEOUT", "2.5")
    monkeypatch.setenv("NEWSFLOW_ALLOW_NETWORKS", "127.0.0.0/8, 10.1.0.0/16")
    settings = Settings.from_env(concurrency=3)
    assert settings.data_root == Path("/srv/news") and settings.max_bytes == 1024 and settings.read_timeout == 2.5
    assert settings.allow_networks == ("127.0.0.0/8", "10.1.0.0/16") and settings.concurrency == 3
    assert settings.user_agent.startswith("newsflow/")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("NEWSFLOW_MAX_BYTES", "10MB", "a whole number"), ("NEWSFLOW_READ_TIMEOUT", "soon", "a number")],
)
def test_bad_values_say_how_to_fix_them(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}='{value}' is not {message}; unset it or give e.g. {name}="):
        Settings.from_env()
