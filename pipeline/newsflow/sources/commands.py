"""``newsflow feeds …``: parse feed files, discover and add feeds, show their state, OPML in and out.

The lead registers it with one line in ``cli.build_parser``: ``sources.commands.add_parser(sub)``.
``feeds parse FILE… --json`` is a stable contract (keys only ever added): one JSON object per
entry (``path``, ``title``, ``link``, ``published``, ``id``), or for a file that cannot be read or
is not a feed one object (``path``, ``error``, ``error_class``); never a traceback; exit 0 once
every file was handled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from newsflow.sources.parse import parse_feed


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """``(feeds file, data root)`` from the flags, else the environment, as the rest of the CLI does."""
    from newsflow.config import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "feeds", None):
        overrides["feeds_file"] = Path(args.feeds)
    if getattr(args, "data", None):
        overrides["data_root"] = Path(args.data)
    settings = Settings.from_env(**overrides)
    return Path(settings.feeds_file), Path(settings.data_root)


def _fetch_settings(allow_networks: Sequence[str]) -> Any:
    from newsflow.fetch.settings import FetchSettings

    return FetchSettings.from_env().with_networks(tuple(allow_networks))


# ------------------------------------------------------------------ parse


def parse_lines(path: Path, max_items: int | None = None) -> list[dict[str, Any]]:
    """The JSON objects ``feeds parse --json`` prints for one file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [{"path": str(path), "error": f"{type(exc).__name__}: {exc}", "error_class": "unreadable"}]
    parsed = parse_feed(data, "", None, max_items)
    if parsed.error_class and not parsed.entries:
        return [{"path": str(path), "error": parsed.error or parsed.error_class, "error_class": parsed.error_class}]
    return [
        {
            "path": str(path),
            "title": entry.title,
            "link": entry.link,
            "published": entry.published.isoformat() if entry.published else None,
            "id": entry.id,
        }
        for entry in parsed.entries
    ]


