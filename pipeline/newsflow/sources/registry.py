"""The feed registry: ``feeds.yaml`` loaded into validated :class:`FeedSpec` records.

Errors name the file, the feed and the field, so an operator can fix the YAML without reading code.
Values are checked strictly: ``enabled: "false"`` disables (and ``enabled: maybe`` is an error,
not a truthy string), ``tags: 5`` is an error, ``site`` defaults to the feed URL's host.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

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
    # Hours without a new item before the stale-feed alert (None: the default, see newsflow.health).
    stale_after_hours: int | None = None


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
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read: {exc}") from exc
    return parse_registry(doc, str(path))


def _strict_bool(value: object, label: str) -> bool:
    """YAML booleans only (``true``/``false``, or the strings "true"/"false"/"yes"/"no"); junk is an error.

    ``bool("false")`` is True, so a quoted ``enabled: "false"`` used to leave a feed enabled.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"):
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise RegistryError(f"{label}: enabled must be true or false, got {value!r}")


def _tags(value: object, label: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(t, str | int | float) and not isinstance(t, bool) for t in value):
        return tuple(str(t) for t in value)
    raise RegistryError(f"{label}: tags must be a list of words (e.g. tags: [local, politics]), got {value!r}")


def _stale_after(value: object, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise RegistryError(
        f"{label}: stale_after_hours must be a whole number of hours, at least 1 (e.g. 12), got {value!r}"
    )


def default_site(url: str) -> str:
    """A feed's site when feeds.yaml names none: its host without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or url


def parse_registry(doc: object, where: str = "feeds.yaml") -> Registry:
    if isinstance(doc, dict) and "feeds" in doc and doc["feeds"] is None:
        doc = {**doc, "feeds": []}  # "feeds:" with nothing under it yet
    if not isinstance(doc, dict) or not isinstance(doc.get("feeds"), list):
        raise RegistryError(f"{where}: expected a mapping with a 'feeds:' list")
    feeds: list[FeedSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(doc["feeds"]):
        label = f"{where}: feeds[{i}]"
        if not isinstance(item, dict):
            raise RegistryError(f"{label}: expected a mapping with name and url (site optional)")
        missing = [k for k in ("name", "url") if not item.get(k)]
        if missing:
            raise RegistryError(f"{label}: missing {', '.join(missing)}")
        name = str(item["name"])
        label = f"{label} ({name})"
        if name in seen:
            raise RegistryError(f"{label}: duplicate feed name {name!r}")
        seen.add(name)
        if not isinstance(item["url"], str):
            raise RegistryError(f"{label}: url must be a string, got {item['url']!r}")
        url = item["url"].strip()
        if not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
            raise RegistryError(f"{label}: url must be an http:// or https:// URL with a host, got {url!r}")
        kind = str(item.get("kind", "auto"))
        if kind not in KINDS:
            raise RegistryError(f"{label}: kind {kind!r} is not one of {', '.join(KINDS)}")
        unknown = set(item) - {"name", "url", "site", "kind", "enabled", "tags", "stale_after_hours"}
        if unknown:
            raise RegistryError(f"{label}: unknown key(s) {sorted(unknown)}")
        site = item.get("site")
        if site is not None and not isinstance(site, str | int | float):
            raise RegistryError(f"{label}: site must be a name, got {site!r}")
        feeds.append(
            FeedSpec(
                name=name,
                url=url,
                site=str(site) if site not in (None, "") else default_site(url),
                kind=kind,
                enabled=_strict_bool(item.get("enabled", True), label),
                tags=_tags(item.get("tags"), label),
                stale_after_hours=_stale_after(item.get("stale_after_hours"), label),
            )
        )
    fetch = doc.get("fetch") or {}
    if not isinstance(fetch, dict):
        raise RegistryError(f"{where}: 'fetch:' must be a mapping")
    networks = fetch.get("allow_networks", []) or []
    if not isinstance(networks, list):
        raise RegistryError(f"{where}: fetch.allow_networks must be a list of networks (e.g. [127.0.0.0/8])")
    allow = tuple(str(n) for n in networks)
    for network in allow:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise RegistryError(f"{where}: fetch.allow_networks: {network!r} is not a network: {exc}") from exc
    return Registry(feeds=tuple(feeds), allow_networks=allow)


def _feed_line(spec: FeedSpec) -> str:
    item: dict[str, object] = {"name": spec.name, "url": spec.url, "site": spec.site}
    if spec.kind != "auto":
        item["kind"] = spec.kind
    if not spec.enabled:
        item["enabled"] = False
    if spec.tags:
        item["tags"] = list(spec.tags)
    if spec.stale_after_hours is not None:
        item["stale_after_hours"] = spec.stale_after_hours
    return yaml.safe_dump(item, default_flow_style=True, sort_keys=False, width=10_000, allow_unicode=True).strip()


def unique_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3`` … whichever is free."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _insert_into_block(text: str, lines: list[str]) -> str | None:
    """``text`` with ``lines`` appended to its top-level block-style ``feeds:`` list, or None if it has none."""
    rows = text.splitlines()
    start = next((i for i, row in enumerate(rows) if row.rstrip() == "feeds:" or row.startswith("feeds: #")), None)
    if start is None:
        return None
    end = start + 1
    last_item = start
    indent = None
    while end < len(rows):
        row = rows[end]
        stripped = row.strip()
        if stripped and not stripped.startswith("#") and not row[0].isspace() and not row.startswith("-"):
            break  # the next top-level key
        if stripped.startswith("-") and indent is None:
            indent = row[: len(row) - len(row.lstrip())]
        if stripped and not stripped.startswith("#"):
            last_item = end
        end += 1
    prefix = (indent if indent is not None else "  ") + "- "
    new_rows = rows[: last_item + 1] + [prefix + line for line in lines] + rows[last_item + 1 :]
    return "\n".join(new_rows) + "\n"


def append_feeds(path: Path, specs: list[FeedSpec]) -> list[FeedSpec]:
    """Append feeds to ``feeds.yaml`` keeping its comments and layout; returns the feeds actually added.

    A feed whose URL is already registered is skipped; a taken name gets a ``-2`` suffix. The new
    file is validated before it replaces the old one (atomically), so a bad append changes nothing.
    """
    path = Path(path)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        registry = parse_registry(yaml.safe_load(text) or {"feeds": []}, str(path))
    else:
        text, registry = "feeds:\n", Registry(feeds=())
    urls = {f.url for f in registry.feeds}
    names = {f.name for f in registry.feeds}
    added: list[FeedSpec] = []
    for spec in specs:
        if spec.url in urls:
            continue
        spec = replace(spec, name=unique_name(spec.name, names))
        urls.add(spec.url)
        names.add(spec.name)
        added.append(spec)
    if not added:
        return []
    new_text = _insert_into_block(text, [_feed_line(s) for s in added])
    if new_text is None:  # feeds: written in flow style or missing: rewrite the document (comments are lost)
        doc = yaml.safe_load(text) or {}
        doc.setdefault("feeds", [])
        doc["feeds"] = list(doc["feeds"] or []) + [yaml.safe_load(_feed_line(s)) for s in added]
        new_text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    check = parse_registry(yaml.safe_load(new_text), str(path))
    if [f.url for f in check.feeds] != [f.url for f in registry.feeds] + [s.url for s in added]:
        raise RegistryError(f"{path}: could not append feeds without changing the existing ones; edit it by hand")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".feeds-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(new_text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return added
