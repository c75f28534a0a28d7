"""The News health page: a server-rendered HTML document from a :class:`newsflow.health.HealthReport`.

No JavaScript and no external assets: the page is one response, renders the same in the
Airflow UI's iframe and in a browser tab, and its Content-Security-Policy can forbid scripts
outright. Every string that comes from a feed or the data (names, URLs, error classes and
messages) goes through :func:`e` (HTML escaping, quotes included), and the CSP is the second
line of defence should one ever be missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from html import escape

from newsflow.health import FeedHealth, HealthReport, HourCounts

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)

STATUS_LABELS = {
    "failing": "Failing",
    "stale": "Stale",
    "degraded": "Degraded",
    "no_data": "No data",
    "ok": "OK",
    "disabled": "Disabled",
}

STYLE = """
:root { --ok:#1a7f37; --warn:#b35900; --bad:#cf222e; --muted:#6e7781; --line:#d8dee4; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1f2328; margin:0;
       background:#fff; }
header { padding:16px 24px 8px; border-bottom:1px solid var(--line); }
h1 { font-size:20px; margin:0 0 4px; }
h2 { font-size:16px; margin:24px 0 8px; }
main { padding:0 24px 24px; }
.meta { color:var(--muted); font-size:12px; }
.meta a { color:#0969da; }
.chips { display:flex; gap:8px; margin:12px 0 4px; flex-wrap:wrap; }
.chip { border:1px solid var(--line); border-radius:16px; padding:2px 10px; font-size:12px; background:var(--bg); }
.chip b { font-variant-numeric: tabular-nums; }
.banner { border:1px solid var(--line); border-left:4px solid var(--warn); background:#fff8c5; padding:8px 12px;
          margin:12px 0; border-radius:4px; }
table { border-collapse:collapse; width:100%; font-variant-numeric: tabular-nums; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:middle; }
th { background:var(--bg); font-weight:600; font-size:12px; color:#424a53; position:sticky; top:0; }
td.num, th.num { text-align:right; }
tr.failing td:first-child { box-shadow: inset 4px 0 var(--bad); }
tr.stale td:first-child, tr.degraded td:first-child { box-shadow: inset 4px 0 var(--warn); }
tr.ok td:first-child { box-shadow: inset 4px 0 var(--ok); }
.pill { display:inline-block; border-radius:10px; padding:1px 8px; font-size:12px; font-weight:600;
        color:#fff; white-space:nowrap; }
.pill.failing { background:var(--bad); } .pill.stale, .pill.degraded { background:var(--warn); }
.pill.ok { background:var(--ok); } .pill.no_data, .pill.disabled { background:var(--muted); }
.feed { font-weight:600; word-break:break-all; }
.sub { color:var(--muted); font-size:12px; word-break:break-all; }
.err { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; color:var(--bad); }
.msg { color:#424a53; font-size:12px; max-width:28em; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.bad { color:var(--bad); font-weight:600; } .warn { color:var(--warn); font-weight:600; }
.muted { color:var(--muted); } .nowrap { white-space:nowrap; word-break:normal; }
.err.quiet { color:#57606a; }
tr.unpublished td { color:var(--muted);
  background:repeating-linear-gradient(-45deg,#fff,#fff 6px,#f6f8fa 6px,#f6f8fa 12px); }
svg.spark { display:block; }
"""


def e(value: object) -> str:
    """HTML-escape anything shown on the page (quotes too: values also land in attributes)."""
    return escape("" if value is None else str(value), quote=True)


def _hour(when: datetime | None) -> str:
    return f"{when:%Y-%m-%d %H:00}Z" if when else "—"


def ago(when: datetime | None, now: datetime) -> str:
    """``3 h ago`` / ``in 25 min`` / ``2 d ago``: how operators read times at a glance."""
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 90:
        text = "now" if seconds < 30 else "1 min"
    elif seconds < 90 * 60:
        text = f"{round(seconds / 60)} min"
    elif seconds < 48 * 3600:
        text = f"{round(seconds / 3600)} h"
    else:
        text = f"{round(seconds / 86400)} d"
    if text == "now":
        return text
    return f"in {text}" if future else f"{text} ago"


def sparkline(items: Sequence[int | None], ok: Sequence[bool | None], window: Sequence[datetime]) -> str:
    """An inline SVG bar per hour: new items (blue), a failed fetch (red tick), no run (grey dot)."""
    bar, gap, height = 5, 1, 28
    top = max((i for i in items if i), default=0) or 1
    parts = []
    for index, (count, fetched, hour) in enumerate(zip(items, ok, window, strict=True)):
        x = index * (bar + gap)
        if count is None:
            h, fill, label = 2, "#d0d7de", f"{_hour(hour)}: no run"
        elif fetched is False:
            h, fill, label = 8, "#cf222e", f"{_hour(hour)}: fetch failed"
        else:
            h = max(2, round(count / top * (height - 2))) if count else 1
            fill, label = ("#0969da" if count else "#8c959f"), f"{_hour(hour)}: {count} new"
        parts.append(
            f'<rect x="{x}" y="{height - h}" width="{bar}" height="{h}" fill="{fill}"><title>{e(label)}</title></rect>'
        )
    width = max(1, len(items) * (bar + gap) - gap)
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="new items per hour">{"".join(parts)}</svg>'
    )


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _feed_row(feed: FeedHealth, spec: object | None, now: datetime, paused: bool) -> str:
    url = getattr(spec, "url", None)
    site = getattr(spec, "site", None)
    sub = " · ".join(e(x) for x in (site, url) if x)
    notes = "".join(f'<div class="sub warn">{e(n)}</div>' for n in feed.notes)
    status = feed.status
    # The logical hour is what matters (a backfill fetches later); the wall-clock time is in the tooltip.
    last_success = (
        f'<span title="fetched {e(feed.last_success_at or "?")}">{e(ago(feed.last_success, now))}</span>'
        f'<div class="sub nowrap">hour {e(_hour(feed.last_success))}</div>'
        if feed.last_success
        else '<span class="bad">never</span>'
    )
    rate_class = "bad" if (feed.error_rate or 0) >= 0.5 else "warn" if feed.error_rate else ""
    pages = f'<div class="sub nowrap">pages {feed.page_errors}/{feed.page_fetches} failed</div>'
    error_rate = (
        f'<span class="{rate_class}">{_pct(feed.error_rate)}</span>'
        f'<div class="sub nowrap">{feed.failed_hours} of {feed.attempted_hours} h failed</div>'
        + (pages if feed.page_fetches else "")
    )
    if feed.last_error:
        err = feed.last_error
        tone = "err" if status in ("failing", "degraded") else "err quiet"
        last_error = (
            f'<div class="{tone}">{e(err.error_class)}</div>'
            f'<div class="msg" title="{e(err.message)}">{e(err.message) or "&nbsp;"}</div>'
            f'<div class="sub">{e(err.stage)} · {e(ago(err.hour, now))}</div>'
        )
    else:
        last_error = '<span class="muted">none</span>'
    failing = f'<span class="bad">{feed.consecutive_failing_hours} h</span>' if feed.consecutive_failing_hours else "0"
    if not feed.enabled:
        next_poll = '<span class="muted">disabled in feeds.yaml</span>'
    elif paused:
        next_poll = '<span class="warn">DAG paused</span>'
    else:
        next_poll = f'<span title="{e(feed.next_poll)}">{e(ago(feed.next_poll, now))}</span>'
    stale = (
        f'<div class="sub warn nowrap">no new items ≥{feed.stale_after_hours} h</div>'
        if feed.stale and status != "failing"  # a failing feed brings nothing new anyway
        else ""
    )
    latency = f'{_seconds(feed.latency_p50)}<div class="sub">p95 {_seconds(feed.latency_p95)}</div>'
    return (
        f'<tr class="{e(status)}" data-feed="{e(feed.name)}" data-status="{e(status)}">'
        f'<td><span class="pill {e(status)}">{e(STATUS_LABELS.get(status, status))}</span>{stale}</td>'
        f'<td><div class="feed">{e(feed.name)}</div><div class="sub">{sub}</div>{notes}</td>'
        f"<td>{last_success}</td>"
        f"<td>{sparkline(feed.items, feed.hour_ok, feed.window)}"
        f'<div class="sub">{feed.items_total} new in {len(feed.window)} h</div></td>'
        f"<td>{error_rate}</td>"
        f"<td>{last_error}</td>"
        f'<td class="num nowrap">{latency}</td>'
        f'<td class="num">{failing}</td>'
        f'<td class="nowrap">{next_poll}</td>'
        "</tr>"
    )


def _hour_row(counts: HourCounts, now: datetime) -> str:
    if not counts.published:
        why = "running or not started yet" if counts.hour + timedelta(hours=1) > now else "no published run"
        return f'<tr class="unpublished"><td>{e(_hour(counts.hour))}</td><td colspan="7">{why}</td></tr>'
    classes = ", ".join(f"{e(k)} {v}" for k, v in counts.error_classes.items())
    failed = f'<span class="bad">{counts.feeds_failed}</span>' if counts.feeds_failed else "0"
    errors = f'<span class="warn">{counts.errors}</span>' if counts.errors else "0"
    return (
        f"<tr><td>{e(_hour(counts.hour))}</td>"
        f'<td class="num">{counts.articles}</td><td class="num">{counts.duplicates}</td>'
        f'<td class="num">{counts.quarantined}</td><td class="num">{counts.facts}</td>'
        f'<td class="num">{errors}</td><td class="num">{failed}/{counts.feeds}</td>'
        f'<td><span class="sub">{classes}</span></td></tr>'
    )


def render_page(
    report: HealthReport,
    *,
    specs: dict[str, object] | None = None,
    data_root: str = "",
    data_docs_href: str | None = None,
    api_href: str = "api",
    paused: bool = False,
    banners: Iterable[str] = (),
) -> str:
    """The whole page; ``specs`` maps feed names to their feeds.yaml entries (for site and URL)."""
    specs = specs or {}
    now = report.generated_at
    tally: dict[str, int] = {}
    for feed in report.feeds:
        tally[feed.status] = tally.get(feed.status, 0) + 1
    chips = "".join(
        f'<span class="chip"><span class="pill {e(s)}">{e(STATUS_LABELS[s])}</span> <b>{tally[s]}</b></span>'
        for s in STATUS_LABELS
        if tally.get(s)
    )
    notices = [*banners, *(f"Unreadable partition skipped: {p}" for p in report.problems)]
    if paused:
        notices.insert(0, "The ingestion DAG is paused: no feed is polled until it is unpaused.")
    banner_html = "".join(f'<div class="banner">{e(n)}</div>' for n in notices)
    links = [f'<a href="{e(api_href)}">JSON</a>']
    if data_docs_href:
        links.insert(0, f'<a href="{e(data_docs_href)}">Data Docs (validation results)</a>')
    else:
        links.insert(0, '<span class="muted">Data Docs not built yet</span>')
    feed_rows = "".join(_feed_row(f, specs.get(f.name), now, paused) for f in report.feeds)
    if not report.feeds:
        feed_rows = '<tr><td colspan="9" class="muted">No feeds configured and no runs published yet.</td></tr>'
    hour_rows = "".join(_hour_row(c, now) for c in report.per_hour)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="300">
<title>News health</title><style>{STYLE}</style></head>
<body>
<header>
<h1>News health</h1>
<div class="meta">Last {report.hours} h ending {e(_hour(report.end))} · generated {e(f"{now:%Y-%m-%d %H:%M:%S}Z")} ·
{report.published_hours} published hours in the last {report.lookback_hours} h · data {e(data_root)} ·
{" · ".join(links)}</div>
<div class="chips">{chips}</div>
</header>
<main>
{banner_html}
<h2>Feeds</h2>
<table id="feeds">
<thead><tr><th>Status</th><th>Feed</th><th>Last success</th><th>New items / hour</th><th>Error rate</th>
<th>Last error</th><th class="num">Latency p50</th><th class="num">Failing for</th><th>Next poll</th></tr></thead>
<tbody>{feed_rows}</tbody>
</table>
<h2>Hours</h2>
<table id="hours">
<thead><tr><th>Hour</th><th class="num">Articles</th><th class="num">Duplicates</th>
<th class="num">Quarantined</th><th class="num">Facts</th><th class="num">Errors</th>
<th class="num">Feeds failed</th><th>Error classes</th></tr></thead>
<tbody>{hour_rows}</tbody>
</table>
</main>
</body></html>
"""
