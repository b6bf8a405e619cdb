"""netpatrol.yaml `zones:` and `distributed:`: the network zones and the broker their workers share.

A zone is a part of the network only its own collector can reach. Devices name theirs with
`data.zone` (host or group; default `local`, this machine). Every other zone is declared here and
served by `netpatrol worker --zone NAME` processes that consume the zone's queue on the broker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from netpatrol.childenv import declare_secret_vars

LOCAL_ZONE = "local"
ZONE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
QUEUE_PREFIX = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_ENV_IN_TEXT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_zone_name(value: str) -> str:
    """A zone name: lower-case letters, digits, `-` and `_` (it becomes a queue and a worker name)."""
    if not ZONE_NAME.match(value):
        raise ValueError(f"{value[:70]!r} is not a zone name: lower-case letters, digits, '-' and '_', "
                         "starting with a letter or digit, at most 63 characters")
    return value


def _mapping(value: Any, what: str, example: str) -> Any:
    # pydantic's own words ("Input should be a valid dictionary or instance of ...") name a class, not the fix.
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"{what} must be a mapping, e.g. {example}; got {type(value).__name__} {str(value)[:60]!r}")
    return value


class ZoneSettings(_Strict):
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_fine(cls, value: Any) -> Any:
        # `county-a:` with nothing under it is YAML null: a zone declared without a description.
        return {} if value is None else _mapping(value, "a zone", "{description: County A site network}")


# Celery transports the zones are built and tested for (zones/app.py): Redis, and RabbitMQ as a broker.
BROKER_SCHEMES = ("redis", "rediss", "sentinel", "amqp", "amqps", "pyamqp")
BACKEND_SCHEMES = ("redis", "rediss", "sentinel")
# redis-py's TLS options (kombu and Celery's Redis backend pass `ssl:` through to it).
REDIS_SSL_KEYS = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_ca_path", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname")


class DistributedSettings(_Strict):
    """Where zone workers and the central run meet: a Celery broker and result backend."""

    broker: str = Field(description="e.g. redis://:${NETPATROL_BROKER_PASSWORD}@10.0.0.5:6379/0 (rediss:// for TLS)")
    result_backend: str | None = Field(None, description="default: the broker URL")
    # Passed through to Celery (broker_use_ssl / redis_backend_use_ssl): ssl_cert_reqs, ssl_ca_certs,
    # ssl_certfile, ssl_keyfile.
    ssl: dict[str, Any] | None = None
    queue_prefix: str = Field("netpatrol", description="queues are PREFIX.ZONE; two workspaces sharing a broker need different prefixes")
    batch_size: int = Field(10, ge=1, le=500, strict=True, description="devices per task message")
    visibility_timeout: float = Field(
        600, gt=0, le=86400,
        description="seconds after which a task taken by a worker that died is delivered again; "
                    "longer than a batch ever takes")
    # At least 1 s: a zone is given up only after a whole inspect round (1 s) saw no worker in it.
    no_worker_wait: float = Field(30, ge=1, le=3600,
                                  description="seconds a zone may have no live worker before its devices end as no_collector")
    batch_time_limit: float = Field(
        300, gt=0, le=86400,
        description="seconds a batch may run on a worker before it is killed and its devices end as timeout; "
                    "shorter than visibility_timeout")
    connect_timeout: float = Field(5, gt=0, le=120, description="seconds to reach the broker before the run stops (exit 2)")

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, value: Any) -> Any:
        return _mapping(value, "distributed", "{broker: 'redis://:${NETPATROL_BROKER_PASSWORD}@10.0.0.5:6379/0'}")

    @model_validator(mode="after")
    def _limit_within_visibility(self) -> DistributedSettings:
        # A batch still running at visibility_timeout is delivered again, to a second worker, and again.
        if self.batch_time_limit >= self.visibility_timeout:
            raise ValueError(f"distributed.batch_time_limit ({self.batch_time_limit:g} s) must be shorter than "
                             f"distributed.visibility_timeout ({self.visibility_timeout:g} s)")
        return self

    @field_validator("broker", "result_backend")
    @classmethod
    def _url_references(cls, value: str | None, info: ValidationInfo) -> str | None:
        # The broker password goes in as ${ENV}: kept out of netpatrol.yaml, git and hook environments.
        if value is not None:
            schemes = BROKER_SCHEMES if info.field_name == "broker" else BACKEND_SCHEMES
            scheme, sep, _ = value.partition("://")
            if not sep or scheme.lower() not in schemes:
                raise ValueError(f"{masked_url(value)!r} is not a {' / '.join(s + '://' for s in schemes)} URL")
            declare_secret_vars(_ENV_IN_TEXT.findall(value))
        return value

    @field_validator("queue_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        # Checked here rather than by Field(pattern=): pydantic's words would show the regex, not the rule.
        if not QUEUE_PREFIX.fullmatch(value):
            raise ValueError(f"{value[:60]!r} is not a queue prefix: 1-40 letters, digits, '_', '.' or '-'")
        return value

    @field_validator("ssl")
    @classmethod
    def _ssl_options(cls, value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        # A misspelt TLS option would reach redis-py as an unexpected keyword at the first connection.
        redis = str(info.data.get("broker", "")).partition("://")[0].lower() in BACKEND_SCHEMES
        unknown = sorted(k for k in value or {} if k not in REDIS_SSL_KEYS) if redis else []
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(map(repr, unknown))} for a Redis broker "
                             f"(known: {', '.join(REDIS_SSL_KEYS)})")
        return value


# Between the URLs of a multi-host broker (`sentinel://:pw@a:26379;sentinel://:pw@b:26379`); a `;`
# inside a password is no separator.
_PART_SEP = re.compile(r";(?=[A-Za-z][A-Za-z0-9+.-]*://)")
# What a password shows as: Celery's own log lines mask URLs the same way.
MASK = "**"


def masked_url(url: str) -> str:
    """`url` with every password of `scheme://user:password@host` replaced by `**` (a `${ENV}` reference
    stays); never raises. Multi-host URLs (`sentinel://:pw@a;sentinel://:pw@b`) are masked part by part,
    and a password holding `/`, `#`, `?`, `@` or `:` counts up to the last `@` of its part."""
    return ";".join(_masked_part(part) for part in _PART_SEP.split(str(url)))


def _masked_part(part: str) -> str:
    scheme, sep, rest = part.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0:
        return part
    user, colon, password = rest[:at].partition(":")
    if not colon:
        return part
    shown = password if _ENV_IN_TEXT.fullmatch(password) else MASK
    return f"{scheme}://{user}:{shown}{rest[at:]}"


# A URL inside a sentence ends at white space or a quote/bracket around it.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()\[\]]+")


def masked_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` (an error message, a URL) with each of `secrets` (and its %-encoded form) replaced by `**`
    wherever it appears, then every URL in it masked (masked_url); never raises."""
    out = str(text)
    forms = {f for s in secrets if s for f in (s, quote(s, safe=""), quote(s))}
    for form in sorted(forms, key=len, reverse=True):
        out = out.replace(form, MASK)
    return _URL_IN_TEXT.sub(lambda m: masked_url(m.group(0)), out)


