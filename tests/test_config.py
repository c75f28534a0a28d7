from pathlib import Path

import pytest

from newsflow.config import Settings


def test_from_env_reads_paths_and_the_live_window(monkeypatch):
    monkeypatch.setenv("NEWSFLOW_DATA", "/srv/news")
    monkeypatch.setenv("NEWSFLOW_LIVE_WINDOW_HOURS", "6")
    settings = Settings.from_env(feeds_file=Path("/etc/newsflow/feeds.yaml"))
    assert settings.data_root == Path("/srv/news") and settings.live_window_hours == 6.0
    assert settings.feeds_file == Path("/etc/newsflow/feeds.yaml")


def test_the_pipeline_fetches_with_the_fetch_settings_own_defaults_and_variables(monkeypatch):
    """One place per knob: the process settings do not shadow the fetcher's (politeness: one request
    at a time per host; the contact URL goes into the user agent)."""
    from newsflow.fetch import FetchSettings

    defaults = FetchSettings.from_env()
    assert defaults.per_host_concurrency == 1 and defaults.concurrency == FetchSettings().concurrency
    monkeypatch.setenv("NEWSFLOW_CONTACT", "mailto:ops@example.org")
    monkeypatch.setenv("NEWSFLOW_MAX_BYTES", "1024")
    fetch = FetchSettings.from_env()
    assert "mailto:ops@example.org" in fetch.user_agent and fetch.max_bytes == 1024


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("NEWSFLOW_LIVE_WINDOW_HOURS", "soon", "a number")],
)
def test_bad_values_say_how_to_fix_them(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"{name}='{value}' is not {message}; unset it or give e.g. {name}="):
        Settings.from_env()
