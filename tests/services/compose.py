"""docker-compose.yml read the way Docker Compose reads it, so tests can run its commands here.

There is no Docker engine on the test machine: the tests interpolate the file with Compose's rules
(``$$`` escapes, ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}``…), map the service host names
to this machine's services, and run the resulting commands and health checks as processes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
# The services a container reaches by name, and where they run on the test machine.
SERVICE_HOSTS = {"postgres": "127.0.0.1", "redis": "127.0.0.1", "airflow-apiserver": "127.0.0.1"}

_REF = re.compile(
    r"\$(?:(?P<escape>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(ValueError):
    """A ``${VAR:?message}`` whose variable is unset or empty: Compose refuses to start."""


def load(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The compose file as YAML (anchors and ``<<`` merges applied), not yet interpolated."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """``KEY=value`` lines of a Compose ``.env`` file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{path}: not KEY=value: {line!r}")
        values[key.strip()] = value.strip()
    return values


def referenced_variables(node: Any) -> dict[str, set[str]]:
    """Every variable the document's values interpolate (comments are not interpolated), with the
    operators it is used with ("" for a plain ``${VAR}``)."""
    found: dict[str, set[str]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for m in _REF.finditer(value):
                name = m.group("braced") or m.group("bare")
                if name:
                    found.setdefault(name, set()).add(m.group("op") or "")
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(node)
    return found


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """One string as Compose interpolates it from ``env`` (the shell environment plus ``.env``)."""

    def sub(m: re.Match[str]) -> str:
        if m.group("escape"):
            return "$"
        name = m.group("braced") or m.group("bare")
        op, arg = m.group("op"), m.group("arg") or ""
        current = env.get(name)
        is_set, non_empty = current is not None, bool(current)
        if op == ":-":
            return current if non_empty else arg  # type: ignore[return-value]
        if op == "-":
            return current if is_set else arg  # type: ignore[return-value]
        if op in (":?", "?") and not (non_empty if op == ":?" else is_set):
            raise MissingVariable(f"required variable {name} is missing a value: {arg}")
        if op == ":+":
            return arg if non_empty else ""
        if op == "+":
            return arg if is_set else ""
        return current or ""

    return _REF.sub(sub, value)


def resolve(node: Any, env: Mapping[str, str]) -> Any:
    """The whole document (or a part of it) interpolated."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolve(v, env) for v in node]
    if isinstance(node, dict):
        return {k: resolve(v, env) for k, v in node.items()}
    return node


def on_this_machine(value: str, ports: Mapping[str, int] | None = None) -> str:
    """A URL or command with the Compose service names (and ports) mapped to this machine's."""
    ports = ports or {}
    for service, host in SERVICE_HOSTS.items():
        default = {"postgres": 5432, "redis": 6379, "airflow-apiserver": 8080}[service]
        value = re.sub(rf"(?<=[@/]){re.escape(service)}:{default}\b", f"{host}:{ports.get(service, default)}", value)
    return value


def healthcheck_argv(test: list[str]) -> list[str]:
    """A healthcheck's ``test`` as the argv Docker runs: CMD as is, CMD-SHELL through ``sh -c``."""
    kind, *rest = test
    if kind == "CMD":
        return rest
    if kind == "CMD-SHELL":
        return ["sh", "-c", rest[0]]
    raise ValueError(f"unknown healthcheck form {kind!r}")