def url_secrets(url: str) -> list[str]:
    """The passwords written in `url` (each part of a multi-host URL), as written and %-decoded."""
    found: list[str] = []
    for part in _PART_SEP.split(str(url)):
        _, sep, rest = part.partition("://")
        _user, colon, password = rest[:max(rest.rfind("@"), 0)].partition(":")
        if sep and colon and password and not _ENV_IN_TEXT.fullmatch(password):
            found += [password, unquote(password)]
    return found


def resolved_url(url: str, field: str) -> str:
    """`url` with its `${ENV}` references filled in; RuntimeError naming the field and variable when unset."""
    import os

    def value(m: re.Match) -> str:
        var = m.group(1)
        if var not in os.environ:
            raise RuntimeError(f"netpatrol.yaml distributed.{field} refers to ${{{var}}}, which is not set in the environment")
        # A password (before its part's `@`) is %-encoded: a base64 password's `/`, `+` or `=`, or a
        # `#`, `?`, `@`, would otherwise end the password and turn the rest into a host or path.
        # kombu and redis-py decode it again.
        at = url.find("@", m.end())
        in_userinfo = at >= 0 and at < _part_end(url, m.end())
        return quote(os.environ[var], safe="") if in_userinfo else os.environ[var]

    return _ENV_IN_TEXT.sub(value, url)


def _part_end(url: str, pos: int) -> int:
    end = _PART_SEP.search(url, pos)
    return len(url) if end is None else end.start()
