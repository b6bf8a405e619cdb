"""Notifications: events (config changed, backup/inspection failed, serious problems found) sent to
the channels configured under `notify:` in netpatrol.yaml: hook commands, webhooks (JSON, WeCom and
DingTalk robots: webhooks.py), SMTP mail.

Events speak the workspace's language (messages.py): problems by their contract level, times local
with the offset (the payload's `time` stays UTC ISO 8601, `time_local` beside it). A config change
carries each device's sanitised diff (configdiff.py).

A channel failure is returned as a failed Delivery and logged, never raised: a broken mail server
must not fail the backup that wanted to report. Payloads carry host names, statuses, problems,
sanitised diffs and commit ids only; the secrets involved (SMTP password, DingTalk signing secret)
are resolved from `${ENV}` at send time.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import smtplib
import ssl
import subprocess
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from netpatrol.automation import texts, webhooks
from netpatrol.automation.event import Delivery, Event
from netpatrol.automation.messages import Voice, voice_of
from netpatrol.childenv import child_env
from netpatrol.workspace.settings import HookChannel, MailChannel, NotifySettings, Workspace, resolve_reference

log = logging.getLogger("netpatrol.automation.notify")
SEVERITY_ORDER = ("critical", "major", "minor", "info")
__all__ = ["Delivery", "Event", "backup_events", "inspection_events", "notify", "send"]


# -- events from runs ---------------------------------------------------------------------------
def backup_events(run, reason: str | None = None, voice: Voice | None = None, diffs: dict | None = None) -> list[Event]:
    """Events for one netpatrol.backup.service.BackupRun; `diffs`: host -> configdiff.ConfigDiff."""
    v = voice or Voice()
    diffs = diffs or {}
    events = []
    saved = [d for d in run.devices if d.status == "saved"]
    if saved:
        details = []
        for d in saved:
            item: dict[str, Any] = {"host": d.host, "site": d.site, "path": d.path}
            if d.host in diffs:
                cd = diffs[d.host]
                item.update(added=cd.added, removed=cd.removed, diff=cd.text, diff_more_lines=cd.more_lines)
            details.append(item)
        events.append(Event("config_changed", v.t("summary.config_changed", n=len(saved), hosts=", ".join(d.host for d in saved)),
                            [d.host for d in saved], details, commit=run.commit, tag=run.tag, reason=reason,
                            lang=v.lang).localise(v))
    if run.failed:
        events.append(Event("backup_failed", v.t("summary.backup_failed", n=len(run.failed),
                                                 hosts=", ".join(d.host for d in run.failed)),
                            [d.host for d in run.failed],
                            [{"host": d.host, "site": d.site, "status": d.error_status, "error": d.reason} for d in run.failed],
                            commit=run.commit, reason=reason, lang=v.lang).localise(v))
    return events


def inspection_events(run, min_severity: str = "major", lang: str | None = None, voice: Voice | None = None) -> list[Event]:
    """Events for one netpatrol.inspection.service.InspectionRun. Findings are counted as problems
    (one per problem key and device), each named by its contract level."""
    from netpatrol.inspection.problems import merge

    v = voice or Voice(lang or "en")
    events = []
    period = v.period(run.period)
    if run.failed:
        events.append(Event("inspection_failed", v.t("summary.inspection_failed", period=period, n=len(run.failed),
                                                     hosts=", ".join(r.host for r in run.failed)),
                            [r.host for r in run.failed],
                            [{"host": r.host, "site": r.site, "status": r.status, "error": r.error} for r in run.failed],
                            commit=run.commit, tag=run.tag, period=run.period, lang=v.lang).localise(v))
    limit = SEVERITY_ORDER.index(min_severity)
    serious = [(r, p) for r in run.results for p in merge(list(r.findings)) if SEVERITY_ORDER.index(p.severity) <= limit]
    if serious:
        hosts = sorted({r.host for r, _ in serious})
        counts = v.t("count.sep").join(v.t("count.level", level=v.level(s), n=n) for s in SEVERITY_ORDER
                                       if (n := sum(1 for _, p in serious if p.severity == s)))
        details = []
        for r, p in sorted(serious, key=lambda rp: SEVERITY_ORDER.index(rp[1].severity)):
            evidence = p.evidence_in(v.lang)
            details.append({"host": r.host, "site": r.site, "severity": p.severity, "level": v.level(p.severity),
                            "problem": p.key, "check": p.check, "subject": p.subject,
                            "title": _pick(p.title, v.lang), "detail": v.t("list.sep").join(evidence), "evidence": evidence,
                            "recommendation": _pick(p.recommendation, v.lang)})
        events.append(Event("findings", v.t("summary.findings", period=period, n=len(serious), devices=len(hosts),
                                            counts=counts), hosts, details,
                            commit=run.commit, tag=run.tag, period=run.period, lang=v.lang).localise(v))
    return events


def _pick(texts_: dict[str, str], lang: str) -> str:
    return texts_.get(lang) or texts_.get("en") or next(iter(texts_.values()), "")


# -- channels -----------------------------------------------------------------------------------
def _hook(ch: HookChannel, event: Event, ws_root: Path | None) -> str:
    argv = shlex.split(ch.command) if isinstance(ch.command, str) else list(ch.command)
    if ws_root is not None and argv and not os.path.isabs(argv[0]) and "/" in argv[0]:
        argv[0] = str(ws_root / argv[0])  # ./hooks/x.sh is relative to the workspace, not the cwd
    try:
        done = subprocess.run(argv, input=json.dumps(texts.payload(event), ensure_ascii=False).encode("utf-8", "replace"),
                              env=child_env(texts.environment(event)), capture_output=True,
                              timeout=ch.timeout, cwd=ws_root, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"did not finish within {ch.timeout:g} s") from None
    except OSError as exc:
        raise RuntimeError(f"cannot run: {exc.strerror}") from None
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise RuntimeError(f"exit status {done.returncode} {tail[0][:200]}".rstrip())
    return "ran"


def _mail(ch: MailChannel, event: Event) -> str:
    if ch.username and not (ch.starttls or ch.ssl):
        # Settings validation refuses this too; settings built in code skip it, and the cost of
        # being wrong is a password sent in clear.
        raise RuntimeError("refusing to log in without TLS: set starttls: true or ssl: true")
    password = resolve_reference(ch.password, "password") if ch.password else None
    msg = EmailMessage()
    from netpatrol.report.inert import clean_text

    # A summary may quote a multi-line error (`run --due`'s "report failed: ..."); the stdlib refuses
    # a header with CR/LF (the mail would be lost): the subject is made one line.
    msg["Subject"] = texts.subject(event, ch.subject_prefix)
    msg["From"] = ch.sender
    msg["To"] = ", ".join(ch.to)
    msg.set_content(clean_text(texts.plain(event)))  # no lone surrogate (unencodable) or control character
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


def _wants(channel_events: Sequence[str] | None, kind: str) -> bool:
    return channel_events is None or kind in channel_events


def send(settings: NotifySettings, events: list[Event], ws_root: Path | None = None) -> list[Delivery]:
    """Deliver every event to every channel that wants it; failures become Delivery(ok=False)."""
    deliveries = []
    for event in events:
        if event.kind not in settings.events:
            continue
        event.localise(Voice(event.lang))
        jobs = [(f"hook {Path(shlex.split(h.command)[0] if isinstance(h.command, str) else h.command[0]).name}",
                 h.events, lambda h=h, event=event: _hook(h, event, ws_root)) for h in settings.hooks]
        jobs += [(f"webhook {w.kind + ' ' if w.kind != 'json' else ''}{webhooks.safe_url(w.url)}", w.events,
                  lambda w=w, event=event: webhooks.post(w, event)) for w in settings.webhooks]
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
    """Fill in workspace context (client, path, local time) and send."""
    v = voice_of(ws.settings)
    for e in events:
        e.client = e.client or ws.settings.client
        e.workspace = e.workspace or str(ws.root)
        e.localise(v)
    return send(ws.settings.notify, events, ws.root)


def notify_backup_run(ws: Workspace, run, reason: str | None = None) -> list[Delivery]:
    """What the `backup` command calls after run_backup."""
    v = voice_of(ws.settings)
    return notify(ws, backup_events(run, reason, v, _diffs(ws, run, v)))


def _diffs(ws: Workspace, run, v: Voice) -> dict:
    """Each saved device's sanitised diff; none when nothing wants a config_changed event."""
    cfg = ws.settings.notify
    saved = {d.path: d.host for d in run.devices if d.status == "saved" and d.path}
    if not (run.commit and saved and cfg.diff_lines and "config_changed" in cfg.events):
        return {}
    try:
        from netpatrol.automation.configdiff import backup_diffs
        from netpatrol.store.open import open_store

        return backup_diffs(open_store(ws), run.commit, saved, v, cfg.diff_lines, cfg.diff_bytes, _cleaner(ws))
    except Exception as exc:  # noqa: BLE001 - the change is still worth telling without its diff
        log.warning("config diff for the notification failed: %s", exc)
        return {}


def _cleaner(ws: Workspace):
    """None when the store keeps every secret out already (secrets: all); else a sanitiser at `all`."""
    if ws.settings.backup.secrets == "all":
        return None
    from netpatrol.backup.sanitize import sanitize
    from netpatrol.workspace.inventory import load_inventory

    platforms = {h.name: h.platform for h in load_inventory(ws.root, need_secrets=False).hosts.values()}
    return lambda host, text: sanitize(text, platforms[host], "all")


def notify_inspection_run(ws: Workspace, run) -> list[Delivery]:
    """What the `inspect` command calls after run_inspection."""
    return notify(ws, inspection_events(run, ws.settings.notify.min_severity, voice=voice_of(ws.settings)))
