"""HTML pages from the templates in ``templates/``: every value is escaped here, once.

Templates are ``string.Template`` files; what is substituted is either escaped
text or a fragment built in this module from escaped text.
"""

from __future__ import annotations

import json
import time
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / f"{name}.html").read_text())


def _fill(name: str, **values: object) -> str:
    return _template(name).substitute({k: str(v) for k, v in values.items()})


def page(
    title: str, body: str, *, csrf: str, operator: str | None, name: str, attributes: str = ""
) -> str:
    nav = _fill("nav", csrf=escape(csrf), operator=escape(operator)) if operator else ""
    return _fill(
        "layout",
        title=escape(title),
        body=body,
        csrf=escape(csrf),
        nav=nav,
        page=escape(name),
        body_attributes=attributes,
    )


def clock(seconds: float) -> str:
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def doing(call: dict[str, Any]) -> str:
    if not call.get("form"):
        return "listening"
    slot = call.get("requested_slot")
    return f"{call['form']} · asking {slot}" if slot else str(call["form"])


def intent(call: dict[str, Any]) -> str:
    name, confidence = call.get("last_intent"), call.get("confidence")
    if not name:
        return "—"
    return name if confidence is None else f"{name} ({confidence:.2f})"


def flags(names: list[str]) -> str:
    return "".join(f'<span class="flag">{escape(n)}</span>' for n in names)


def signin(csrf: str, error: str = "") -> str:
    return _fill("signin", csrf=escape(csrf), error=escape(error))


def home(calls: list[dict[str, Any]], charts: list[str]) -> str:
    rows = "".join(
        f'<tr data-sid="{escape(c["sid"])}"><td>{escape(c["caller"])}</td>'
        f"<td>{clock(c['elapsed'])}</td><td>{escape(doing(c))}</td>"
        f"<td>{escape(intent(c))}</td><td>{flags(c['flags'])}</td>"
        f'<td><a href="/calls/{escape(c["sid"])}">Open</a></td></tr>'
        for c in calls
    )
    return _fill(
        "home",
        rows=rows,
        no_calls_hidden="hidden" if calls else "",
        charts="".join(charts),  # built by console.charts, labels escaped there
    )


def turn_meta(turn: dict[str, Any]) -> str:
    """``problem_vpn 0.93``, or ``fell back (problem_software 0.36)``."""
    confidence = turn.get("confidence")
    shown = f" {confidence:.2f}" if confidence is not None else ""
    if turn.get("intent") == "nlu_fallback":
        return f"fell back ({turn.get('predicted') or '?'}{shown})"
    return f"{turn['intent']}{shown}"


def transcript(turns: list[dict[str, Any]]) -> str:
    items = []
    for turn in turns:
        meta = ""
        if turn["speaker"] == "caller" and turn.get("intent"):
            meta = f'<span class="meta">{escape(turn_meta(turn))}</span>'
        items.append(f'<li class="{escape(turn["speaker"])}">{escape(turn["text"])}{meta}</li>')
    return "".join(items)


def slots(values: dict[str, Any]) -> str:
    return "".join(
        f"<dt>{escape(k)}</dt><dd>{escape(v if isinstance(v, str) else json.dumps(v))}</dd>"
        for k, v in values.items()
    )


def incident_link(number: str | None, url: str | None) -> str:
    if not number:
        return "—"
    if not url:
        return escape(number)
    return f'<a href="{escape(url)}" rel="noreferrer">{escape(number)}</a>'


def call_page(
    call: dict[str, Any],
    *,
    csrf: str,
    phone: str,
    live: bool,
    notice: str,
    incident_url: str | None,
) -> str:
    return _fill(
        "call",
        sid=escape(call["sid"]),
        caller=escape(call["caller"]),
        elapsed=clock(call["elapsed"]),
        doing=escape(doing(call)),
        last_intent=escape(intent(call)),
        flags=flags(call["flags"]),
        incident=incident_link(call.get("incident"), incident_url),
        notice=escape(notice),
        takeover_hidden="" if live and not call.get("on_hold") else "hidden",
        csrf=escape(csrf),
        phone=escape(phone),
        turns=transcript(call["turns"]),
        slots=slots(call["slots"]),
    )


def history(calls: list[dict[str, Any]], incident: str, retention_days: int) -> str:
    rows = "".join(
        f"<tr><td>{escape(time.strftime('%Y-%m-%d %H:%M', time.localtime(c['started'])))}</td>"
        f"<td>{escape(c['caller'])}</td><td>{clock(c['duration'])}</td>"
        f"<td>{escape(c['outcome'])}</td><td>{escape(c['incident'] or '—')}</td>"
        f'<td><a href="/history/{escape(c["sid"])}">Transcript</a></td></tr>'
        for c in calls
    )
    return _fill("history", rows=rows, incident=escape(incident), retention=retention_days)


def review(items: list[dict[str, Any]], intents: list[str], csrf: str, reviewed: str) -> str:
    blocks = []
    for item in items:
        options = "".join(
            f'<option value="{escape(i)}"{" selected" if i == item["predicted"] else ""}>'
            f"{escape(i)}</option>"
            for i in intents
        )
        confidence = item["confidence"]
        predicted = f"{item['predicted'] or '—'}" + (
            f" ({confidence:.2f})" if confidence is not None else ""
        )
        context = item["context"]
        blocks.append(
            f'<div class="review-item" data-id="{item["id"]}">'
            f'<p class="quiet">Assistant: {escape(context.get("before", ""))}</p>'
            f'<p class="said">“{escape(item["text"])}”</p>'
            f'<p class="quiet">{escape(item["reason"])} · predicted {escape(predicted)}'
            f" · then: {escape(context.get('after', ''))}</p>"
            f'<form method="post" action="/review/{item["id"]}">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<select name="label" aria-label="intent">{options}</select>'
            f'<button type="submit" name="action" value="label" class="label">Label</button>'
            f'<button type="submit" name="action" value="ignore" class="secondary ignore">'
            f"Ignore</button></form></div>"
        )
    body = "".join(blocks) or '<p class="quiet" id="review-empty">Nothing to review.</p>'
    return _fill("review", items=body, reviewed=escape(reviewed))


def training(job: dict[str, Any], examples: int, csrf: str, notice: str) -> str:
    def percent(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    state = job["state"] + (f": {job['message']}" if job.get("message") else "")
    return _fill(
        "training",
        examples=examples,
        progress=f"{job['progress']:.0f}",
        state=escape(state),
        before=percent(job["accuracy_before"]),
        after=percent(job["accuracy_after"]),
        reviewed_before=percent(job["reviewed_before"]),
        reviewed_after=percent(job["reviewed_after"]),
        csrf=escape(csrf),
        notice=escape(notice),
    )
