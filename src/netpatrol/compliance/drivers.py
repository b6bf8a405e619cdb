"""netpatrol's hier_config drivers, built from each platform folder's config_tree.yaml.

A driver is a subclass of the hier_config driver named by `base:` whose negation prefix, section
exit, rules (the base driver's plus the YAML `rules`, validated into `HConfigDriverRules`) and text
preprocessing (block separators, multi-line texts) come from the data. Vendor knowledge stays in
the YAML files; this module knows no platform.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from hier_config import Platform, get_hconfig_driver
from hier_config.child import HConfigChild
from hier_config.platforms.driver_base import HConfigDriverBase, HConfigDriverRules

from netpatrol.platforms import PLATFORMS
from netpatrol.platforms.model import ConfigTreeSpec
from netpatrol.platforms.registry import CONFIG_TREE_FILE, PlatformError

# Fields merged as lists; `indentation` is a number (replaced) and `post_load_callbacks` are code.
_LIST_FIELDS = tuple(name for name in HConfigDriverRules.model_fields if name not in ("indentation", "post_load_callbacks"))


def base_driver_class(base: str) -> type[HConfigDriverBase]:
    """hier_config's own driver class for a `base:` name (lower-case `Platform` member)."""
    return type(get_hconfig_driver(Platform[base.upper()]))


def merged_rules(base_rules: HConfigDriverRules, extra: dict[str, Any]) -> HConfigDriverRules:
    """The base driver's rules with netpatrol's added in front (first-match rules: ours win)."""
    ours = HConfigDriverRules.model_validate(extra)
    fields: dict[str, Any] = {name: [*getattr(ours, name), *getattr(base_rules, name)] for name in _LIST_FIELDS}
    fields["indentation"] = ours.indentation if "indentation" in extra else base_rules.indentation
    fields["post_load_callbacks"] = list(base_rules.post_load_callbacks)
    return HConfigDriverRules(**fields)


def preprocess(spec: ConfigTreeSpec, text: str) -> str:
    """The config text with top-level blocks printed indented moved to column 0, and the bodies
    of multi-line texts indented under their first line (so that they stay one node)."""
    lines = text.splitlines()
    if spec.separator is not None:
        lines = _dedent_blocks(lines, spec.separator)
    if spec.multiline:
        lines = _nest_multiline(lines, [re.compile(p) for p in spec.multiline])
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def _dedent_blocks(lines: list[str], separator: str) -> list[str]:
    out: list[str] = []
    shift: int | None = None  # None: at the start of a block, its first line decides
    for line in lines:
        if line.rstrip() == separator:
            shift = None
            out.append(line)
            continue
        if not line.strip():
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        if shift is None:
            shift = indent
        out.append(line[min(shift, indent):])
    return out


def _nest_multiline(lines: list[str], starts: list[re.Pattern[str]]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        match = next((m for p in starts if (m := p.match(line))), None)
        if match is None:
            continue
        delim = match["delim"]
        head = line[match.end("delim"):]
        if delim in head:  # a one-line text: "header motd %text%"
            continue
        pad = " " * (len(line) - len(line.lstrip(" ")) + 1)
        while i < len(lines):
            body = lines[i]
            i += 1
            if body.strip():
                out.append(pad + body.strip())
            if delim in body:
                break
    return out


def _build(platform: str, spec: ConfigTreeSpec) -> type[HConfigDriverBase]:
    base_cls = base_driver_class(spec.base)
    rules = merged_rules(base_cls._instantiate_rules(), spec.rules)
    negation = spec.negation_prefix
    exit_text = spec.sectional_exit

    def _instantiate_rules() -> HConfigDriverRules:
        return rules.model_copy(deep=False)

    def negation_prefix(self: HConfigDriverBase) -> str:
        return negation if negation is not None else base_cls.negation_prefix.fget(self)  # type: ignore[attr-defined]

    def sectional_exit(self: HConfigDriverBase, config: HConfigChild) -> str | None:
        result = base_cls.sectional_exit(self, config)
        return exit_text if exit_text is not None and result == "exit" else result

    comments = [re.compile(p) for p in spec.comments]

    def config_preprocessor(config_text: str) -> str:
        if comments:
            kept = [line for line in config_text.splitlines() if not any(rx.search(line) for rx in comments)]
            config_text = "\n".join(kept) + ("\n" if config_text.endswith("\n") else "")
        return preprocess(spec, base_cls.config_preprocessor(config_text))

    name = "NetpatrolDriver_" + re.sub(r"\W", "_", platform)
    return type(name, (base_cls,), {
        "__doc__": f"netpatrol's driver for {platform}: {spec.base} + {platform}/{CONFIG_TREE_FILE}",
        "_instantiate_rules": staticmethod(_instantiate_rules),
        "negation_prefix": property(negation_prefix),
        "sectional_exit": sectional_exit,
        "config_preprocessor": staticmethod(config_preprocessor),
    })


@cache
def driver_class(platform: str) -> type[HConfigDriverBase]:
    """The driver class of a netpatrol platform, built once from its config_tree.yaml."""
    profile = PLATFORMS[platform]
    try:
        return _build(platform, profile.config_tree)
    except (ValueError, KeyError) as exc:  # the registry validates; this is for specs built in code
        raise PlatformError(f"{profile.folder / CONFIG_TREE_FILE}: {exc}") from None


@cache
def driver(platform: str) -> HConfigDriverBase:
    """The (shared, stateless) driver instance of a netpatrol platform."""
    return driver_class(platform)()


@cache
def literal_driver(platform: str) -> HConfigDriverBase:
    """The platform's driver negating whole lines (no `negation_sub` / `negate_with`).

    hier_config's `future()` removes a line when a negation names all of it (or a prefix of it);
    a device's short form (`undo snmp-agent community NAME`) names neither, so the config that a
    remediation leads to is computed with this driver.
    """
    cls = driver_class(platform)
    rules = cls._instantiate_rules().model_copy(update={"negation_sub": [], "negate_with": []})
    literal = type(cls.__name__ + "_literal", (cls,), {"_instantiate_rules": staticmethod(lambda: rules)})
    return literal()
