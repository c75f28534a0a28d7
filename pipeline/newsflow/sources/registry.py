"""The feed registry: ``feeds.yaml`` loaded into validated :class:`FeedSpec` records.

Errors name the file, the feed and the field, so an operator can fix the YAML without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

KINDS = ("rss", "atom", "rdf", "jsonfeed", "sitemap", "auto")


class RegistryError(ValueError):
    """feeds.yaml is missing, unreadable or invalid."""


@dataclass(frozen=True)
class FeedSpec:
    name: str
    url: str
    site: str
    kind: str = "auto"
    enabled: bool = True
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registry:
    feeds: tuple[FeedSpec, ...]
    allow_networks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def enabled(self) -> list[FeedSpec]:
        return [f for f in self.feeds if f.enabled]


def load_registry(path: Path) -> Registry:
    path = Path(path)
    if not path.exists():
        raise RegistryError(f"feeds file {path} does not exist; pass --feeds or set NEWSFLOW_FEEDS")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    return parse_registry(doc, str(path))


def parse_registry(doc: object, where: str = "feeds.yaml") -> Registry:
    if not isinstance(doc, dict) or not isinstance(doc.get("feeds"), list):
        raise RegistryError(f"{where}: expected a mapping with a 'feeds:' list")
    feeds: list[FeedSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(doc["feeds"]):
        label = f"{where}: feeds[{i}]"
        if not isinstance(item, dict):
            raise RegistryError(f"{label}: expected a mapping with name, url, site")
        missing = [k for k in ("name", "url", "site") if not item.get(k)]
        if missing:
            raise RegistryError(f"{label}: missing {', '.join(missing)}")
        name = str(item["name"])
        if name in seen:
            raise RegistryError(f"{label}: duplicate feed name {name!r}")
        seen.add(name)
        url = str(item["url"])
        if not url.startswith(("http://", "https://")):
            raise RegistryError(f"{label} ({name}): url must start with http:// or https://, got {url!r}")
        kind = str(item.get("kind", "auto"))
        if kind not in KINDS:
            raise RegistryError(f"{label} ({name}): kind {kind!r} is not one of {', '.join(KINDS)}")
        unknown = set(item) - {"name", "url", "site", "kind", "enabled", "tags"}
        if unknown:
            raise RegistryError(f"{label} ({name}): unknown key(s) {sorted(unknown)}")
        feeds.append(
            FeedSpec(
                name=name,
                url=url,
                site=str(item["site"]),
                kind=kind,
                enabled=bool(item.get("enabled", True)),
                tags=tuple(str(t) for t in item.get("tags", []) or []),
            )
        )
    fetch = doc.get("fetch") or {}
    if not isinstance(fetch, dict):
        raise RegistryError(f"{where}: 'fetch:' must be a mapping")
    allow = tuple(str(n) for n in fetch.get("allow_networks", []) or [])
    return Registry(feeds=tuple(feeds), allow_networks=allow)
