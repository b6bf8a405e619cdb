"""Helpers for tests and benchmarks that need a running lab."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from netpatrol.lab.control import LabDeviceSpec, LabStatus, down, up
from netpatrol.lab.profile import load_profiles


def free_ports(count: int, address: str = "127.0.0.1") -> list[int]:
    """`count` distinct ports the kernel says are free right now (all held open while picking)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((address, 0))
            ports.append(sock.getsockname()[1])
        return ports


def make_specs(
    platforms: list[str] | None = None,
    count: int | None = None,
    address: str = "127.0.0.1",
    username: str = "admin",
    password: str = "lab-pass",
    enable_secret: str | None = "lab-enable",
    **extra: Any,
) -> list[LabDeviceSpec]:
    """Devices on free ports: one per platform given (default all), or `count` cycling through them."""
    platforms = platforms or sorted(load_profiles())
    count = count if count is not None else len(platforms)
    ports = free_ports(count, address)
    return [
        LabDeviceSpec(
            name=f"lab-{platforms[i % len(platforms)].replace('_', '-')}-{i}",
            platform=platforms[i % len(platforms)],
            address=address,
            port=ports[i],
            username=username,
            password=password,
            enable_secret=enable_secret,
            **extra,
        )
        for i in range(count)
    ]


@contextmanager
def running_lab(state_dir: Path, specs: list[LabDeviceSpec], **kwargs: Any) -> Iterator[LabStatus]:
    """`with running_lab(tmp_path / "lab", specs) as status:` ... the lab is stopped afterwards."""
    status = up(state_dir, specs, **kwargs)
    try:
        yield status
    finally:
        down(state_dir)
