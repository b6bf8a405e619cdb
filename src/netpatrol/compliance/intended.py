"""Intended configurations: Jinja2 templates in the workspace's `intended/` rendered per device.

`intended/hosts/<host>.j2` applies to one device, else `intended/<platform>.j2` to every device of
that platform, else nothing is compared. A template renders the whole config or fragments: a
top-level `{% set scope = ["^ntp ", "^snmp-server location"] %}` declares the top-level lines it
owns (regexes), and only those are compared; without it the whole config is.

A workspace template is code from whoever handed over the workspace: it runs in Jinja's immutable
sandbox, reads only files under `intended/` (includes such as `fragments/ntp.j2`; no symlink out),
and sees the inventory's data and a few settings, never a password or any other secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import jinja2.nodes
import jinja2.sandbox

from netpatrol.errors import TemplateError
from netpatrol.sandbox import BoundedSandbox
from netpatrol.workspace.inventory import Inventory, ResolvedHost, load_inventory
from netpatrol.workspace.settings import Workspace

HOSTS_DIR = "hosts"
SCOPE_VAR = "scope"
_UNDEFINED = (re.compile(r"^'(?P<name>[^']+)' is undefined$"),
              re.compile(r"has no attribute '(?P<name>[^']+)'$"),
              re.compile(r"has no element (?P<name>.+)$"))


@dataclass(frozen=True)
class Intended:
    """One device's intended config: `scope` None means the whole config is compared."""

    text: str
    scope: list[str] | None
    template: Path


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Jinja already refuses `..` in names; this also refuses a symlink leading out of `intended/`."""

    def __init__(self, root: Path):
        super().__init__(str(root))
        self.root = root.resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise jinja2.TemplateNotFound(f"{template} (it leads outside intended/)")
        return source, filename, uptodate


def environment(root: Path) -> jinja2.Environment:
    return BoundedSandbox(
        loader=_ConfinedLoader(root),
        autoescape=False,  # config text, not HTML
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_for(root: Path, host: ResolvedHost) -> Path | None:
    """The template that applies to `host`: its own, else its platform's, else None."""
    for candidate in (root / HOSTS_DIR / f"{host.name}.j2", root / f"{host.platform}.j2"):
        if candidate.is_file():
            return candidate
    return None


def _merged_data(inv: Inventory, host: ResolvedHost) -> dict[str, Any]:
    """defaults < groups (farthest parent first) < host; `custom` merged key by key. The site
    archive and the inspection scope are left out (the site is its own variable)."""
    layers = [inv.defaults.data] + [inv.groups[g].data for g in reversed(inv.ancestry(host.groups))] + [host.data]
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for layer in layers:
        dumped = layer.model_dump(mode="json", exclude_none=True, exclude={"site", "inspection", "custom"})
        data.update({k: v for k, v in dumped.items() if v not in ([], {})})
        custom.update(layer.custom)
    data["custom"] = custom
    return data


