"""The API's OpenAPI document read into what the /api/v1/docs page lists: each path and method,
its parameters and, per response, the fields of what it returns. Served as plain HTML because
Swagger UI loads its scripts from a CDN (no internet on these networks, and the CSP allows no script).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # path, query, header
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Reply:
    status: str
    description: str
    body: str  # "DeviceOut", "array of VersionOut", "" when none
    fields: list[Field] = field(default_factory=list)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    params: list[Param]
    replies: list[Reply]

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".lower().replace("/", "-").replace("{", "").replace("}", "")


def operations(doc: dict[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI 3 document, in the document's order."""
    schemas = doc.get("components", {}).get("schemas", {})
    found = []
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [Param(p["name"], p["in"], bool(p.get("required")), type_name(p.get("schema", {}), schemas),
                            p.get("description") or p.get("schema", {}).get("description", ""))
                      for p in op.get("parameters", [])]
            replies = []
            for status, reply in op.get("responses", {}).items():
                schema = reply.get("content", {}).get("application/json", {}).get("schema")
                replies.append(Reply(status, reply.get("description", ""),
                                     type_name(schema, schemas) if schema else "", _fields(schema, schemas)))
            found.append(Operation(method.upper(), path, op.get("summary", ""), op.get("description", ""),
                                   params, replies))
    return found


def type_name(schema: dict[str, Any], schemas: dict[str, Any]) -> str:
    """A schema as a reader says it: `string`, `integer | null`, `array of DeviceOut`, `object of integer`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(type_name(s, schemas) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_name(schema.get('items', {}), schemas)}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {type_name(schema['additionalProperties'], schemas)}"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _fields(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> list[Field]:
    """The properties of the object a response returns (of its items, for an array)."""
    if not schema:
        return []
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [Field(name, type_name(prop, schemas), name in required, prop.get("description", ""))
            for name, prop in schema.get("properties", {}).items()]
