"""The lab server: one asyncio process, one asyncssh listener per simulated device.

Run as `python -m netpatrol.lab.server STATE_DIR` (control.up does this, detached). It serves the
devices in STATE_DIR/devices.json, re-reads that file whenever it changes, and after applying a
version writes STATE_DIR/applied (JSON: generation, per-device listen errors) so callers can wait.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import asyncssh

from netpatrol.errors import ExitCode
from netpatrol.lab import hostkeys
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.lab.endpoints import is_loopback
from netpatrol.lab.shell import CliSession, LabOptions

log = logging.getLogger("netpatrol.lab.server")

POLL_SECONDS = 0.1


class _Terminal:
    """Line and key reads over an SSH channel, with CR/LF/CRLF all ending a line."""

    def __init__(self, chan: asyncssh.SSHServerChannel):
        self._chan = chan
        self._buf = ""
        self._eof = False
        self._skip_lf = False
        self._wakeup = asyncio.Event()

    def feed(self, data: str) -> None:
        if self._skip_lf and data.startswith("\n"):
            data = data[1:]
        self._skip_lf = False
        self._buf += data
        self._wakeup.set()

    def end(self) -> None:
        self._eof = True
        self._wakeup.set()

    async def _wait(self) -> bool:
        if self._eof:
            return False
        self._wakeup.clear()
        await self._wakeup.wait()
        return True

    async def read_line(self, echo: bool = True) -> str | None:
        while True:
            ends = [i for i in (self._buf.find("\r"), self._buf.find("\n")) if i >= 0]
            if ends:
                i = min(ends)
                line, term, self._buf = self._buf[:i], self._buf[i], self._buf[i + 1 :]
                if term == "\r":
                    if self._buf.startswith("\n"):
                        self._buf = self._buf[1:]
                    elif not self._buf:
                        self._skip_lf = True  # the LF of a CRLF may arrive in the next packet
                self.write((line if echo else "") + "\r\n")
                return line
            if not await self._wait():
                return None

    async def read_char(self) -> str | None:
        while not self._buf:
            if not await self._wait():
                return None
        ch, self._buf = self._buf[0], self._buf[1:]
        return ch

    def write(self, text: str) -> None:
        if not self._chan.is_closing():
            self._chan.write(text)

    def abort(self) -> None:
        self._chan.close()


class _Session(asyncssh.SSHServerSession):
    def __init__(self, lab: Lab, device: SimulatedDevice, username: str):
        self._lab, self._device, self._username = lab, device, username
        self._command: str | None = None
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan
        self._term = _Terminal(chan)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any) -> bool:
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def session_started(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        session = CliSession(self._device, self._term, self._username, self._lab.options)
        try:
            if self._command is not None:
                await session.run_exec(self._command)
            else:
                await session.run_shell()
        except Exception:
            log.exception("%s: session failed", self._device.spec.name)
        if not self._chan.is_closing():
            self._chan.exit(0)

    def data_received(self, data: str, datatype: int | None) -> None:
        self._term.feed(data)

    def eof_received(self) -> bool:
        # paramiko's exec_command sends EOF on stdin at once: the output must still be sent in full.
        self._term.end()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._term.end()


class _Server(asyncssh.SSHServer):
    def __init__(self, lab: Lab, name: str):
        self._lab, self._name = lab, name
        self._username = ""

    def begin_auth(self, username: str) -> bool:
        self._username = username
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        spec = self._lab.devices[self._name].spec
        ok = "reject_password" not in spec.faults and username == spec.username and password == spec.password
        # One line per attempt (never the password): tests count logins to prove no lockout retries.
        log.info("auth %s %s", self._name, "accepted" if ok else "rejected")
        return ok

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        # Every lab device can serve as a jump host (bastion) — but only towards loopback, so the
        # lab never opens a connection off this machine.
        try:
            allowed = ipaddress.ip_address(dest_host).is_loopback
        except ValueError:
            allowed = False
        log.info("forward %s -> %s:%s %s", self._name, dest_host, dest_port, "allowed" if allowed else "refused")
        return allowed

    def session_requested(self) -> asyncssh.SSHServerSession:
        return _Session(self._lab, self._lab.devices[self._name], self._username)


class Lab:
    def __init__(self, state_dir: Path):
        self.state_dir = state_dir
        self.devices: dict[str, SimulatedDevice] = {}
        self.listeners: dict[str, asyncssh.SSHAcceptor] = {}
        self.options = LabOptions()
        (state_dir / "configs").mkdir(exist_ok=True)

    async def _listen(self, name: str) -> str | None:
        spec = self.devices[name].spec
        if not is_loopback(spec.address):
            return f"refused to listen on {spec.address}:{spec.port} for device {name}: not a loopback address"
        try:
            key = hostkeys.load_or_create(self.state_dir, name)
            self.listeners[name] = await asyncssh.create_server(
                lambda: _Server(self, name), spec.address, spec.port,
                server_host_keys=[key], reuse_address=True, line_editor=False,
            )
        except OSError as exc:
            return f"cannot listen on {spec.address}:{spec.port} for device {name}: {exc.strerror or exc}"
        return None

    async def _unlisten(self, name: str) -> None:
        acceptor = self.listeners.pop(name, None)
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()

    async def apply(self, doc: dict[str, Any]) -> dict[str, str]:
        """Bring listeners and device settings in line with one devices.json document."""
        self.options = LabOptions(**doc.get("options", {}))
        wanted = {d["name"]: DeviceSpec(**d) for d in doc["devices"]}
        for name in set(self.devices) - set(wanted):
            await self._unlisten(name)
            del self.devices[name]
        errors: dict[str, str] = {}
        for name, spec in wanted.items():
            old = self.devices.get(name)
            relisten = old is None or (old.spec.address, old.spec.port, old.spec.hostkey_rev) != (
                spec.address, spec.port, spec.hostkey_rev)
            if old is None or old.spec.platform != spec.platform:
                self.devices[name] = SimulatedDevice(spec, self.state_dir / "configs")
            else:
                if old.spec.config_rev != spec.config_rev:
                    old.reload_configs()
                old.spec = spec
            if relisten or "refuse_connection" in spec.faults:
                await self._unlisten(name)
            if ("refuse_connection" not in spec.faults and name not in self.listeners
                    and (err := await self._listen(name)) is not None):
                errors[name] = err
        return errors

    async def close(self) -> None:
        for name in list(self.listeners):
            await self._unlisten(name)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _signature(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


async def serve(state_dir: Path) -> None:
    started = time.monotonic()
    lab = Lab(state_dir)
    devices_json = state_dir / "devices.json"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    seen = _signature(devices_json)
    doc = json.loads(devices_json.read_text(encoding="utf-8"))
    errors = await lab.apply(doc)
    report = {"pid": os.getpid(), "generation": doc.get("generation", 0), "errors": errors}
    _write_json(state_dir / "applied", report)
    _write_json(state_dir / "ready", {**report, "start_seconds": round(time.monotonic() - started, 3)})
    log.info("serving %d devices (%d errors) in %.2f s", len(lab.devices), len(errors), time.monotonic() - started)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), POLL_SECONDS)
        except asyncio.TimeoutError:
            pass
        try:
            sig = _signature(devices_json)
            if sig == seen:
                continue
            seen = sig
            doc = json.loads(devices_json.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being replaced right now: the next poll sees the new file
        errors = await lab.apply(doc)
        _write_json(state_dir / "applied", {"pid": os.getpid(), "generation": doc.get("generation", 0), "errors": errors})
        log.info("applied generation %s (%d errors)", doc.get("generation"), len(errors))
    await lab.close()
    for name in ("ready", "applied", "server.pid"):
        (state_dir / name).unlink(missing_ok=True)
    log.info("stopped")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m netpatrol.lab.server STATE_DIR\n")
        return ExitCode.USAGE
    state_dir = Path(args[0]).resolve()
    logging.basicConfig(
        filename=state_dir / "server.log", level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # asyncssh logs every connection at INFO; at 500 devices that drowns what matters.
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    (state_dir / "server.pid").write_text(str(os.getpid()), encoding="utf-8")
    asyncio.run(serve(state_dir))
    return ExitCode.OK


if __name__ == "__main__":
    raise SystemExit(main())
