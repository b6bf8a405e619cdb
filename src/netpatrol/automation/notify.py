"""Notifications: events (config changed, backup/inspection failed, serious findings) sent to the
channels configured under `notify:` in netpatrol.yaml: hook commands, webhooks, SMTP mail.

A channel failure is returned as a failed Delivery and logged, never raised: a broken mail server
must not fail the backup that wanted to report. Payloads carry host names, statuses, findings and
commit ids only; the one secret involved (the SMTP password) is resolved from `${ENV}` at send time.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import smtplib
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from netpatrol.childenv import child_env
from netpatrol.workspace.settings import HookChannel, MailChannel, NotifySettings, WebhookChannel, Workspace

log = logging.getLogger("netpatrol.automation.notify")
SEVERITY_ORDER = ("critical", "major", "minor", "info")


_ENV_UNSAFE = re.compile("[\x00\ud800-\udfff]")


@dataclass
class Event:
    kind: str  # config_changed / backup_failed / inspection_failed / findings
    summary: str
    hosts: list[str]
    details: list[dict[str, Any]] = field(default_factory=list)
    client: str | None = None
    workspace: str | None = None
    commit: str | None = None
    tag: str | None = None
    period: str | None = None
    reason: str | None = None
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def payload(self) -> dict[str, Any]:
        return {"source": "netpatrol", **asdict(self)}

    def environment(self) -> dict[str, str]:
        env = {"NETPATROL_EVENT": self.kind, "NETPATROL_SUMMARY": self.summary,
               "NETPATROL_HOSTS": ",".join(self.hosts), "NETPATROL_COUNT": str(len(self.hosts))}
        for key in ("client", "workspace", "commit", "tag", "period", "reason"):
            value = getattr(self, key)
            if value:
                env[f"NETPATROL_{key.upper()}"] = str(value)
        # A summary or reason may quote an error holding device text: a NUL (which the OS cannot put
        # in an environment: the hook would not run at all) or a lone surrogate becomes U+FFFD.
        return {k: _ENV_UNSAFE.sub("\ufffd", v) for k, v in env.items()}

    def text(self) -> str:
        lines = [self.summary, ""]
        for d in self.details:
            # One line per item: a finding's detail may quote several config lines.
            lines.append("  - " + ", ".join(f"{k}: {' / '.join(str(v).splitlines())}" for k, v in d.items() if v not in (None, "")))
        for key in ("client", "period", "commit", "tag", "reason", "workspace", "time"):
            value = getattr(self, key)
            if value:
                lines.append(f"{key}: {value}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Delivery:
    channel: str  # e.g. "webhook https://hooks.example/…", "mail ops@example.cn", "hook notify.sh"
    event: str
    ok: bool
    detail: str


# -- events from runs ---------------------------------------------------------------------------
def backup_events(run, reason: str | None = None) -> list[Event]:
    """Events for one netpatrol.backup.service.BackupRun."""
    events = []
    saved = [d for d in run.devices if d.status == "saved"]
    if saved:
        events.append(Event("config_changed", f"configuration changed on {len(saved)} device(s): "
                            + ", ".join(d.host for d in saved), [d.host for d in saved],
                            [{"host": d.host, "site": d.site, "path": d.path} for d in saved],
                            commit=run.commit, tag=run.tag, reason=reason))
    if run.failed:
        events.append(Event("backup_failed", f"backup failed on {len(run.failed)} device(s) (last good backup kept): "
                            + ", ".join(d.host for d in run.failed), [d.host for d in run.failed],
                            [{"host": d.host, "site": d.site, "status": d.error_status, "error": d.reason} for d in run.failed],
                            commit=run.commit, reason=reason))
    return events


def _title(titles: dict[str, str], lang: str) -> str:
    return titles.get(lang) or titles.get("en") or next(iter(titles.values()), "")


def inspection_events(run, min_severity: str = "major", lang: str = "en") -> list[Event]:
    """Events for one netpatrol.inspection.service.InspectionRun."""
    events = []
    if run.failed:
        events.append(Event("inspection_failed", f"inspection {run.period} could not inspect {len(run.failed)} device(s): "
                            + ", ".join(r.host for r in run.failed), [r.host for r in run.failed],
                            [{"host": r.host, "site": r.site, "status": r.status, "error": r.error} for r in run.failed],
                            commit=run.commit, tag=run.tag, period=run.period))
    limit = SEVERITY_ORDER.index(min_severity)
    serious = [(r, f) for r in run.results for f in r.findings if SEVERITY_ORDER.index(f.severity) <= limit]
    if serious:
        hosts = sorted({r.host for r, _ in serious})
        counts = ", ".join(f"{n} {s}" for s in SEVERITY_ORDER if (n := sum(1 for _, f in serious if f.severity == s)))
        events.append(Event("findings", f"inspection {run.period}: {counts} finding(s) on {len(hosts)} device(s)", hosts,
                            [{"host": r.host, "site": r.site, "severity": f.severity, "check": f.check,
                              "subject": f.subject, "title": _title(f.title, lang), "detail": f.detail_in(lang)}
                             for r, f in serious], commit=run.commit, tag=run.tag, period=run.period))
    return events


# -- channels -----------------------------------------------------------------------------------
def _hook(ch: HookChannel, event: Event, ws_root: Path | None) -> str:
    argv = shlex.split(ch.command) if isinstance(ch.command, str) else list(ch.command)
    if ws_root is not None and argv and not os.path.isabs(argv[0]) and "/" in argv[0]:
        argv[0] = str(ws_root / argv[0])  # ./hooks/x.sh is relative to the workspace, not the cwd
    try:
        done = subprocess.run(argv, input=json.dumps(event.payload(), ensure_ascii=False).encode("utf-8", "replace"),
                              env=child_env(event.environment()), capture_output=True,
                              timeout=ch.timeout, cwd=ws_root, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"did not finish within {ch.timeout:g} s") from None
    except OSError as exc:
        raise RuntimeError(f"cannot run: {exc.strerror}") from None
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise RuntimeError(f"exit status {done.returncode} {tail[0][:200]}".rstrip())
    return "ran"


def _webhook(ch: WebhookChannel, event: Event) -> str:
    body = json.dumps(event.payload(), ensure_ascii=False).encode("utf-8", "replace")
    last = ""
    for attempt in range(ch.retries + 1):
        if attempt:
            time.sleep(min(0.5 * 2 ** (attempt - 1), 10))
        req = urllib.request.Request(ch.url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "netpatrol"})
        try:
            with urllib.request.urlopen(req, timeout=ch.timeout) as resp:  # http(s) only: the URL scheme is validated
                return f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:  # the receiver refused the request: retrying will not help
                break
        except (urllib.error.URLError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
    raise RuntimeError(f"{last} after {attempt + 1} attempt(s)")


def _mail(ch: MailChannel, event: Event) -> str:
    if ch.username and not (ch.starttls or ch.ssl):
        # Settings validation refuses this too; settings built in code skip it, and the cost of
        # being wrong is a password sent in clear.
        raise RuntimeError("refusing to log in without TLS: set starttls: true or ssl: true")
    password = None
    if ch.password:
        var = ch.password[2:-1]
        password = os.environ.get(var)
        if password is None:
            raise RuntimeError(f"password refers to ${{{var}}}, which is not set in the environment")
    msg = EmailMessage()
    from netpatrol.report.inert import clean_text, one_line

    # A summary may quote a multi-line error (`run --due`'s "report failed: ..."); the stdlib refuses
    # a header with CR/LF (the mail would be lost), and one line is all a Subject can show.
    msg["Subject"] = one_line(f"{ch.subject_prefix} {event.client + ': ' if event.client else ''}{event.summary}")[:250]
    msg["From"] = ch.sender
    msg["To"] = ", ".join(ch.to)
    msg.set_content(clean_text(event.text()))  # no lone surrogate (unencodable) or control character
    try:
        connection: smtplib.SMTP
        if ch.ssl:
            connection = smtplib.SMTP_SSL(ch.host, ch.port, timeout=ch.timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(ch.host, ch.port, timeout=ch.timeout)
        with connection as smtp:
            if ch.starttls:
                # Raises SMTPNotSupportedError when the server offers no STARTTLS: no login follows.
                smtp.starttls(context=ssl.create_default_context())
            if ch.username:
                smtp.login(ch.username, password or "")
            refused = smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        # SMTP replies never echo the password; the exception class and text are enough to act on.
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
    if refused:
        raise RuntimeError(f"recipients refused: {', '.join(refused)}")
    return f"sent to {len(ch.to)} recipient(s)"


def _safe_url(url: str) -> str:
    """Webhook URLs often carry an access token in the query or path: show scheme, host, port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}/…"


