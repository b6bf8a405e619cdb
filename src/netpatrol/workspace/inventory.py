"""Load, validate and resolve the workspace inventory (Nornir SimpleInventory files).

Every problem is collected (file, host or group, field) and raised together as one InventoryError,
so a user fixes the whole file in one pass. Passwords are only `${ENV}` references; their values
live on ResolvedHost.secrets and never in `data`, JSON output or messages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netpatrol import safe_yaml
from netpatrol.childenv import declare_secret_vars
from netpatrol.errors import InventoryError, InventoryIssue
from netpatrol.platforms import canonical_platform, unknown_platform
from netpatrol.workspace.connect_options import check_connect_options
from netpatrol.workspace.distributed import LOCAL_ZONE
from netpatrol.workspace.models import (
    ENV_REF,
    NETMIKO_EXTRAS,
    DefaultsModel,
    GroupModel,
    HostData,
    HostModel,
    InspectionScope,
    SiteArchive,
)
from netpatrol.workspace.names import case_twin, name_problem, same_address, shown

# Host and group (site) names become file names, Git paths and parts of tags: a portable charset,
# no Git ref oddities ('..', a trailing '.' or '.lock'), and short enough for every file system.
SECRET_FIELDS = ("password",)
SECRET_EXTRAS = ("secret", "jump_password")


def load_yaml(path: Path, issues: list[InventoryIssue], root: Path) -> Any:
    rel = _rel(path, root)
    try:
        return safe_yaml.load_file(path, rel)
    except FileNotFoundError:
        return None
    except safe_yaml.YamlFileError as exc:
        issues.append(InventoryIssue(rel, f"line {exc.line}" if exc.line else "", "", exc.problem))
        return None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


@dataclass
class ResolvedHost:
    """One host after inheritance (host > groups in order > defaults); secrets kept apart."""

    name: str
    hostname: str
    port: int
    platform: str
    username: str
    groups: list[str]
    site: str
    site_archive: SiteArchive | None
    data: HostData
    extras: dict[str, Any]
    inspection: InspectionScope
    role: str | None = None
    zone: str = LOCAL_ZONE  # the network zone whose workers collect it (`data.zone`)
    secret_refs: dict[str, str] = field(default_factory=dict, repr=False)

    def secret(self, name: str) -> str | None:
        """The value of a `${ENV}` secret (password, enable secret); resolved at use time."""
        ref = self.secret_refs.get(name)
        if ref is None:
            return None
        m = ENV_REF.match(ref)
        return os.environ.get(m.group(1)) if m else None

    def public(self) -> dict[str, Any]:
        """What `inventory list --json` shows: everything except secrets."""
        return {
            "name": self.name,
            "hostname": self.hostname,
            "port": self.port,
            "platform": self.platform,
            "username": self.username,
            "groups": self.groups,
            "site": self.site,
            "role": self.role,
            "zone": self.zone,
            "data": self.data.model_dump(mode="json", exclude_defaults=True),
        }


@dataclass
class Inventory:
    root: Path
    hosts: dict[str, ResolvedHost]
    groups: dict[str, GroupModel]
    defaults: DefaultsModel

    def sites(self) -> dict[str, SiteArchive | None]:
        return {h.site: h.site_archive for h in self.hosts.values()}

    def select(
        self,
        hosts: list[str] | None = None,
        site: str | None = None,
        group: str | None = None,
        platform: str | None = None,
    ) -> list[ResolvedHost]:
        chosen = []
        for h in self.hosts.values():
            if hosts and h.name not in hosts:
                continue
            if site and h.site != site:
                continue
            if group and group not in self.ancestry(h.groups):
                continue
            if platform and h.platform != platform:
                continue
            chosen.append(h)
        return chosen

    def ancestry(self, names: list[str]) -> list[str]:
        """Groups in Nornir's resolution order: each group, then its parents, depth first.

        Iterative and visiting each group once, so a cycle (reported by load_inventory) cannot
        recurse forever."""
        out: list[str] = []
        stack = list(reversed(names))
        while stack:
            name = stack.pop()
            if name in out or name not in self.groups:
                continue
            out.append(name)
            stack.extend(reversed(self.groups[name].groups))
        return out


def _pydantic_issues(rel: str, where: str, exc: ValidationError) -> list[InventoryIssue]:
    issues = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden" and len(err["loc"]) > 1 and err["loc"][-2] == "extras":
            msg = f"unknown connection option '{err['loc'][-1]}' (known: {', '.join(sorted(NETMIKO_EXTRAS))})"
        elif err["type"] == "extra_forbidden":
            msg = "unknown key (typo?)"
        issues.append(InventoryIssue(rel, where, loc, msg))
    return issues


def _parse_section(raw: Any, model: type[BaseModel], rel: str, kind: str, issues: list[InventoryIssue]) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        issues.append(InventoryIssue(rel, "", "", f"must be a mapping of {kind} names to settings"))
        return {}
    parsed = {}
    folded: dict[str, str] = {}
    for name, body in raw.items():
        problem = name_problem(name)
        if problem:
            issues.append(InventoryIssue(rel, f"{kind} {shown(name)}", "", problem))
            continue
        twin = case_twin(name, folded)
        if twin is not None:  # still parsed: its hosts and members are not "unknown" as well
            issues.append(InventoryIssue(rel, f"{kind} {name}", "", f"same name as {kind} '{twin}' apart from "
                                         "letter case: one file on Windows and macOS, where one overwrites the other; rename one"))
        where = f"{kind} {name}"
        try:
            parsed[name] = model.model_validate(body or {})
        except ValidationError as exc:
            issues.extend(_pydantic_issues(rel, where, exc))
    return parsed


def load_inventory(root: Path, inventory_dir: str = "inventory", need_secrets: bool = True) -> Inventory:
    """Validate the three files and resolve every host; raise InventoryError listing all problems.

    `need_secrets=False` is for commands that never log in (list, drift, report): an unset
    `${ENV}` is then not an error, but a plain-text password still is.
    """
    issues: list[InventoryIssue] = []
    inv = root / inventory_dir
    hosts_file = inv / "hosts.yaml"
    if not hosts_file.exists():
        raise InventoryError([InventoryIssue(_rel(hosts_file, root), "", "", "not found")])
    raw_hosts = load_yaml(hosts_file, issues, root)
    raw_groups = load_yaml(inv / "groups.yaml", issues, root)
    raw_defaults = load_yaml(inv / "defaults.yaml", issues, root)
    rel_h, rel_g, rel_d = (_rel(inv / f, root) for f in ("hosts.yaml", "groups.yaml", "defaults.yaml"))
    hosts: dict[str, HostModel] = _parse_section(raw_hosts, HostModel, rel_h, "host", issues)
    groups: dict[str, GroupModel] = _parse_section(raw_groups, GroupModel, rel_g, "group", issues)
    defaults = DefaultsModel()
    if raw_defaults is not None:
        try:
            defaults = DefaultsModel.model_validate(raw_defaults)
        except ValidationError as exc:
            issues.extend(_pydantic_issues(rel_d, "defaults", exc))
    inventory = Inventory(root=root, hosts={}, groups=groups, defaults=defaults)
    _check_group_refs(inventory, hosts, rel_h, rel_g, issues, groups_file=(inv / "groups.yaml").exists())
    _check_group_cycles(groups, rel_g, issues)
    for name, model in hosts.items():
        resolved = _resolve_host(inventory, name, model, rel_h, issues, need_secrets)
        if resolved is not None:
            inventory.hosts[name] = resolved
    _check_duplicate_endpoints(inventory, rel_h, issues)
    _check_secret_refs(inventory, hosts, groups, defaults, (rel_h, rel_g, rel_d), issues, need_secrets)
    if issues:
        raise InventoryError(issues, hosts_read=len(raw_hosts) if isinstance(raw_hosts, dict) else 0)
    return inventory


def _check_group_refs(inv: Inventory, hosts: dict, rel_h: str, rel_g: str, issues: list, groups_file: bool = True) -> None:
    if not groups_file:
        named = sorted({g for m in hosts.values() for g in m.groups})
        if named:
            first = next(n for n, m in hosts.items() if m.groups)
            issues.append(InventoryIssue(rel_g, "", "", f"not found, but hosts name groups ({', '.join(named)}; "
                                                        f"first host {first}): create {rel_g} defining them"))
        return
    for kind, rel, items in (("host", rel_h, hosts), ("group", rel_g, inv.groups)):
        for name, model in items.items():
            for g in model.groups:
                if g not in inv.groups:
                    known = ", ".join(sorted(inv.groups)) or "none defined"
                    issues.append(InventoryIssue(rel, f"{kind} {name}", "groups", f"unknown group '{g}' (known: {known})"))


def _check_group_cycles(groups: dict[str, GroupModel], rel_g: str, issues: list) -> None:
    """Each cycle of group parents once, e.g. `site_a -> site_b -> site_a`."""
    done: set[str] = set()
    for start in groups:
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            name, i = stack.pop()
            if i == 0:
                if name in done or name not in groups:
                    continue
                path.append(name)
                on_path.add(name)
            parents = groups[name].groups
            if i < len(parents):
                stack.append((name, i + 1))
                parent = parents[i]
                if parent in on_path:
                    cycle = [*path[path.index(parent):], parent]
                    issues.append(InventoryIssue(rel_g, f"group {parent}", "groups", "groups form a cycle: " + " -> ".join(cycle)))
                else:
                    stack.append((parent, 0))
            else:
                path.pop()
                on_path.discard(name)
                done.add(name)


def _inherit(inv: Inventory, model: HostModel, attr: str) -> Any:
    value = getattr(model, attr)
    if value is not None:
        return value
    for g in inv.ancestry(model.groups):
        value = getattr(inv.groups[g], attr)
        if value is not None:
            return value
    return getattr(inv.defaults, attr)


def _merged_extras(inv: Inventory, model: HostModel) -> dict[str, Any]:
    layers = [inv.defaults.connection_options] + [inv.groups[g].connection_options for g in reversed(inv.ancestry(model.groups))]
    layers.append(model.connection_options)
    extras: dict[str, Any] = {}
    for layer in layers:
        plugin = layer.get("netmiko")
        if plugin:
            extras.update(plugin.extras)
    return extras


def _merged_scope(inv: Inventory, model: HostModel) -> InspectionScope:
    scopes = [inv.defaults.data.inspection] + [inv.groups[g].data.inspection for g in reversed(inv.ancestry(model.groups))]
    scopes.append(model.data.inspection)
    merged = InspectionScope()
    for s in scopes:
        if s is None:
            continue
        merged.thresholds.update(s.thresholds)
        merged.skip_checks.extend(c for c in s.skip_checks if c not in merged.skip_checks)
        merged.critical_ports.extend(p for p in s.critical_ports if p not in merged.critical_ports)
        if s.approved_versions:
            merged.approved_versions = list(s.approved_versions)
    return merged


def _resolve_host(inv: Inventory, name: str, model: HostModel, rel: str, issues: list,
                  need_files: bool = True) -> ResolvedHost | None:
    where = f"host {name}"
    before = len(issues)
    typed = _inherit(inv, model, "platform")
    platform = canonical_platform(typed) if typed is not None else None  # an alias is stored as the folder name
    if typed is None:
        issues.append(InventoryIssue(rel, where, "platform", "missing (set it on the host, a group or defaults)"))
    elif platform is None:
        issues.append(InventoryIssue(rel, where, "platform", unknown_platform(typed)))
    hostname = _inherit(inv, model, "hostname")
    if not hostname:
        issues.append(InventoryIssue(rel, where, "hostname", "missing: the device's IP address or DNS name"))
    username = _inherit(inv, model, "username")
    password = _inherit(inv, model, "password")
    if not username:
        issues.append(InventoryIssue(rel, where, "username", "missing credentials: no username on host, groups or defaults"))
    if not password:
        issues.append(InventoryIssue(rel, where, "password", "missing credentials: set password: ${ENV_VAR} on host, groups or defaults"))
    site_group = next((g for g in inv.ancestry(model.groups) if inv.groups[g].data.site), None)
    if site_group is None and all(g in inv.groups for g in model.groups):
        issues.append(InventoryIssue(rel, where, "groups", "belongs to no site: add a group whose data.site holds the archive fields"))
    if len(issues) > before or site_group is None or platform is None:  # unknown groups: see _check_group_refs
        return None
    extras = _merged_extras(inv, model)
    check_connect_options(rel, name, extras, need_files, issues)
    if len(issues) > before:
        return None
    refs = {"password": password}
    for secret_name in SECRET_EXTRAS:
        if secret_name in extras:
            refs[secret_name] = extras.pop(secret_name)
    return ResolvedHost(
        name=name,
        hostname=hostname,
        port=_inherit(inv, model, "port") or 22,
        platform=platform,
        username=username,
        groups=list(model.groups),
        site=site_group,
        site_archive=inv.groups[site_group].data.site,
        data=model.data,
        extras=extras,
        inspection=_merged_scope(inv, model),
        role=model.data.role or next((inv.groups[g].data.role for g in inv.ancestry(model.groups) if inv.groups[g].data.role), None),
        zone=model.data.zone or next((z for g in inv.ancestry(model.groups) if (z := inv.groups[g].data.zone)), None)
        or inv.defaults.data.zone or LOCAL_ZONE,
        secret_refs=refs,
    )


def _check_duplicate_endpoints(inv: Inventory, rel: str, issues: list) -> None:
    seen: dict[tuple[str, int], str] = {}
    for h in inv.hosts.values():
        key = (same_address(h.hostname), h.port)
        if key in seen:
            issues.append(
                InventoryIssue(rel, f"host {h.name}", "hostname", f"address {h.hostname}:{h.port} is already used by host {seen[key]}")
            )
        else:
            seen[key] = h.name


def _check_secret_refs(inv, hosts, groups, defaults, rels, issues: list, need_set: bool = True) -> None:
    """Secrets must be `${ENV}` references to variables that are set; plain text is refused."""
    rel_h, rel_g, rel_d = rels
    places = [(rel_h, f"host {n}", m) for n, m in hosts.items()]
    places += [(rel_g, f"group {n}", m) for n, m in groups.items()]
    places.append((rel_d, "defaults", defaults))
    for rel, where, model in places:
        values = [("password", model.password)]
        for plugin_name, plugin in model.connection_options.items():
            values.append((f"connection_options.{plugin_name}.password", plugin.password))
            for extra in SECRET_EXTRAS:
                values.append((f"connection_options.{plugin_name}.extras.{extra}", plugin.extras.get(extra)))
        for field_name, value in values:
            if value is None:
                continue
            m = ENV_REF.match(str(value))
            if not m:
                issues.append(
                    InventoryIssue(rel, where, field_name, "must be an environment reference such as ${NETPATROL_PASSWORD}, not plain text")
                )
                continue
            declare_secret_vars([m.group(1)])  # kept out of git and hook environments
            if need_set and m.group(1) not in os.environ:
                issues.append(
                    InventoryIssue(rel, where, field_name, f"refers to ${{{m.group(1)}}}, which is not set in the environment")
                )
