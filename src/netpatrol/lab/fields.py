"""The fields that describe one simulated device, shared by the control side and the server."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DeviceFields:
    name: str
    platform: str
    address: str
    port: int
    username: str
    password: str
    enable_secret: str | None = None
    model: str | None = None
    version: str | None = None
    interfaces: list[str] | None = None
    scenarios: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
