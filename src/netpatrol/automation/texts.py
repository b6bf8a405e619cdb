"""An event as people read it: plain text (mail body) and Markdown (WeCom and DingTalk robots).

Both are in the event's language. Every value that may hold device text (titles, evidence, errors,
diff lines) goes through report/inert.py's Markdown escaping in the Markdown form, so a device
cannot add a link, a mention or HTML to a message sent to a chat group.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from netpatrol.automation.event import Event
from netpatrol.automation.messages import Voice, texts
from netpatrol.report.inert import md_inline, one_line

CONTEXT = ("client", "period", "commit", "tag", "reason", "workspace", "time")


def voice(event: Event) -> Voice:
    return Voice(event.lang)


def headline(event: Event) -> str:
    v = voice(event)
    key = f"title.{event.kind}"
    return v.t(key if key in texts() else "title.other")


def payload(event: Event) -> dict[str, Any]:
    """The JSON of hooks (stdin) and `json` webhooks: `time` UTC, `time_local` and the texts in `lang`."""
    return {"source": "netpatrol", **asdict(event), "title": headline(event)}


# A summary or reason may quote an error holding device text: a NUL (which the OS cannot put in an
# environment: the hook would not run at all) or a lone surrogate becomes U+FFFD.
_ENV_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def environment(event: Event) -> dict[str, str]:
    """NETPATROL_* variables of a hook."""
    env = {"NETPATROL_EVENT": event.kind, "NETPATROL_SUMMARY": event.summary, "NETPATROL_TITLE": headline(event),
           "NETPATROL_HOSTS": ",".join(event.hosts), "NETPATROL_COUNT": str(len(event.hosts)),
           "NETPATROL_LANG": event.lang, "NETPATROL_TIME": event.time}
    for key in ("client", "workspace", "commit", "tag", "period", "reason", "time_local"):
        value = getattr(event, key)
        if value:
            env[f"NETPATROL_{key.upper()}"] = str(value)
    return {k: _ENV_UNSAFE.sub("\ufffd", v) for k, v in env.items()}


def _context(event: Event) -> list[tuple[str, str]]:
    v = voice(event)
    pairs = []
    for key in CONTEXT:
        value = getattr(event, key)
        if key == "time":
            value = event.time_local or value
        elif key == "commit" and value:
            value = str(value)[:12]
        elif key == "period" and value:
            value = v.period(value)
        if value:
            pairs.append((v.t(f"label.{key}"), str(value)))
    return pairs


def _item(event: Event, d: dict[str, Any]) -> tuple[str, str]:
    """One detail on one line, as (lead, rest): the lead (a problem's contract level) is emphasised
    in Markdown and bracketed in plain text. A finding's evidence may quote several config lines."""
    v = voice(event)
    sep = v.t("sep")
    where = f"{d.get('host', '')}" + (f" ({d['site']})" if d.get("site") else "")
    if event.kind == "findings":
        text = f"{where}{sep}{d.get('title', '')}" + (f"{sep}{d['detail']}" if d.get("detail") else "")
        return str(d.get("level", "")), text
    if event.kind in ("backup_failed", "inspection_failed") and "host" in d:
        return "", f"{where}{sep}{v.status(d.get('status'))}" + (f"{sep}{d['error']}" if d.get("error") else "")
    if event.kind == "config_changed" and "host" in d:
        lines = v.t("label.lines", added=d["added"], removed=d["removed"]) if "added" in d else d.get("path", "")
        return "", f"{where}{sep}{lines}"
    return "", ", ".join(f"{k}: {v_}" for k, v_ in d.items() if v_ not in (None, "") and k != "diff")


def plain(event: Event) -> str:
    """The mail body."""
    v = voice(event)
    lines = [event.summary, ""]
    for d in event.details:
        lead, rest = _item(event, d)
        lines.append("  - " + (f"[{lead}] " if lead else "") + " / ".join(rest.splitlines()))
        if event.kind == "findings" and d.get("recommendation"):
            lines.append(f"    {v.t('label.recommendation')}{v.t('sep')}{' / '.join(d['recommendation'].splitlines())}")
        if d.get("diff"):
            lines.append(f"    {v.t('label.diff')}:")
            lines += ["      " + line for line in d["diff"].splitlines()]
    lines.append("")
    lines += [f"{label}{v.t('sep')}{value}" for label, value in _context(event)]
    return "\n".join(lines) + "\n"


def subject(event: Event, prefix: str) -> str:
    v = voice(event)
    client = f"{event.client}{v.t('sep')}" if event.client else ""
    # A summary may quote a multi-line error: one line is all a Subject can show.
    return one_line(f"{prefix} {client}{event.summary}")[:250]


def markdown(event: Event, limit: int) -> tuple[str, str]:
    """(title, Markdown body within `limit` UTF-8 bytes) for a chat robot."""
    v = voice(event)
    title = one_line(headline(event) + (f"{v.t('sep')}{event.client}" if event.client else ""))[:120]
    lines = [f"### {md_inline(title)}", "", md_inline(event.summary), ""]
    for d in event.details:
        lead, rest = _item(event, d)
        lines.append("- " + (f"**{md_inline(lead)}** " if lead else "") + md_inline(rest))
        if d.get("diff"):
            lines += [f"> {md_inline(line)}" if line.strip() else ">" for line in d["diff"].splitlines()]
            lines.append("")
    lines.append("")
    lines += [f"{md_inline(label)}{v.t('sep')}{md_inline(value)}  " for label, value in _context(event) if label]
    return title, fit("\n".join(lines).rstrip("\n") + "\n", limit, v)


def fit(text: str, limit: int, v: Voice) -> str:
    """`text` cut at a line end so that it and the note fit in `limit` UTF-8 bytes."""
    data = text.encode("utf-8", "replace")
    if len(data) <= limit:
        return text
    note = "\n\n" + v.t("truncated") + "\n"
    room = limit - len(note.encode("utf-8"))
    head = data[:max(room, 0)].decode("utf-8", "ignore")
    head = head[:head.rfind("\n")] if "\n" in head else ""
    return head.rstrip("\n") + note
