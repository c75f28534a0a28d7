"""``newsflow``: the command line. Each command is a thin shell over the function the pipeline uses.

Stable contracts (flags and JSON keys change only additively): ``run``, ``backfill``,
``extract FILE… --json``, ``facts FILE… --json [--published DATE]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.config import Settings
from newsflow.dedup.commands import add_parser as add_dedup_parser
from newsflow.errors import PipelineError
from newsflow.sources.commands import add_parser as add_feeds_parser

if TYPE_CHECKING:
    from newsflow.extract import Extracted


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "data", None):
        overrides["data_root"] = Path(args.data)
    if getattr(args, "feeds", None):
        overrides["feeds_file"] = Path(args.feeds)
    return Settings.from_env(**overrides)


def _show_progress(step: int, total: int, stage: str) -> None:
    print(f"[{step}/{total}] {stage} …", file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from newsflow.context import parse_logical_date, plan_run
    from newsflow.cycle import run_cycle
    from newsflow.report import format_summary, summarize

    settings = _settings(args)
    ctx = plan_run(
        parse_logical_date(args.logical_date), settings, replay=args.replay, live=args.live, lease_pid=os.getpid()
    )
    started = time.monotonic()
    run_cycle(ctx, progress=_show_progress)
    summary = summarize(ctx.data_root, ctx.logical_hour)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_summary(summary, time.monotonic() - started))
    return _feed_policy_status(ctx.data_root, ctx.feeds_file, ctx.logical_hour)


def _feed_policy_status(data_root: Path, feeds_file: Path, hour: datetime) -> int:
    """The exit status the feed-failure policy gives a published hour: 1 when it is red (as the DAG's
    check_feeds task fails the run), 0 otherwise; amber is said on stderr."""
    from newsflow.health.policy import evaluate_hour

    verdict, stale = evaluate_hour(data_root, feeds_file, hour)
    if verdict.level != "green" or stale:
        stale_names = ", ".join(str(s.to_dict().get("feed")) for s in stale)
        extra = f"; stale feeds: {stale_names}" if stale else ""
        print(f"feed policy {verdict.level}: {'; '.join(verdict.reasons)}{extra}", file=sys.stderr)
    return 1 if verdict.level == "red" else 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from newsflow.context import each_hour, hour_count, parse_logical_date, plan_run
    from newsflow.cycle import run_cycle

    settings = _settings(args)
    start, end = parse_logical_date(args.start, "--from"), parse_logical_date(args.end, "--to")
    if end < start:
        print(f"newsflow backfill: --to {args.end} is before --from {args.start}", file=sys.stderr)
        return 2
    total = hour_count(start, end)
    if args.engine == "airflow" or (args.engine == "auto" and _scheduler_running()):
        return _airflow_backfill(start, end, args)
    failed: list[str] = []
    for i, hour in enumerate(each_hour(start, end), 1):
        print(f"[{i}/{total}] {hour:%Y-%m-%dT%H:00Z}", file=sys.stderr, flush=True)
        try:
            run_cycle(plan_run(hour, settings, replay=args.replay, live=args.live, lease_pid=os.getpid()))
        except PipelineError as exc:
            print(f"  failed: {exc}", file=sys.stderr, flush=True)
            failed.append(f"{hour:%Y-%m-%dT%H:00Z}")
    print(f"backfilled {total - len(failed)} of {total} hour(s) into {Path(settings.data_root).resolve()}")
    if failed:
        print(f"failed hours (rerun each with `newsflow run --logical-date …`): {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _airflow_cli() -> str:
    """The ``airflow`` command: on PATH, else beside this interpreter (the venv's)."""
    import shutil

    return shutil.which("airflow") or str(Path(sys.executable).with_name("airflow"))


def _scheduler_running() -> bool:
    """Whether an Airflow scheduler is alive for this environment's AIRFLOW_HOME (``airflow jobs check``)."""
    import subprocess

    airflow = _airflow_cli()
    if not Path(airflow).exists() or not os.environ.get("AIRFLOW_HOME"):
        return False
    check = [airflow, "jobs", "check", "--job-type", "SchedulerJob", "--allow-multiple", "--limit", "10"]
    try:
        return subprocess.run(check, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _airflow_backfill(start: datetime, end: datetime, args: argparse.Namespace) -> int:
    """Hand the range to Airflow's own backfill (its runs show in the UI); the DAG's plan task applies
    the same fetch-mode rule as the CLI loop: recorded hours replay, others need live."""
    import subprocess

    conf = json.dumps({"live": bool(args.live), "replay": bool(args.replay)})
    command = [
        _airflow_cli(), "backfill", "create", "--dag-id", "news_ingest_hourly",
        "--from-date", start.isoformat(), "--to-date", end.isoformat(),
        "--dag-run-conf", conf, "--reprocess-behavior", "completed", "--max-active-runs", "1",
    ]  # fmt: skip
    print(f"a scheduler is running: handing {start:%Y-%m-%dT%H:00Z}..{end:%Y-%m-%dT%H:00Z} to Airflow", file=sys.stderr)
    result = subprocess.run(command, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        hint = _backfill_hint(result.stdout + result.stderr)
        if hint:
            print(f"newsflow backfill: {hint}", file=sys.stderr)
    return result.returncode


def _backfill_hint(output: str) -> str | None:
    """What to do about the ways ``airflow backfill create`` is known to fail, in the operator's terms."""
    if "AlreadyRunningBackfill" in output:
        return (
            "a backfill of news_ingest_hourly is still running, or finished less than a minute ago and is not "
            "marked complete yet; wait for it (UI: Browse → Backfills) and run this command again"
        )
    if "database is locked" in output:
        return (
            "Airflow's SQLite metadata DB was busy (the scheduler and the backfill wrote at once); check "
            "Browse → Backfills, cancel a half-made backfill there, and run this command again; for backfills "
            "that rerun many hours, run Airflow on PostgreSQL (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)"
        )
    return None


def cmd_summary(args: argparse.Namespace) -> int:
    from newsflow.context import parse_logical_date
    from newsflow.report import format_summary, summarize

    summary = summarize(_settings(args).data_root, parse_logical_date(args.logical_date))
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_summary(summary))
    return 0


def _read_article(path: Path) -> tuple[Extracted, str | None]:
    from newsflow.extract import extract_html, extract_text

    data = path.read_bytes()
    if path.suffix.lower() in (".txt", ".text"):
        return extract_text(data.decode("utf-8")), data.decode("utf-8")
    return extract_html(data), None


def _error_line(path: Path, exc: Exception) -> dict:
    return {"path": str(path), "error": f"{type(exc).__name__}: {exc}"}


def cmd_extract(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        path = Path(name)
        try:
            ex, _ = _read_article(path)
            out = {"path": str(path), **ex.as_json()}
        except Exception as exc:  # noqa: BLE001 - one bad file is an error line, not the end
            out, status = _error_line(path, exc), 1
        if args.json:
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(f"== {path}\n{out.get('title')}\n{out.get('published')}\n\n{out.get('body') or out.get('error')}\n")
    return status


def _fact_lines(path: Path, published: date | None) -> list[dict[str, Any]]:
    from newsflow.facts import extract_facts
    from newsflow.facts.output import fact_json

    ex, text = _read_article(path)
    # A .txt file's offsets index its text exactly as read; HTML offsets index the extracted body.
    text = text if text is not None else ex.body
    anchor = published or (ex.published.date() if ex.published else None)
    return [{"path": str(path), **fact_json(fact)} for fact in extract_facts(text, anchor, ex.language)]


def cmd_reprocess_facts(args: argparse.Namespace) -> int:
    from newsflow.context import each_hour, hour_count, parse_logical_date
    from newsflow.reprocess import reprocess_hour

    if not (args.start and args.end):
        print("newsflow facts --reprocess needs --from and --to (hours, ISO 8601)", file=sys.stderr)
        return 2
    data_root = _settings(args).data_root
    start, end = parse_logical_date(args.start, "--from"), parse_logical_date(args.end, "--to")
    total = hour_count(start, end)
    run_id = f"reprocess__{datetime.now().strftime('%Y%m%dT%H%M%S')}"
    done = 0
    for i, hour in enumerate(each_hour(start, end), 1):
        result = reprocess_hour(data_root, hour, run_id, only_if_stale=args.only_stale)
        done += result.done
        state = f"{result.articles} articles, {result.facts} facts" if result.done else "skipped (nothing to do)"
        print(f"[{i}/{total}] {hour:%Y-%m-%dT%H:00Z} {state}", file=sys.stderr, flush=True)
    print(f"reprocessed the facts of {done} of {total} hour(s) in {Path(data_root).resolve()}")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from newsflow.compact import compact

    report = compact(_settings(args).data_root)
    print(json.dumps(report.__dict__, indent=2))
    return 1 if report.damaged else 0


def cmd_facts(args: argparse.Namespace) -> int:
    if args.reprocess:
        return cmd_reprocess_facts(args)
    if not args.files:
        print("newsflow facts: give FILE… or --reprocess --from … --to …", file=sys.stderr)
        return 2
    published = date.fromisoformat(args.published) if args.published else None
    status = 0
    for name in args.files:
        path = Path(name)
        try:
            lines = _fact_lines(path, published)
        except Exception as exc:  # noqa: BLE001 - one bad file is an error line, not the end
            lines, status = [_error_line(path, exc)], 1
        for line in lines:
            if args.json:
                print(json.dumps(line, ensure_ascii=False))
            elif "error" in line:
                print(f"== {path}: {line['error']}")
            else:
                print(f"{line['fact_type']:<9} {line['label']:<9} {line['text']!r} -> {line['value']}")
    return status


def cmd_newsroom(args: argparse.Namespace) -> int:
    from newsflow.newsroom.feeds import feeds_yaml
    from newsflow.newsroom.server import NewsroomServer, NewsroomState, current_hour

    clock = datetime.fromisoformat(args.clock.replace("Z", "+00:00")) if args.clock else current_hour()
    server = NewsroomServer(args.port, NewsroomState(clock=clock, latency_ms=args.latency_ms))
    if args.write_feeds:
        Path(args.write_feeds).write_text(feeds_yaml(server.base_url), encoding="utf-8")
    print(
        f"newsroom serving on {server.base_url} (clock {server.state.clock.isoformat()}); "
        f"feeds: {server.base_url}/_newsroom/feeds.yaml; Ctrl-C stops",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log every stage's details")
    sub = parser.add_subparsers(dest="command", required=True)

    def data_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument("--feeds", help="feed registry (default: $NEWSFLOW_FEEDS or ./feeds.yaml)")
        p.add_argument("--data", help="data root (default: $NEWSFLOW_DATA or ./data)")

    def replay_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--replay",
            action="store_true",
            help="re-derive from the hour's recorded downloads in raw/ (the default when it has them)",
        )
        p.add_argument(
            "--live",
            action="store_true",
            help="fetch the network even for an hour that has recorded downloads, or a past hour that has none "
            "(its content is then today's, and the hour's runs record that)",
        )

    p = sub.add_parser("run", help="run one hourly cycle without Airflow")
    p.add_argument("--logical-date", required=True, help="the hour to run, ISO 8601 (UTC if no offset)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    data_flags(p)
    replay_flag(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("backfill", help="run every hour from --from to --to (inclusive)")
    p.add_argument("--from", "--start", dest="start", required=True, help="first hour, ISO 8601 (UTC if no offset)")
    p.add_argument("--to", "--end", dest="end", required=True, help="last hour, inclusive")
    p.add_argument(
        "--engine",
        choices=["auto", "airflow", "local"],
        default="auto",
        help="airflow: Airflow's backfill (needs a running scheduler); local: this process, hour by hour; "
        "auto: airflow when a scheduler runs for $AIRFLOW_HOME",
    )
    data_flags(p)
    replay_flag(p)
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("summary", help="summarise a published hour")
    p.add_argument("--logical-date", required=True)
    p.add_argument("--json", action="store_true")
    data_flags(p)
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("extract", help="extract title, body and metadata from HTML or .txt files")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("facts", help="extract facts from HTML or .txt files, or recompute stored hours' facts")
    p.add_argument("files", nargs="*")
    p.add_argument("--reprocess", action="store_true", help="recompute the facts of committed hours, no fetching")
    p.add_argument("--from", dest="start", help="with --reprocess: first hour")
    p.add_argument("--to", dest="end", help="with --reprocess: last hour, inclusive")
    p.add_argument("--only-stale", action="store_true", help="with --reprocess: skip hours made by today's extractor")
    data_flags(p)
    p.add_argument("--json", action="store_true", help="one JSON object per fact")
    p.add_argument("--published", help="publish date (YYYY-MM-DD) that relative dates resolve against")
    p.set_defaults(func=cmd_facts)

    p = sub.add_parser("compact", help="housekeeping: old versions, dead runs' staging, fetch-state history")
    data_flags(p)
    p.set_defaults(func=cmd_compact)

    p = sub.add_parser("unlock", help="free an hour whose run died while holding it")
    p.add_argument("--logical-date", required=True)
    data_flags(p)
    p.set_defaults(func=cmd_unlock)

    p = sub.add_parser("state", help="derived state (dedup history, fetch state): rebuild it from the datasets")
    p.add_argument("action", choices=["rebuild", "reconcile"])
    data_flags(p)
    p.set_defaults(func=cmd_state)

    add_feeds_parser(sub)  # newsflow feeds parse|add|list|import-opml|export-opml
    add_dedup_parser(sub)  # newsflow dedup FILE.jsonl --json | rebuild | status

    p = sub.add_parser("newsroom", help="serve the sample newsroom on 127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--clock", help="the newsroom's current hour (default: now)")
    p.add_argument("--latency-ms", type=int, default=0, help="delay every response by this much")
    p.add_argument("--write-feeds", help="write a feeds.yaml for this server to this path")
    p.set_defaults(func=cmd_newsroom)
    return parser


def cmd_unlock(args: argparse.Namespace) -> int:
    from newsflow.context import parse_logical_date
    from newsflow.locks import unlock

    removed = unlock(_settings(args).data_root, parse_logical_date(args.logical_date))
    print(f"freed: {json.dumps(removed)}" if removed else "the hour was not held")
    return 0


def cmd_state(args: argparse.Namespace) -> int:
    from newsflow import state

    data_root = _settings(args).data_root
    report = state.rebuild(data_root) if args.action == "rebuild" else state.reconcile(data_root)
    print(f"state of {Path(data_root).resolve()}: {report.hours} committed hour(s), {report.applied} (re)applied")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"newsflow {args.command}: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as exc:
        print(f"newsflow {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
