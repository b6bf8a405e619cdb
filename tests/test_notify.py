"""Each notification channel against a real local receiver: HTTP server, SMTP server, hook script."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from netpatrol.automation.notify import Event, backup_events, inspection_events, send
from netpatrol.backup.service import BackupRun, DeviceBackup
from netpatrol.cli import root as cli
from netpatrol.inspection.results import Finding, InspectionResult
from netpatrol.inspection.service import InspectionRun
from netpatrol.workspace.settings import MailChannel, NotifySettings

SECRET = "s3cr3t-smtp-pw"


def _backup_run() -> BackupRun:
    now = datetime.now(timezone.utc)
    return BackupRun(
        devices=[DeviceBackup("city-acc-02", "jc-city", "saved", "configs/jc-city/city-acc-02.cfg", 120),
                 DeviceBackup("city-core-01", "jc-city", "unchanged", "configs/jc-city/city-core-01.cfg", 300),
                 DeviceBackup("east-core-01", "jc-east", "failed", "configs/jc-east/east-core-01.cfg",
                              error_status="unreachable", reason="TCP connection refused")],
        commit="a1b2c3d4e5", tag=None, started=now, finished=now, counts={"saved": 1, "unchanged": 1, "failed": 1})


def _event() -> Event:
    return backup_events(_backup_run(), reason="CHG-1234 add banner")[0]


class Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list] = []
    statuses: ClassVar[list] = []  # status to answer per request, then 200

    def do_POST(self):  # the name http.server calls
        Receiver.bodies.append((self.path, self.headers["Content-Type"], json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
        self.send_response(Receiver.statuses.pop(0) if Receiver.statuses else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_receiver():
    Receiver.bodies, Receiver.statuses = [], []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_events_from_backup_and_inspection_runs():
    config, failed = backup_events(_backup_run(), reason="CHG-1234")
    assert config.kind == "config_changed" and config.hosts == ["city-acc-02"] and config.commit == "a1b2c3d4e5"
    assert failed.kind == "backup_failed" and failed.details[0]["error"] == "TCP connection refused"
    finding = lambda sev: Finding(check=f"c-{sev}", severity=sev, title={"en": f"{sev} thing", "zh-CN": "问题"}, detail="d")  # noqa: E731
    ok = InspectionResult(host="a", site="s", platform="cisco_ios", period="2026Q4", collected_at="x", status="ok",
                          findings=[finding("critical"), finding("minor")])
    down = InspectionResult(host="b", site="s", platform="cisco_ios", period="2026Q4", collected_at="x",
                            status="unreachable", error="refused")
    events = inspection_events(InspectionRun("2026Q4", [ok, down], "c0ffee", "inspection/2026Q4"), "major", "zh-CN")
    assert [e.kind for e in events] == ["inspection_failed", "findings"]
    assert [d["severity"] for d in events[1].details] == ["critical"] and events[1].details[0]["title"] == "问题"


def test_webhook_posts_json_and_retries_server_errors(http_receiver):
    Receiver.statuses = [503]
    settings = NotifySettings.model_validate({"webhooks": [{"url": f"{http_receiver}/np?token=abc", "retries": 2, "timeout": 5}]})
    [d] = send(settings, [_event()])
    assert d.ok and d.detail == "HTTP 200" and "token" not in d.channel
    assert len(Receiver.bodies) == 2  # 503, then delivered
    path, ctype, body = Receiver.bodies[-1]
    assert path == "/np?token=abc" and ctype.startswith("application/json")
    assert body["kind"] == "config_changed" and body["hosts"] == ["city-acc-02"] and body["reason"] == "CHG-1234 add banner"


def test_webhook_client_error_is_not_retried_and_never_raises(http_receiver):
    Receiver.statuses = [404]
    settings = NotifySettings.model_validate({"webhooks": [
        {"url": f"{http_receiver}/gone", "retries": 3},
        {"url": f"http://127.0.0.1:{_closed_port()}/x", "retries": 1, "timeout": 2}]})
    first, second = send(settings, [_event()])
    assert not first.ok and first.detail.startswith("HTTP 404 after 1 attempt") and len(Receiver.bodies) == 1
    assert not second.ok and "refused" in second.detail.lower() and "after 2 attempt" in second.detail


def test_events_filter_per_channel(http_receiver):
    settings = NotifySettings.model_validate({"events": ["backup_failed"], "webhooks": [{"url": http_receiver}]})
    deliveries = send(settings, backup_events(_backup_run()))
    assert [d.event for d in deliveries] == ["backup_failed"]


@pytest.fixture
def tls_cert(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1 that ssl.create_default_context() trusts here."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "smtp.crt", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # what create_default_context() loads
    return cert_file, key_file


class SmtpServer:
    """aiosmtpd on 127.0.0.1 recording every AUTH it receives and every message."""

    def __init__(self, tls_files=None, implicit_tls: bool = False):
        controller_mod = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the 'test' extra")
        from aiosmtpd.smtp import AuthResult

        self.received, self.logins = [], []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
                outer.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode("utf-8")))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
            self.logins.append((auth_data.login.decode(), auth_data.password.decode(), encrypted))
            return AuthResult(success=auth_data.password.decode() == SECRET)

        tls = None
        if tls_files:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(*tls_files)
        self.port = _closed_port()  # Controller.start() connects to its own port, so 0 cannot be used
        # auth_require_tls=False: the server would accept a clear AUTH, so the client alone must refuse.
        self.ctl = controller_mod.Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                             authenticator=authenticator, auth_require_tls=False,
                                             **({"ssl_context": tls} if implicit_tls else
                                                {"tls_context": tls, "require_starttls": False}))

    def channel(self, **extra) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "from": "netpatrol@qinghe.example.cn",
                "to": ["noc@jcsw.example.cn", "li.wei@qinghe.example.cn"], "username": "netpatrol",
                "password": "${NP_TEST_SMTP_PW}", "timeout": 5, **extra}

    def __enter__(self):
        self.ctl.start()
        return self

    def __exit__(self, *exc):
        self.ctl.stop()


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_mail_through_local_smtp_over_tls_with_env_password(monkeypatch, tls_cert, tls):
    with SmtpServer(tls_cert, implicit_tls=tls == "ssl") as smtp:
        channel = smtp.channel(**{tls: True})
        settings = NotifySettings.model_validate({"mail": [channel]})
        monkeypatch.delenv("NP_TEST_SMTP_PW", raising=False)
        [unset] = send(settings, [_event()])
        assert not unset.ok and "NP_TEST_SMTP_PW" in unset.detail and not smtp.received

        monkeypatch.setenv("NP_TEST_SMTP_PW", SECRET)
        event = _event()
        event.client = "江川市水务局"
        [d] = send(settings, [event])
        assert d.ok, d.detail
        assert smtp.logins == [("netpatrol", SECRET, True)]  # logged in only inside TLS
        sender, rcpts, text = smtp.received[0]
        assert sender == "netpatrol@qinghe.example.cn" and rcpts == channel["to"]
        assert "configuration changed on 1 device(s): city-acc-02" in text and SECRET not in text


def test_mail_login_without_tls_is_refused_in_settings_and_never_sent_in_clear(monkeypatch, tmp_path):
    monkeypatch.setenv("NP_TEST_SMTP_PW", SECRET)
    with SmtpServer() as smtp:  # offers AUTH on a plain connection, and no STARTTLS
        with pytest.raises(ValidationError, match="in clear"):
            NotifySettings.model_validate({"mail": [smtp.channel()]})
        with pytest.raises(ValidationError, match="exclude each other"):
            NotifySettings.model_validate({"mail": [smtp.channel(starttls=True, ssl=True)]})

        # Settings built without validation: the send itself refuses before connecting.
        fields = {k: v for k, v in smtp.channel().items() if k != "from"}
        unchecked = NotifySettings.model_construct(mail=[MailChannel.model_construct(
            **fields, sender="np@example.cn", starttls=False, ssl=False, subject_prefix="[np]", events=None)])
        [d] = send(unchecked, [_event()])
        assert not d.ok and "without TLS" in d.detail

        # starttls asked for, but this server cannot do it: no AUTH follows the failed upgrade.
        [d] = send(NotifySettings.model_validate({"mail": [smtp.channel(starttls=True)]}), [_event()])
        assert not d.ok and "STARTTLS" in d.detail
        assert smtp.logins == [] and smtp.received == []

    # `inventory check` names the field.
    ws = tmp_path / "ws"
    (ws / "inventory").mkdir(parents=True)
    (ws / "inventory" / "hosts.yaml").write_text("r1:\n  hostname: 192.0.2.1\n  platform: cisco_ios\n  site: a\n"
                                                "  username: u\n  password: ${NP_TEST_SMTP_PW}\n")
    (ws / "netpatrol.yaml").write_text(yaml.safe_dump({"notify": {"mail": [smtp.channel()]}}))
    res = CliRunner().invoke(cli.app, ["inventory", "check", "-w", str(ws)])
    assert res.exit_code == 2 and "notify.mail.0" in res.output and "in clear" in res.output


def test_hook_gets_env_and_json_stdin_failures_reported(tmp_path):
    out = tmp_path / "hook.out"
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, os, sys\n"
        "data = json.load(sys.stdin)\n"
        f"open({str(out)!r}, 'w').write(json.dumps("
        "{'env': {k: v for k, v in os.environ.items() if k.startswith('NETPATROL_')}, 'stdin': data}))\n")
    settings = NotifySettings.model_validate({"hooks": [
        {"command": [sys.executable, str(script)]},
        {"command": f"{sys.executable} -c 'import sys; sys.stderr.write(\"boom\\\\n\"); sys.exit(3)'"},
        {"command": [sys.executable, "-c", "import time; time.sleep(5)"], "timeout": 0.5}]})
    ok, bad, slow = send(settings, [_event()], ws_root=tmp_path)
    assert ok.ok
    got = json.loads(out.read_text())
    assert got["env"]["NETPATROL_EVENT"] == "config_changed" and got["env"]["NETPATROL_HOSTS"] == "city-acc-02"
    assert got["env"]["NETPATROL_COMMIT"] == "a1b2c3d4e5" and got["stdin"]["details"][0]["path"].endswith(".cfg")
    assert not bad.ok and "exit status 3" in bad.detail and "boom" in bad.detail
    assert not slow.ok and "0.5 s" in slow.detail


def test_hook_environment_carries_no_secrets(tmp_path, monkeypatch):
    from netpatrol.childenv import declare_secret_vars

    secrets = {"NETPATROL_PASSWORD": "dev-pw$$;`x`", "SITE_B_DEVICE_PW": "declared-by-inventory",
               "NP_TEST_SMTP_PW": SECRET, "OPS_WEBHOOK_TOKEN": "tok-123", "NETPATROL_ENABLE": "en-pw"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NETPATROL_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("NP_TEST_PLAIN", "kept")
    declare_secret_vars(["SITE_B_DEVICE_PW"])  # what loading an inventory referencing ${SITE_B_DEVICE_PW} does
    NotifySettings.model_validate({"mail": [{"host": "127.0.0.1", "from": "a@b.cn", "to": ["c@d.cn"], "starttls": True,
                                             "username": "u", "password": "${NP_TEST_SMTP_PW}"}]})
    dump = tmp_path / "env.json"
    settings = NotifySettings.model_validate({"hooks": [{"command": [
        sys.executable, "-c", f"import json, os; open({str(dump)!r}, 'w').write(json.dumps(dict(os.environ)))"]}]})
    [d] = send(settings, [_event()], ws_root=tmp_path)
    assert d.ok, d.detail
    env = json.loads(dump.read_text())
    assert not set(secrets) & set(env), set(secrets) & set(env)
    assert not any(v in json.dumps(env) for v in secrets.values())
    assert env["NETPATROL_EVENT"] == "config_changed" and env["NP_TEST_PLAIN"] == "kept"
    assert env["NETPATROL_WORKSPACE"] == str(tmp_path) and env["PATH"] == os.environ["PATH"]


def test_mail_subject_with_line_breaks_is_one_line_and_still_sent():
    """`run --due` puts a step's error (possibly several lines, possibly quoting device text) into the
    summary: the mail goes out with it folded into the Subject, and it cannot add a header."""
    from email import message_from_string

    with SmtpServer() as smtp:
        channel = {k: v for k, v in smtp.channel().items() if k not in ("username", "password")}
        event = Event("report_failed", "report failed: 2 problem(s):\r\n  - x\nBcc: evil@example.com\n\x1b[2JX-Injected: 1",
                      ["north-core-01"], reason="multi\nline")
        [d] = send(NotifySettings.model_validate({"mail": [channel]}), [event])
        assert d.ok, d.detail
        [(_, _, text)] = smtp.received
        msg = message_from_string(text)
        assert msg["Bcc"] is None and msg["X-Injected"] is None
        subject = " ".join(msg["Subject"].split())
        assert "report failed: 2 problem(s): - x Bcc: evil@example.com" in subject and "\x1b" not in subject


def test_hook_runs_when_the_summary_holds_a_nul_or_a_lone_surrogate(tmp_path):
    # `run --due` puts a step's error into the summary and reason; the hook must still run.
    out = tmp_path / "hook.out"
    script = tmp_path / "hook.py"
    script.write_text("import json, os, sys\ndata = json.load(sys.stdin)\n"
                      f"open({str(out)!r}, 'w').write(os.environ['NETPATROL_SUMMARY'] + '|' + data['summary'])\n")
    event = Event("report_failed", "report failed: bad\x00byte \udcff here", ["north-core-01"], reason="x\x00y")
    [d] = send(NotifySettings.model_validate({"hooks": [{"command": [sys.executable, str(script)]}]}), [event], ws_root=tmp_path)
    assert d.ok, d.detail
    env_summary, stdin_summary = out.read_text(encoding="utf-8").split("|")
    assert env_summary == "report failed: bad\ufffdbyte \ufffd here"
    assert stdin_summary.startswith("report failed: bad\x00byte")  # JSON carries the NUL as \u0000


def test_webhook_and_mail_are_sent_when_the_summary_holds_a_lone_surrogate(http_receiver):
    event = Event("report_failed", "report failed: \udcff", ["north-core-01"])
    with SmtpServer() as smtp:
        channel = {k: v for k, v in smtp.channel().items() if k not in ("username", "password")}
        deliveries = send(NotifySettings.model_validate({"webhooks": [{"url": http_receiver}], "mail": [channel]}), [event])
        assert [d.ok for d in deliveries] == [True, True], deliveries
    assert Receiver.bodies[0][2]["summary"] == "report failed: ?"