def cmd_parse(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    for name in args.files:
        try:
            lines = parse_lines(Path(name), args.max_items)
        except Exception as exc:  # noqa: BLE001 - the contract: an error object, never a traceback
            lines = [{"path": name, "error": f"{type(exc).__name__}: {exc}", "error_class": "parse_error"}]
        for line in lines:
            if args.json:
                print(json.dumps(line, ensure_ascii=False), file=out)
            elif "error" in line:
                print(f"{line['path']}: error: {line['error']}", file=out)
            else:
                print(
                    f"{line['path']}: {line['published'] or '-'}  {line['title'] or '(untitled)'}  {line['link']}",
                    file=out,
                )
    return 0


# ------------------------------------------------------------------ add


def cmd_add(args: argparse.Namespace) -> int:
    from newsflow.fetch.client import HttpFetcher
    from newsflow.sources.discover import discover_feeds
    from newsflow.sources.opml import slug
    from newsflow.sources.registry import FeedSpec, Registry, append_feeds, default_site, load_registry

    feeds_file, _ = _paths(args)
    registry = load_registry(feeds_file) if feeds_file.exists() else Registry(feeds=())
    networks = [*registry.allow_networks, *(args.allow_network or [])]
    with HttpFetcher(_fetch_settings(networks)) as fetcher:
        try:
            found = discover_feeds(args.url, fetcher, guess=not args.no_guess)
        except LookupError as exc:
            print(f"newsflow feeds add: {exc}", file=sys.stderr)
            return 1
    if not found:
        print(
            f"newsflow feeds add: no feed found at {args.url} (no <link rel=alternate>, no common path)",
            file=sys.stderr,
        )
        return 1
    chosen = found if args.all else found[:1]
    specs = []
    for i, feed in enumerate(chosen):
        parts = urlsplit(feed.url)
        name = args.name if args.name and i == 0 else slug(feed.title or f"{parts.hostname}{parts.path}")
        site = args.site or default_site(args.url)
        specs.append(FeedSpec(name=name, url=feed.url, site=site, kind=feed.kind, tags=tuple(args.tag or ())))
    for feed in found:
        mark = "+" if feed in chosen else " "
        print(f"{mark} {feed.url}  ({feed.kind}, {feed.entries} entries, found by {feed.source})")
    if args.dry_run:
        return 0
    added = append_feeds(feeds_file, specs)
    for spec in added:
        print(f"added {spec.name}: {spec.url} to {feeds_file}")
    if not added:
        print(f"already in {feeds_file}: nothing added")
    return 0


# ------------------------------------------------------------------ list


def _hour_text(value: datetime | None) -> str:
    return f"{value:%Y-%m-%dT%H}Z" if value else "-"


def feed_rows(feeds_file: Path, data_root: Path, hour: datetime) -> list[dict[str, Any]]:
    """Each registered feed's state as of ``hour`` (what ``feeds list`` shows)."""
    from newsflow.fetch.settings import FetchSettings
    from newsflow.fetch.state import FetchState, state_path
    from newsflow.sources.registry import load_registry

    registry = load_registry(feeds_file)
    path = state_path(data_root)
    outcomes: list[tuple[Any, Any]] = [(f, None) for f in registry.feeds]
    if path.exists():
        with FetchState(path, FetchSettings.from_env()) as state:
            outcomes = state.feed_outcomes(list(registry.feeds), hour)
    rows = []
    for feed, outcome in outcomes:
        rows.append(
            {
                "name": feed.name,
                "url": feed.url,
                "enabled": feed.enabled,
                "last_success": outcome.last_success.isoformat() if outcome and outcome.last_success else None,
                "last_error": outcome.last_error_class if outcome else None,
                "failing_hours": outcome.failing_hours if outcome else 0,
                "flagged": outcome.flagged if outcome else False,
                "next_due": outcome.next_due.isoformat() if outcome and outcome.next_due else None,
                "items_per_day": outcome.items_per_day if outcome else None,
            }
        )
    return rows


def cmd_list(args: argparse.Namespace) -> int:
    feeds_file, data_root = _paths(args)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if args.at:
        hour = datetime.fromisoformat(args.at.replace("Z", "+00:00"))
        hour = (hour if hour.tzinfo else hour.replace(tzinfo=UTC)).replace(minute=0, second=0, microsecond=0)
    rows = feed_rows(feeds_file, data_root, hour)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    print(f"{'feed':<28} {'last success':<15} {'last error':<20} {'next due':<15} {'items/day':>9}")
    for row in rows:

        def short(value: str | None) -> str:
            return _hour_text(datetime.fromisoformat(value)) if value else "-"

        error = row["last_error"] or "-"
        if row["failing_hours"]:
            error += f" ({row['failing_hours']}h" + (", FLAGGED)" if row["flagged"] else ")")
        rate = f"{row['items_per_day']:.1f}" if row["items_per_day"] is not None else "-"
        name = row["name"] + ("" if row["enabled"] else " (off)")
        print(f"{name:<28} {short(row['last_success']):<15} {error:<20} {short(row['next_due']):<15} {rate:>9}")
    return 0


# ------------------------------------------------------------------ OPML


def cmd_import_opml(args: argparse.Namespace) -> int:
    from newsflow.sources.opml import OpmlError, read_opml, to_specs
    from newsflow.sources.registry import Registry, append_feeds, load_registry

    feeds_file, _ = _paths(args)
    try:
        feeds = read_opml(Path(args.file).read_bytes())
    except (OSError, OpmlError) as exc:
        print(f"newsflow feeds import-opml: {args.file}: {exc}", file=sys.stderr)
        return 1
    registry = load_registry(feeds_file) if feeds_file.exists() else Registry(feeds=())
    specs = to_specs(feeds, {f.name for f in registry.feeds})
    if args.dry_run:
        for spec in specs:
            print(f"would add {spec.name}: {spec.url}")
        return 0
    added = append_feeds(feeds_file, specs)
    print(f"imported {len(added)} of {len(feeds)} feed(s) from {args.file} into {feeds_file}")
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    from newsflow.sources.opml import write_opml
    from newsflow.sources.registry import load_registry

    feeds_file, _ = _paths(args)
    data = write_opml(list(load_registry(feeds_file).feeds))
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


# ------------------------------------------------------------------ registration


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``newsflow feeds …`` on the CLI's subparsers (``args.func(args)`` runs it)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "feeds", help="feed tools: parse files, add a site's feed, list feed state, OPML import/export"
    )
    sub = parser.add_subparsers(dest="feeds_command", required=True)

    def registry_flags(p: argparse.ArgumentParser, data: bool = False) -> None:
        p.add_argument("--feeds", help="feed registry (default: $NEWSFLOW_FEEDS or ./feeds.yaml)")
        if data:
            p.add_argument("--data", help="data root (default: $NEWSFLOW_DATA or ./data)")

    p = sub.add_parser("parse", help="parse feed documents (RSS, Atom, JSON Feed, sitemaps) into entries")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON object per entry (or per unreadable file)")
    p.add_argument("--max-items", type=int, default=None, help="entries per file at most (default: all)")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("add", help="discover a site's feed from its home page and add it to feeds.yaml")
    p.add_argument("url")
    p.add_argument("--name", help="the feed's name (default: from its title or URL)")
    p.add_argument("--site", help="the site's name (default: the URL's host)")
    p.add_argument("--tag", action="append", help="a tag for the feed (repeatable)")
    p.add_argument("--all", action="store_true", help="add every feed found, not just the first")
    p.add_argument("--no-guess", action="store_true", help="only <link rel=alternate>, no common paths")
    p.add_argument("--dry-run", action="store_true", help="show what was found, change nothing")
    p.add_argument("--allow-network", action="append", help="a private network this fetch may reach (e.g. 127.0.0.0/8)")
    registry_flags(p)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", help="each feed's state: last success, last error, next due, items per day")
    p.add_argument("--json", action="store_true", help="one JSON object per feed")
    p.add_argument("--at", help="the hour to report on, ISO 8601 (default: now)")
    registry_flags(p, data=True)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("import-opml", help="add the feeds of an OPML file to feeds.yaml")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true")
    registry_flags(p)
    p.set_defaults(func=cmd_import_opml)

    p = sub.add_parser("export-opml", help="write feeds.yaml as OPML 2.0")
    p.add_argument("--output", "-o", help="file to write (default: stdout)")
    registry_flags(p)
    p.set_defaults(func=cmd_export_opml)
    return parser
