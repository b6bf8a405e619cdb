"""The CLI of one simulated device session: modes, prompts, paging and per-device faults.

Transport-free: it talks to a `Terminal` (server.py wraps an SSH channel in one), so the same code
serves interactive shells and exec channels, and tests can drive it without SSH.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Protocol

from netpatrol.lab import configedit
from netpatrol.lab.device import SimulatedDevice
from netpatrol.lab.render import FilterError, apply_filters, normalise, split_pipes

# Outputs at least this long count as "long" for drop_mid_output.
LONG_OUTPUT_LINES = 20
# Prefixes that run an exec command from config mode (Cisco `do`, Junos `run`).
EXEC_PREFIXES = ("do ", "run ")


@dataclass(frozen=True)
class LabOptions:
    """Lab-wide knobs from devices.json `options`."""

    slow_line_delay: float = 1.0  # seconds per output line under the `slow` fault
    slow_min_lines: int = 10  # `slow` only delays outputs at least this long


class Terminal(Protocol):
    async def read_line(self, echo: bool = True) -> str | None: ...
    async def read_char(self) -> str | None: ...
    def write(self, text: str) -> None: ...
    def abort(self) -> None: ...


class CliSession:
    def __init__(self, device: SimulatedDevice, term: Terminal, username: str, options: LabOptions):
        self.device = device
        self.profile = device.profile
        self.term = term
        self.username = username
        self.options = options
        needs_enable = self.profile.start_mode == "user" and self.profile.enable and device.spec.enable_secret
        self.mode = "user" if needs_enable else "enable"
        self.sub: str | None = None
        self.candidate: list[str] = []
        self.paging = True
        self.alive = True

    # -- prompts and writing -------------------------------------------------------------------

    def prompt(self) -> str:
        p = self.profile.prompts
        fmt = {"hostname": self.device.hostname, "username": self.username, "ctx": self.sub or ""}
        if self.mode == "config":
            text = (p.config_sub if self.sub and p.config_sub else p.config).format(**fmt)
            return f"{p.config_banner}\n{text}" if p.config_banner else text
        return (p.user if self.mode == "user" else p.enable).format(**fmt)

    def _write(self, text: str) -> None:
        self.term.write(text.replace("\n", "\r\n"))

    def _reply(self, text: str) -> None:
        if text:
            self._write(text + "\n")

    def _unknown(self, cmd: str) -> None:
        self._reply(self.profile.unknown_reply(self.prompt().split("\n")[-1], cmd))

    # -- interactive shell ---------------------------------------------------------------------

    async def run_shell(self) -> None:
        if "hang_after_login" in self.device.spec.faults:
            # Logged in, but no prompt ever comes: the client must time out on its own.
            while await self.term.read_char() is not None:
                pass
            return
        banner = self.profile.banner.format(time=self.device.now_text(), version=self.device.version)
        if banner:
            self._write("\n" + banner.rstrip("\n") + "\n")
        self._write("\n" + self.prompt())
        while self.alive:
            line = await self.term.read_line()
            if line is None:
                return
            await self.handle(line)
            if self.alive:
                self._write(self.prompt())

    async def run_exec(self, command: str) -> None:
        """One command on an exec channel: privileged, no paging, no echo, no prompt."""
        self.mode, self.paging = "enable", False
        await self.handle(command)

    async def handle(self, line: str) -> None:
        cmd = normalise(line)
        if not cmd:
            return
        if self.mode == "config":
            await self._config_line(cmd)
        else:
            await self._exec_line(cmd)

    # -- exec mode -----------------------------------------------------------------------------

    async def _exec_line(self, cmd: str) -> None:
        p = self.profile
        if cmd in p.logout:
            self.alive = False
            self.term.abort()
            return
        if p.enable and cmd == p.enable.command:
            await self._enable()
        elif p.enable and cmd == p.enable.disable_command and p.start_mode == "user":
            self.mode = "user"
        elif cmd in p.paging.disable:
            self.paging = False
            self._reply(p.paging.disable[cmd])
        elif (reply := self._session_command(cmd)) is not None:
            self._reply(reply)
        elif cmd in p.config_mode.enter and self.mode == "enable":
            self.mode, self.sub, self.candidate = "config", None, []
            self._reply(p.config_mode.enter_reply)
        elif cmd in p.save.commands:
            await self._save(cmd)
        else:
            await self._show(cmd)

    async def _enable(self) -> None:
        assert self.profile.enable is not None
        secret = self.device.spec.enable_secret
        if self.mode == "enable" or not secret:
            self.mode = "enable"
            return
        self._write(self.profile.enable.password_prompt)
        given = await self.term.read_line(echo=False)
        if given == secret:
            self.mode = "enable"
        else:
            self._reply(self.profile.enable.bad_secret_reply)

    def _session_command(self, cmd: str) -> str | None:
        for pattern, reply in self.profile.session_commands.items():
            m = re.fullmatch(pattern, cmd)
            if m:
                return m.expand(reply)
        return None

    async def _save(self, cmd: str) -> None:
        question = self.profile.save.commands[cmd]
        if question:
            self._write(question)
            answer = await self.term.read_line()
            if (answer or "").strip().lower() not in ("y", "yes"):
                self._reply(self.profile.save.declined_reply)
                return
        self.device.save()
        self._reply(self.profile.save.reply)

    async def _show(self, cmd: str) -> None:
        faults = self.device.spec.faults
        sep = self.profile.command_separator
        parts = [p.strip() for p in cmd.split(sep.strip())] if sep and sep.strip() in cmd else [cmd]
        if len(parts) > 1 and "refuse_chained" in faults:
            self._unknown(cmd)
            return
        texts, is_config, is_running = [], False, False
        for part in parts:
            try:
                base, filters = split_pipes(part)
            except FilterError:
                self._unknown(part)
                return
            kind = self.device.config_kind(base)
            # Configs need privilege: in user mode they are unknown, as on real Cisco-like devices.
            text = None if "error_all" in faults or (kind and self.mode == "user") else self.device.output(base)
            if text is None:
                self._unknown(part)
                return
            texts.append(apply_filters(text, filters))
            is_config = is_config or kind is not None
            is_running = is_running or kind == "running"
        text = "\n".join(texts)
        if is_running and "truncate_config" in faults:
            # The reply stream is cut, so whatever followed the config on the line is lost too.
            # Only the long running-config read is cut; the saved copy, read separately, arrives
            # whole, which is what a backup without an end marker or sentinel compares against.
            lines = text.split("\n")
            text = "\n".join(lines[: max(1, len(lines) * 2 // 3)])
        await self._deliver(text, is_config=is_config)

    async def _deliver(self, text: str, is_config: bool) -> None:
        if not text:
            return
        faults = self.device.spec.faults
        lines = text.split("\n")
        if "drop_mid_output" in faults and (is_config or len(lines) >= LONG_OUTPUT_LINES):
            self._write("\n".join(lines[: len(lines) // 2]) + "\n")
            self.alive = False
            self.term.abort()
            return
        slow = "slow" in faults and len(lines) >= self.options.slow_min_lines
        page = self.profile.paging.page_length if self.paging else 0
        if not slow and (not page or len(lines) <= page):
            self._write(text + "\n")
            return
        for i, line in enumerate(lines):
            if page and i and i % page == 0 and not await self._more():
                return
            self._write(line + "\n")
            if slow:
                await asyncio.sleep(self.options.slow_line_delay)

    async def _more(self) -> bool:
        """Show the paging prompt and wait for a key: q stops the output, anything else goes on."""
        self.term.write(self.profile.paging.prompt)
        key = await self.term.read_char()
        self.term.write(self.profile.paging.erase)
        return key is not None and key not in "qQ"

    # -- config mode ---------------------------------------------------------------------------

    async def _config_line(self, cmd: str) -> None:
        cm = self.profile.config_mode
        for prefix in EXEC_PREFIXES:
            if cmd.startswith(prefix):
                await self._show(cmd[len(prefix) :])
                return
        if cmd.split(" ")[0] == self.device.backup.running.split(" ")[0]:
            await self._show(cmd)  # `display ...` works in Huawei/H3C system view
        elif cmd in cm.to_top or (cmd in cm.level_up and not self.sub):
            self.mode, self.sub, self.candidate = "enable", None, []
            self._reply(cm.exit_reply)
        elif cmd in cm.level_up:
            self.sub = None
        elif cm.commit and re.fullmatch(cm.commit, cmd):
            self.device.set_running(configedit.apply_lines(self.profile, self.device.running, self.candidate))
            self.candidate = []
            self._reply(cm.commit_reply)
        elif cmd in self.profile.save.commands:
            await self._save(cmd)
        elif cm.commit:
            self.candidate.append(cmd)
        else:
            self._apply(cmd)

    def _apply(self, cmd: str) -> None:
        cm = self.profile.config_mode
        for pattern, ctx in cm.submodes.items():
            m = re.match(pattern, cmd)
            if m:
                self.sub = m.expand(ctx)
                break
        else:
            if self.sub:
                cmd = cm.sub_indent + cmd
        self.device.set_running(configedit.apply_lines(self.profile, self.device.running, [cmd]))
