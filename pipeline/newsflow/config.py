"""Settings for one process: where data lives, the feeds and the suites, how far back is live.

One frozen dataclass read from environment variables, so the DAG, the CLI and the tests share
exactly one way to configure newsflow. Feed-specific settings live in ``feeds.yaml`` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# The Great Expectations suites ship in the repository's expectations/ folder, beside pipeline/.
DEFAULT_EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"


def _env_number(name: str, default: float, cast: type[int] | type[float] = float) -> Any:
    """``cast(os.environ[name])``, or ``default`` when unset; a bad value says how to fix it."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        kind = "a whole number" if cast is int else "a number"
        raise ValueError(f"{name}={raw!r} is not {kind}; unset it or give e.g. {name}={default}") from exc


@dataclass(frozen=True)
class Settings:
    """Process-wide settings. Build with :meth:`from_env`; override in tests with :func:`dataclasses.replace`.

    How to fetch (timeouts, limits, politeness, the user agent) is ``newsflow.fetch.FetchSettings``,
    read from its own ``NEWSFLOW_*`` variables: one place for each knob."""

    data_root: Path = Path("data")
    feeds_file: Path = Path("feeds.yaml")
    expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR
    # How far back an hour without recorded downloads may still be fetched live (its feeds still
    # show what that hour published); older hours are refused unless asked (DAG param live / --live).
    live_window_hours: float = 3.0

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        settings = cls(
            data_root=Path(os.environ.get("NEWSFLOW_DATA", "data")),
            feeds_file=Path(os.environ.get("NEWSFLOW_FEEDS", "feeds.yaml")),
            expectations_dir=Path(os.environ.get("NEWSFLOW_EXPECTATIONS") or DEFAULT_EXPECTATIONS_DIR),
            live_window_hours=_env_number("NEWSFLOW_LIVE_WINDOW_HOURS", cls.live_window_hours),
        )
        return replace(settings, **overrides) if overrides else settings