def _wants(channel_events: Sequence[str] | None, kind: str) -> bool:
    return channel_events is None or kind in channel_events


def send(settings: NotifySettings, events: list[Event], ws_root: Path | None = None) -> list[Delivery]:
    """Deliver every event to every channel that wants it; failures become Delivery(ok=False)."""
    deliveries = []
    for event in events:
        if event.kind not in settings.events:
            continue
        jobs = [(f"hook {Path(shlex.split(h.command)[0] if isinstance(h.command, str) else h.command[0]).name}",
                 h.events, lambda h=h, event=event: _hook(h, event, ws_root)) for h in settings.hooks]
        jobs += [(f"webhook {_safe_url(w.url)}", w.events, lambda w=w, event=event: _webhook(w, event)) for w in settings.webhooks]
        jobs += [(f"mail {', '.join(m.to)}", m.events, lambda m=m, event=event: _mail(m, event)) for m in settings.mail]
        for name, wanted, run in jobs:
            if not _wants(wanted, event.kind):
                continue
            try:
                deliveries.append(Delivery(name, event.kind, True, run()))
            except Exception as exc:  # noqa: BLE001 - a channel must never fail the run
                log.warning("notification %s via %s failed: %s", event.kind, name, exc)
                deliveries.append(Delivery(name, event.kind, False, str(exc)))
    return deliveries


def notify(ws: Workspace, events: list[Event]) -> list[Delivery]:
    """Fill in workspace context (client, path) and send."""
    for e in events:
        e.client = e.client or ws.settings.client
        e.workspace = e.workspace or str(ws.root)
    return send(ws.settings.notify, events, ws.root)


def notify_backup_run(ws: Workspace, run, reason: str | None = None) -> list[Delivery]:
    """What the `backup` command calls after run_backup."""
    return notify(ws, backup_events(run, reason))


def notify_inspection_run(ws: Workspace, run) -> list[Delivery]:
    """What the `inspect` command calls after run_inspection."""
    return notify(ws, inspection_events(run, ws.settings.notify.min_severity, ws.settings.language))
