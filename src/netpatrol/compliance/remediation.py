"""Remediation: the commands that take a device from its running config to the intended one.

hier_config's WorkflowRemediation does the comparison with the platform's driver (netpatrol's,
built from config_tree.yaml); this module limits it to fragments, writes the commands as the
device is typed to (indentation, section exits, order) and predicts the resulting config.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hier_config import HConfig, WorkflowRemediation
from hier_config.child import HConfigChild

from netpatrol.compliance.drivers import literal_driver
from netpatrol.compliance.tree import load, parse, render


@dataclass(frozen=True)
class Remediation:
    """`remediation` and `rollback`: command lines in the order a device accepts them, indented
    as the platform prints them, section exits included; `future`: the running config with the
    remediation applied, as text."""

    remediation: list[str]
    rollback: list[str]
    future: str


def scoped(config: HConfig, scope: list[str] | None) -> HConfig:
    """Only the top-level sections (and lines) whose text matches one of the `scope` regexes."""
    if scope is None:
        return config
    patterns = [re.compile(p) for p in scope]
    part = HConfig(config.driver)
    for child in config.children:
        if any(p.search(child.text) for p in patterns):
            part.add_deep_copy_of(child)
    return part


def commands(config: HConfig) -> list[str]:
    """A remediation tree as command lines: sorted by the driver's ordering weights, each
    section followed by the exit the device needs to leave it."""
    out: list[str] = []
    _emit(config.children, out)
    return out


def _subsumed(child: HConfigChild, siblings: list[HConfigChild]) -> bool:
    """A removal made needless by a broader sibling removal (`undo local-user x level` once
    `undo local-user x` removes the user)."""
    prefix = child.driver.negation_prefix
    return child.text.startswith(prefix) and not child.children and any(
        s is not child and s.text.startswith(prefix) and child.text.startswith(s.text + " ") for s in siblings
    )


def _emit(children: Iterable[HConfigChild], out: list[str]) -> None:
    ordered = sorted(children)
    seen: set[str] = set()  # two removals can negate to one command ("undo local-user x")
    for child in ordered:
        if (child.text in seen and not child.children) or _subsumed(child, ordered):
            continue
        seen.add(child.text)
        out.append(child.cisco_style_text())
        _emit(child.children, out)
        if exit_text := child.sectional_exit:
            out.append(child.indentation + exit_text)


def remediate(platform: str, running: str, intended: str, scope: list[str] | None = None) -> Remediation:
    """What to type on a `platform` device whose config is `running` to reach `intended`.

    `scope`: regexes of top-level lines (fragments, e.g. `^ntp`, `^snmp-agent`): only those
    sections of both configs are compared; None compares the whole configs.
    """
    workflow = WorkflowRemediation(scoped(parse(platform, running), scope), scoped(parse(platform, intended), scope))
    # The same comparison with whole-line negations, which hier_config's future() can apply.
    literal = literal_driver(platform)
    run_tree = load(literal, running)
    target = scoped(load(literal, intended), scope)
    future = run_tree.future(scoped(run_tree, scope).config_to_get_to(target))
    return Remediation(
        remediation=commands(workflow.remediation_config),
        rollback=commands(workflow.rollback_config),
        future="\n".join(render(future)) + "\n" if future.children else "",
    )
