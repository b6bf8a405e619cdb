"""Job definitions (what a job collects per platform): built-in defaults, replaced per workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netpatrol import safe_yaml
from netpatrol.errors import InventoryIssue, WorkspaceError
from netpatrol.platforms import PLATFORMS

_BUILTIN = Path(__file__).with_name("jobs")


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    # A built-in job this one adds items to (or replaces items of, by name, per platform);
    # description, check_packs and collect_config come from it unless given here.
    extends: str | None = None
    description: str = ""
    check_packs: list[str] = Field(default_factory=list)
    collect_config: bool = True
    # platform -> item -> command alternatives (first accepted wins)
    platforms: dict[str, dict[str, list[str]]]

    @field_validator("platforms")
    @classmethod
    def _known(cls, v: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
        for platform, items in v.items():
            if platform not in PLATFORMS:
                raise ValueError(f"unknown platform '{platform}' (known: {', '.join(sorted(PLATFORMS))})")
            for item, alternatives in items.items():
                if not alternatives or not all(isinstance(a, str) and a.strip() for a in alternatives):
                    raise ValueError(f"{platform}.{item}: give at least one non-empty command")
        return v


class NotReadOnly(WorkspaceError):
    """Job commands that would change a device; each issue names file, platform, item and command."""

    def __init__(self, issues: list[InventoryIssue], job: Job):
        self.issues, self.job = issues, job
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(f"{len(issues)} job command(s) refused: job files may only send read-only commands:\n{lines}")


def read_only_issues(job: Job, label: str) -> list[InventoryIssue]:
    """Every command of `job` its platform's read-only policy (platforms/*.yaml `read_only`) refuses."""
    issues = []
    for platform, items in job.platforms.items():
        policy = PLATFORMS[platform].read_only
        for item, alternatives in items.items():
            for command in alternatives:
                reason = policy.refusal(command)
                if reason:
                    issues.append(InventoryIssue(label, f"platform {platform}, item '{item}'", "command",
                                                 f"{command!r} refused: {reason}"))
    return issues


def job_path(root: Path | None, name: str) -> tuple[Path, bool]:
    """The workspace's tasks/<name>.yaml when present, else the built-in one."""
    if root is not None:
        own = root / "tasks" / f"{name}.yaml"
        if own.exists():
            return own, True
    return _BUILTIN / f"{name}.yaml", False


def _read_job(path: Path, label: str) -> Job:
    raw = safe_yaml.load_file(path, label)
    try:
        return Job.model_validate(raw)
    except ValidationError as exc:
        lines = [f"  - {label}: field '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()]
        raise WorkspaceError(f"{label} is invalid:\n" + "\n".join(lines)) from None


def _extended(job: Job, label: str) -> Job:
    """`job` laid over the built-in job it names in `extends`."""
    known = sorted(p.stem for p in _BUILTIN.glob("*.yaml"))
    if job.extends not in known:
        raise WorkspaceError(f"{label}: field 'extends': no built-in job {job.extends!r} (built-in: {', '.join(known)})")
    base = _read_job(_BUILTIN / f"{job.extends}.yaml", f"built-in {job.extends}.yaml")
    platforms = {platform: dict(items) for platform, items in base.platforms.items()}
    for platform, items in job.platforms.items():
        platforms.setdefault(platform, {}).update(items)
    own: dict[str, Any] = {f: getattr(job, f) for f in ("description", "check_packs", "collect_config") if f in job.model_fields_set}
    return base.model_copy(update={"name": job.name, "extends": job.extends, "platforms": platforms, **own})


def load_job(root: Path | None, name: str) -> Job:
    path, _ = job_path(root, name)
    label = str(path.relative_to(root)) if root and path.is_relative_to(root) else f"built-in {path.name}"
    try:
        job = _read_job(path, label)
    except FileNotFoundError:
        raise WorkspaceError(f"job '{name}' not found (looked for tasks/{name}.yaml)") from None
    if job.extends:
        job = _extended(job, label)
    # Checked on every load, so `inventory check` reports it and `inspect` refuses before connecting.
    issues = read_only_issues(job, label)
    if issues:
        raise NotReadOnly(issues, job)
    return job
