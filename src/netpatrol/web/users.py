"""The web users: `.netpatrol/users.yaml` (0600) holding names, roles, argon2 password hashes and
hashes of API tokens; never a password or a token in clear.

(Interface landed by the lead; the auth work fills it in.)
"""

from __future__ import annotations

from typing import Literal

from argon2 import PasswordHasher
from pydantic import BaseModel, ConfigDict, Field

from netpatrol.workspace.settings import Workspace

HASHER = PasswordHasher()  # argon2id with the library's current parameters


class TokenRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str  # shown by `user list`; the token's first characters
    hash: str  # sha256 of the token (a token is 32 random bytes: no slow hash needed)
    created: str  # UTC ISO 8601


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    role: Literal["viewer", "admin"] = "viewer"
    password_hash: str  # argon2id
    tokens: list[TokenRecord] = Field(default_factory=list)


def load_users(ws: Workspace) -> dict[str, User]:
    """name -> User; {} when the file does not exist."""
    return {}
