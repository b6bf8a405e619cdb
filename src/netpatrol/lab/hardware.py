"""A simulated device's optics and stack members, and the scenarios that break them.

Kept apart from state.py's baseline so its random draws stay as they were; the thresholds are
those a 10GBASE-LR SFP+ module reports (SFF-8472 alarm and warning levels).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

SCENARIOS = (
    "optic_rx_low",  # the first optic's receive power falls below its low-alarm threshold
    "stack_member_down",  # the last stack member leaves the stack
)


@dataclass
class Optic:
    interface: str
    rx_dbm: float
    tx_dbm: float
    celsius: float
    voltage: float = 3.30
    bias_ma: float = 34.5
    rx_high_alarm: float = 3.5
    rx_high_warning: float = 0.5
    rx_low_warning: float = -14.4
    rx_low_alarm: float = -18.4
    tx_high_alarm: float = 3.5
    tx_high_warning: float = 0.5
    tx_low_warning: float = -8.2
    tx_low_alarm: float = -12.2
    temp_high_alarm: float = 75.0
    temp_high_warning: float = 70.0
    temp_low_warning: float = 0.0
    temp_low_alarm: float = -5.0

    @property
    def rx_flag(self) -> str:
        """Cisco/Arista's mark after a reading: '--' low alarm, '-' low warning, '' in range."""
        if self.rx_dbm < self.rx_low_alarm:
            return "--"
        return "-" if self.rx_dbm < self.rx_low_warning else ""

    @property
    def rx_ok(self) -> bool:
        return self.rx_dbm >= self.rx_low_alarm

    @property
    def rx_mw(self) -> float:
        return round(10 ** (self.rx_dbm / 10), 4)

    @property
    def tx_mw(self) -> float:
        return round(10 ** (self.tx_dbm / 10), 4)


@dataclass
class StackUnit:
    member: int
    role: str  # Master / Standby / Slave, as the Huawei/H3C family names them
    priority: int
    mac: str
    ok: bool = True


def optics_for(hostname: str, interface_names: list[str]) -> list[Optic]:
    """An optic in each of the first two ports (the uplinks), readings drawn from the name."""
    r = random.Random(int.from_bytes(hashlib.sha256(f"{hostname}/optics".encode()).digest()[:8], "big"))
    return [Optic(name, rx_dbm=round(r.uniform(-6.5, -2.5), 2), tx_dbm=round(r.uniform(-3.0, -1.0), 2),
                  celsius=round(r.uniform(31.0, 42.0), 1), bias_ma=round(r.uniform(30.0, 40.0), 1))
            for name in interface_names[:2]]


def stack_for(hostname: str) -> list[StackUnit]:
    n = int.from_bytes(hashlib.sha256(hostname.encode()).digest()[:2], "big")
    return [StackUnit(1, "Master", 200, f"00e0-fc{n % 256:02x}-{n:04x}"),
            StackUnit(2, "Standby", 100, f"00e0-fc{n % 256:02x}-{(n + 1) % 65536:04x}")]


def apply(state, name: str) -> None:  # state: lab.state.DeviceState
    if name == "optic_rx_low" and state.optics:
        state.optics[0].rx_dbm = -22.7
    elif name == "stack_member_down" and state.stack:
        state.stack[-1].ok = False
