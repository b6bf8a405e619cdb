"""Job definitions (what a job collects per platform): built-in defaults, replaced per workspace.

A built-in job is its file in jobs/ (name, checks, config collection) plus, per platform, the
entries under the job's name in that platform folder's inspection.yaml. A workspace's
tasks/<job>.yaml holds the whole job, `platforms:` included, and replaces the built-in one, or
names a built-in job in `extends:` and adds or replaces items of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netpatrol import safe_yaml
from netpatrol.errors import InventoryIssue, WorkspaceError, invalid_file
from netpatrol.platforms import PLATFORMS, load_part

_BUILTIN = Path(__file__).with_name("jobs")
CATALOGUE_FILE = "inspection.yaml"


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
    """Every command of `job` its platform's read-only policy (platform.yaml `read_only` of each platform folder) refuses."""
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


def builtin_entries(name: str) -> dict[str, object]:
    """Platform -> item -> commands of built-in job `name`, from every platform's inspection.yaml."""
    entries = {}
    for platform in PLATFORMS:
        catalogue = load_part(platform, CATALOGUE_FILE) or {}
        if isinstance(catalogue, dict) and name in catalogue:
            entries[platform] = catalogue[name]
    return entries


def _read_job(path: Path, label: str, builtin: bool) -> Job:
    raw = safe_yaml.load_file(path, label)
    if builtin and isinstance(raw, dict):
        raw = {**raw, "platforms": builtin_entries(path.stem)}
    try:
        return Job.model_validate(raw)
    except ValidationError as exc:
        raise WorkspaceError(invalid_file(label, exc)) from None


def _extended(job: Job, label: str) -> Job:
    """`job` laid over the built-in job it names in `extends`."""
    known = sorted(p.stem for p in _BUILTIN.glob("*.yaml"))
    if job.extends not in known:
        raise WorkspaceError(f"{label}: field 'extends': no built-in job {job.extends!r} (built-in: {', '.join(known)})")
    base = _read_job(_BUILTIN / f"{job.extends}.yaml", f"built-in {job.extends}.yaml", builtin=True)
    platforms = {platform: dict(items) for platform, items in base.platforms.items()}
    for platform, items in job.platforms.items():
        platforms.setdefault(platform, {}).update(items)
    own: dict[str, Any] = {f: getattr(job, f) for f in ("description", "check_packs", "collect_config") if f in job.model_fields_set}
    return base.model_copy(update={"name": job.name, "extends": job.extends, "platforms": platforms, **own})


def load_job(root: Path | None, name: str) -> Job:
    path, own = job_path(root, name)
    label = str(path.relative_to(root)) if root and path.is_relative_to(root) else f"built-in {path.name}"
    try:
        job = _read_job(path, label, builtin=not own)
    except FileNotFoundError:
        raise WorkspaceError(f"job '{name}' not found (looked for tasks/{name}.yaml)") from None
    if job.extends:
        job = _extended(job, label)
    # Checked on every load, so `inventory check` reports it and `inspect` refuses before connecting.
    if own:
        issues = read_only_issues(job, label)
    else:  # a refused built-in command is named in its platform's inspection.yaml
        issues = [issue for platform, items in job.platforms.items()
                  for issue in read_only_issues(job.model_copy(update={"platforms": {platform: items}}),
                                                str(PLATFORMS[platform].folder / CATALOGUE_FILE))]
    if issues:
        raise NotReadOnly(issues, job)
    return job
