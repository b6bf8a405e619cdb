"""Known secret values planted in lab configs (scenario "planted_secrets"); data in planted_secrets.yaml.

Tests search netpatrol's outputs for these literal values, so knowing what a secret is does not
depend on the sanitiser's rules (a form the sanitiser misses would otherwise be missed twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

_DATA = Path(__file__).with_name("planted_secrets.yaml")
SCENARIO = "planted_secrets"


@dataclass(frozen=True)
class PlantedSecret:
    platform: str
    form: str
    value: str
    text: str  # the config lines holding the value


@cache
def _data() -> dict:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


def planted(platform: str, n: int = 1) -> list[PlantedSecret]:
    """One secret per config form of `platform`; `n` makes a distinct set (1 initial, 2 changed)."""
    out = []
    for form, spec in _data()[platform]["forms"].items():
        spec = spec if isinstance(spec, dict) else {"text": spec}
        value = f"NpSecret-{form}-{n}"
        if spec.get("hex"):
            value = "0x" + value.encode().hex()
        out.append(PlantedSecret(platform, form, value, spec["text"].replace("{secret}", value)))
    return out


def platforms() -> list[str]:
    return sorted(_data())


def plant(config: str, platform: str, n: int = 1) -> str:
    """`config` with the platform's planted block inserted where the platform's config grammar allows."""
    block = "\n".join(s.text for s in planted(platform, n))
    lines = config.rstrip("\n").split("\n")
    if _data()[platform]["insert"] == "before_last_line":
        lines[-1:-1] = block.split("\n")
    else:
        lines.extend(block.split("\n"))
    return "\n".join(lines) + "\n"
