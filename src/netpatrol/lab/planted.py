"""Known secret values planted in lab configs (scenario "planted_secrets"); data in each platform
folder's lab/planted_secrets.yaml.

Tests search netpatrol's outputs for these literal values, so knowing what a secret is does not
depend on the sanitiser's rules (a form the sanitiser misses would otherwise be missed twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from netpatrol.platforms import PLATFORMS, load_part

PLANTED_FILE = "lab/planted_secrets.yaml"
SCENARIO = "planted_secrets"


@dataclass(frozen=True)
class PlantedSecret:
    platform: str
    form: str
    value: str
    text: str  # the config lines holding the value


def _data(platform: str) -> dict:
    data = load_part(platform, PLANTED_FILE)
    if not isinstance(data, dict):
        raise KeyError(f"platform {platform!r} has no {PLANTED_FILE}")
    return data


def planted(platform: str, n: int = 1) -> list[PlantedSecret]:
    """One secret per config form of `platform`; `n` makes a distinct set (1 initial, 2 changed)."""
    out = []
    for form, spec in _data(platform)["forms"].items():
        spec = spec if isinstance(spec, dict) else {"text": spec}
        value = f"NpSecret-{form}-{n}"
        if spec.get("hex"):
            value = "0x" + value.encode().hex()
        out.append(PlantedSecret(platform, form, value, spec["text"].replace("{secret}", value)))
    return out


def platforms() -> list[str]:
    """Registered platforms with planted secrets."""
    return sorted(p for p in PLATFORMS if load_part(p, PLANTED_FILE) is not None)


def plant(config: str, platform: str, n: int = 1) -> str:
    """`config` with the platform's planted block inserted where the platform's config grammar allows."""
    block = "\n".join(s.text for s in planted(platform, n))
    lines = config.rstrip("\n").split("\n")
    if _data(platform)["insert"] == "before_last_line":
        lines[-1:-1] = block.split("\n")
    else:
        lines.extend(block.split("\n"))
    return "\n".join(lines) + "\n"
