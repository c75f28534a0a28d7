"""Settings for one process: where data lives, how politely and safely we fetch.

One frozen dataclass read from environment variables, so the DAG, the CLI and the tests share
exactly one way to configure newsflow. Feed-specific settings live in ``feeds.yaml`` instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newsflow import __version__

DEFAULT_USER_AGENT = f"newsflow/{__version__} (+https://github.com/newsflow/newsflow; news ingestion bot)"
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
    """Process-wide settings. Build with :meth:`from_env`; override in tests with :func:`dataclasses.replace`."""

    data_root: Path = Path("data")
    feeds_file: Path = Path("feeds.yaml")
    expectations_dir: Path = DEFAULT_EXPECTATIONS_DIR
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 8
    per_host_concurrency: int = 2
    # Networks that may be fetched although they are private/loopback (the sample newsroom, tests).
    allow_networks: tuple[str, ...] = field(default_factory=tuple)
    # How far back an hour without recorded downloads may still be fetched live (its feeds still
    # show what that hour published); older hours are refused unless asked (DAG param live / --live).
    live_window_hours: float = 3.0

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        allow = tuple(n.strip() for n in os.environ.get("NEWSFLOW_ALLOW_NETWORKS", "").split(",") if n.strip())
        settings = cls(
            data_root=Path(os.environ.get("NEWSFLOW_DATA", "data")),
            feeds_file=Path(os.environ.get("NEWSFLOW_FEEDS", "feeds.yaml")),
            expectations_dir=Path(os.environ.get("NEWSFLOW_EXPECTATIONS") or DEFAULT_EXPECTATIONS_DIR),
            user_agent=os.environ.get("NEWSFLOW_USER_AGENT", DEFAULT_USER_AGENT),
            connect_timeout=_env_number("NEWSFLOW_CONNECT_TIMEOUT", cls.connect_timeout),
            read_timeout=_env_number("NEWSFLOW_READ_TIMEOUT", cls.read_timeout),
            total_timeout=_env_number("NEWSFLOW_TOTAL_TIMEOUT", cls.total_timeout),
            max_bytes=_env_number("NEWSFLOW_MAX_BYTES", cls.max_bytes, int),
            max_redirects=_env_number("NEWSFLOW_MAX_REDIRECTS", cls.max_redirects, int),
            concurrency=_env_number("NEWSFLOW_CONCURRENCY", cls.concurrency, int),
            per_host_concurrency=_env_number("NEWSFLOW_PER_HOST_CONCURRENCY", cls.per_host_concurrency, int),
            allow_networks=allow,
            live_window_hours=_env_number("NEWSFLOW_LIVE_WINDOW_HOURS", cls.live_window_hours),
        )
        return replace(settings, **overrides) if overrides else settings
