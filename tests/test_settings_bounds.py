"""Every numeric setting of netpatrol.yaml is bounded: a value no run could use (an overflow, an
infinite timeout, a zero interval, full-width digits) is a one-line `inventory check` error naming
the field, exit 2, before any command uses it."""

from __future__ import annotations

import pytest

from test_hostile_input import _env, assert_clean_exit2, invoke, workspace  # noqa: F401


@pytest.mark.parametrize("text,field", [
    ("schedule: {backup_interval: 0h}", "schedule.backup_interval"),
    ("schedule: {backup_interval: 99999999999999d}", "schedule.backup_interval"),
    ("schedule: {sites: {site-a: {backup_interval: 9999999999w}}}", "schedule.sites.site-a.backup_interval"),
    ("schedule: {groups: {site-a: {backup_interval: 400d}}}", "schedule.groups.site-a.backup_interval"),
    ("schedule: {backup_interval: ２４h}", "schedule.backup_interval"),  # noqa: RUF001 - full-width look-alikes are the input under test
    ("notify: {hooks: [{command: 'true', timeout: .inf}]}", "notify.hooks.0.timeout"),
    ("notify: {webhooks: [{url: 'http://127.0.0.1:9/', timeout: 1e12}]}", "notify.webhooks.0.timeout"),
    ("notify: {mail: [{host: localhost, from: a@example.org, to: [b@example.org], timeout: 1e300}]}", "notify.mail.0.timeout"),
    ("syslog: {warn_interval: .inf}", "syslog.warn_interval"),
])
@pytest.mark.parametrize("command", [("inventory", "check"), ("due",)])
def test_unusable_settings_are_refused_naming_the_field(tmp_path, text, field, command):
    ws = workspace(tmp_path, raw={"netpatrol.yaml": f"client: Test\n{text}\n"})
    assert_clean_exit2(invoke(*command, "-w", str(ws)), "netpatrol.yaml", field)


@pytest.mark.parametrize("interval", ["90m", "24h", "7d", "1.5h", "366d", " 6h "])
def test_usable_durations_are_accepted(tmp_path, interval):
    ws = workspace(tmp_path, raw={"netpatrol.yaml": f"client: Test\nschedule: {{backup_interval: '{interval}'}}\n"})
    res = invoke("due", "-w", str(ws))
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("mail,fragment", [
    ("{host: mail.example.org, from: a@example.org, to: [b@example.org], password: '${NP_SMTP_PW}', starttls: true}",
     "username is not"),
    ("{host: mail.example.org, from: \"a@example.org\\nBcc: x@example.net\", to: [b@example.org]}", "line break"),
    ("{host: mail.example.org, from: a@example.org, to: [\"b@example.org\\r\\nBcc: x@example.net\"]}", "line break"),
    ("{host: mail.example.org, from: a@example.org, to: [b@example.org], subject_prefix: \"[np]\\nX-Y: z\"}", "line break"),
])
def test_mail_settings_that_could_never_send_are_refused(tmp_path, mail, fragment):
    ws = workspace(tmp_path, raw={"netpatrol.yaml": f"client: Test\nnotify: {{mail: [{mail}]}}\n"})
    assert_clean_exit2(invoke("inventory", "check", "-w", str(ws)), "netpatrol.yaml", "notify.mail.0", fragment)


@pytest.mark.parametrize("command", ["backup", "inspect", "facts"])
def test_workers_on_the_command_line_have_the_settings_bounds(tmp_path, command):
    """`workers` in netpatrol.yaml is at most 500; `--workers 100000` started that many threads."""
    ws = workspace(tmp_path)
    res = invoke(command, "-w", str(ws), "--workers", "100000")
    assert res.exit_code == 2 and "--workers" in res.output
    assert not (ws / "backups").exists()
