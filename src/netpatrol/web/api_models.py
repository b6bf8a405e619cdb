"""What the JSON API answers: one pydantic model per object, which is also what its OpenAPI
document describes (the response schemas of /api/v1/openapi.json and the /api/v1/docs page).

Every device-supplied string is a JSON string here, never markup: the API's content type is
application/json, and the models do not interpret text.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from netpatrol.inspection.results import Facts


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class ErrorOut(_Out):
    detail: str = Field(description="What went wrong, in English.")


class DeviceOut(_Out):
    name: str
    site: str
    platform: str
    address: str = Field(description="The inventory's hostname or IP address of the device.")
    status: str = Field(description="ok, problems (open problems), failed (last backup or inspection failed), never")
    last_backup: datetime | None = Field(description="The last successful backup, UTC (ISO 8601); null: none recorded.")
    last_inspection: str | None = Field(description="The period of the device's newest inspection result (e.g. 2026Q3).")
    open_problems: dict[str, int] = Field(description="Severity -> problems in that inspection result.")


class RepairOut(_Out):
    date: date
    action: str
    part: str | None = None
    ticket: str | None = None
    note: str | None = None


class FactsOut(Facts):
    """The stored facts (inspection.results.Facts, every field) and the inspection that read them."""

    period: str = Field(description="The inspection period the facts were collected in.")
    collected_at: str


class InspectionOut(_Out):
    period: str
    status: str = Field(description="ok, unreachable, auth_failed, timeout, hostkey_changed, error, not_inspected, no_collector")
    collected_at: str
    error: str | None
    problems: dict[str, int] = Field(description="Severity -> problems in this period.")


class ComplianceOut(_Out):
    period: str
    evaluated_at: str
    counts: dict[str, int] = Field(description="Rule status (pass, fail, unknown, not_applicable ...) -> rules.")
    failing: list[str] = Field(description="The rules the device fails, as pack/rule.")


class DeviceDetail(DeviceOut):
    groups: list[str]
    role: str | None
    model: str | None = Field(description="Archive field from the inventory (not what the device reports: see facts).")
    serial: str | None
    os_version: str | None
    purchase_date: date | None
    warranty_until: date | None
    maintainer: str | None
    location: str | None
    notes: str | None
    repairs: list[RepairOut]
    facts: FactsOut | None = Field(description="What the newest inspection that reached the device reported.")
    inspections: list[InspectionOut] = Field(description="The device's result in each inspected period, newest first.")
    compliance: ComplianceOut | None = Field(description="The newest baseline compliance record, if any.")


class VersionOut(_Out):
    commit: str
    date: datetime = Field(description="Committer date, UTC.")
    author: str
    message: str = Field(description="The commit's subject line.")
    reason: str | None = Field(description="A backup's --reason, when one was given.")
    added: int = Field(description="Lines added to the device's config by this commit.")
    removed: int


class ConfigOut(_Out):
    name: str
    commit: str
    path: str = Field(description="The config's path in the store (configs/<site>/<host>.cfg).")
    config: str = Field(description="The sanitised config as stored.")


class DiffOut(_Out):
    name: str
    from_: str = Field(alias="from", description="The commit the diff starts from.")
    to: str
    diff: str = Field(description="Unified diff text; empty when the two are the same.")
    added: int
    removed: int


class SearchHitOut(_Out):
    """One matching line: the fields of `netpatrol search --json`."""

    host: str
    site: str
    platform: str
    line_no: int = Field(description="1-based line number in the stored config.")
    line: str


class PeriodDeviceOut(_Out):
    name: str
    site: str
    platform: str
    status: str
    problems: dict[str, int]


class PeriodBrief(_Out):
    period: str
    previous: str | None = Field(description="The inspected period before this one.")
    by_severity: dict[str, int] = Field(description="Problems per severity, over all devices.")
    status: dict[str, int] = Field(description="Result status -> devices.")


class PeriodOut(PeriodBrief):
    previous_by_severity: dict[str, int] | None
    by_site: dict[str, dict[str, int]] = Field(description="Site -> severity -> problems.")
    new: int = Field(description="Problems new since the previous period.")
    resolved: int = Field(description="Problems of the previous period gone in this one.")
    devices: list[PeriodDeviceOut]