class Renderer:
    """Renders the intended configs of one workspace (the environment and inventory read once)."""

    def __init__(self, ws: Workspace, inventory: Inventory | None = None):
        self.ws = ws
        self.root = ws.intended_dir
        self._inventory = inventory

    @cached_property
    def inventory(self) -> Inventory:
        return self._inventory if self._inventory is not None else load_inventory(self.ws.root, need_secrets=False)

    @cached_property
    def env(self) -> jinja2.Environment:
        return environment(self.root)

    @cached_property
    def settings(self) -> dict[str, Any]:
        s = self.ws.settings
        return {"client": s.client, "provider": s.provider, "language": s.language, "timezone": s.timezone}

    def context(self, host: ResolvedHost) -> dict[str, Any]:
        """What a template sees: built from public fields only (ResolvedHost keeps secrets apart,
        connection options are left out: they hold key files and jump hosts, not config)."""
        site_group = self.inventory.groups.get(host.site)
        site: dict[str, Any] = {"group": host.site, "custom": dict(site_group.data.custom) if site_group else {}}
        if host.site_archive is not None:
            site.update(host.site_archive.model_dump(mode="json", exclude_none=True))
        return {
            "host": {"name": host.name, "platform": host.platform, "hostname": host.hostname,
                     "address": host.hostname, "site": host.site, "groups": list(host.groups),
                     "role": host.role, "data": _merged_data(self.inventory, host)},
            "site": site,
            "settings": self.settings,
        }

    def render(self, host: ResolvedHost) -> Intended | None:
        path = template_for(self.root, host)
        if path is None:
            return None
        name = path.relative_to(self.root).as_posix()
        try:
            template = self.env.get_template(name)
            try:
                module = template.make_module(self.context(host))
            except Exception:  # noqa: BLE001 - re-raised with the template's own file and line (as render() does)
                self.env.handle_exception()
            text = str(module)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{self.rel(exc.filename)}: line {exc.lineno}: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"{self.rel(path)}: includes {exc.name!r}, which is not a file under intended/ "
                                f"(rendering for host {host.name})") from None
        except jinja2.UndefinedError as exc:
            where, line = self._frame(exc, path)
            raise TemplateError(f"{where}: line {line}: undefined variable {_undefined_name(exc)!r} "
                                f"({exc.message}) rendering for host {host.name}") from None
        except jinja2.sandbox.SecurityError as exc:
            where, line = self._frame(exc, path)
            raise TemplateError(f"{where}: line {line}: unsafe: {_one_line(exc)} (templates run sandboxed) "
                                f"rendering for host {host.name}") from None
        except Exception as exc:  # noqa: BLE001 - a workspace template may fail in any way Python can
            where, line = self._frame(exc, path)
            raise TemplateError(f"{where}: line {line}: {type(exc).__name__}: {_one_line(exc)} "
                                f"rendering for host {host.name}") from None
        return Intended(text=text, scope=self._scope(getattr(module, SCOPE_VAR, None), path), template=path)

    def _scope(self, value: object, path: Path) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) and v for v in value):
            raise TemplateError(f"{self.rel(path)}: line {self._scope_line(path)}: field '{SCOPE_VAR}': must be a non-empty list of "
                                "regexes of the top-level lines this template owns, e.g. [\"^ntp \", \"^snmp-server location\"]")
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise TemplateError(f"{self.rel(path)}: line {self._scope_line(path)}: field '{SCOPE_VAR}': bad regex "
                                    f"{pattern!r}: {exc}") from None
        return list(value)

    def _scope_line(self, path: Path) -> int | str:
        ast = self.env.parse(path.read_text(encoding="utf-8"))
        for node in ast.find_all(jinja2.nodes.Assign):
            if isinstance(node.target, jinja2.nodes.Name) and node.target.name == SCOPE_VAR:
                return node.lineno
        return "?"

    def rel(self, filename: str | Path | None) -> str:
        if filename is None:
            return "intended/"
        try:
            return (Path("intended") / Path(filename).resolve().relative_to(self.root.resolve())).as_posix()
        except ValueError:
            return str(filename)

    def _frame(self, exc: BaseException, fallback: Path) -> tuple[str, int | str]:
        """The innermost template file and line being rendered when `exc` was raised (Jinja maps
        its frames to the template's file and line, includes too)."""
        found: tuple[str, int | str] = (self.rel(fallback), "?")
        root = str(self.root.resolve())
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith(".j2") and str(Path(filename).resolve()).startswith(root):
                found = (self.rel(filename), tb.tb_lineno)
            tb = tb.tb_next
        return found


def render_intended(ws: Workspace, host: ResolvedHost, inventory: Inventory | None = None) -> Intended | None:
    """The intended config of `host`; None when no template applies. Errors: TemplateError naming
    the template, line and (undefined) variable, and the host it was rendered for."""
    return Renderer(ws, inventory).render(host)


def template_problems(ws: Workspace, inventory: Inventory) -> list[str]:
    """`inventory check`: every template under intended/ parses, every file at its top names a
    platform, every file under hosts/ an inventory host, and each renders for every device it
    applies to (the first failure per template, naming the host)."""
    from netpatrol.platforms import PLATFORMS, canonical_platform, unknown_platform

    root = ws.intended_dir
    if not root.is_dir():
        return []
    renderer = Renderer(ws, inventory)
    problems: list[str] = []
    for path in sorted(root.rglob("*.j2")):
        rel = renderer.rel(path)
        try:
            renderer.env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"{rel}: line {exc.lineno}: {exc.message}")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{rel}: cannot be read as UTF-8 text: {_one_line(exc)}")
        if path.parent == root and path.stem not in PLATFORMS:
            # An alias is not taken as a file name: the file is looked up by the host's folder name,
            # and an alias's file beside the folder name's would leave two templates for one platform.
            canonical = canonical_platform(path.stem)
            problems.append(f"{rel}: '{path.stem}' is an alias of {canonical}: name the file {canonical}.j2" if canonical else
                            f"{rel}: {unknown_platform(path.stem)}; "
                            "shared parts belong in a folder such as intended/fragments/")
        elif path.parent == root / HOSTS_DIR and path.stem not in inventory.hosts:
            problems.append(f"{rel}: no host '{path.stem}' in the inventory")
    if problems:
        return problems
    failed: set[Path] = set()
    for host in inventory.hosts.values():
        applies = template_for(root, host)
        if applies is None or applies in failed:
            continue
        try:
            renderer.render(host)
        except TemplateError as exc:
            failed.add(applies)
            problems.append(str(exc))
    return problems


def _undefined_name(exc: jinja2.UndefinedError) -> str:
    for pattern in _UNDEFINED:
        m = pattern.search(exc.message or "")
        if m:
            return m.group("name")
    return "?"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]
