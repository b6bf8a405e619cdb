"""`netpatrol user add|list|remove|token` and `.netpatrol/users.yaml`: real argon2, real files."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.errors import WorkspaceError
from netpatrol.web import users
from netpatrol.workspace.settings import Workspace

PASSWORD = "correct horse battery"


pytestmark = pytest.mark.usefixtures("quick_argon2")  # real argon2 at a test's cost (web_fixtures)


def run(ws: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["user", *args, "-w", str(ws)], input=stdin)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_add_from_stdin_stores_only_an_argon2_hash_in_a_private_file(sample_workspace: Path):
    res = run(sample_workspace, "add", "alice", "--role", "admin", stdin=f"{PASSWORD}\nignored second line\n")
    assert res.exit_code == 0, res.output
    path = sample_workspace / ".netpatrol" / "users.yaml"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "ignored" not in text
    found = users.load_users(Workspace(sample_workspace))
    assert found["alice"].role == "admin" and found["alice"].password_hash.startswith("$argon2id$")
    assert users.verify_password(found, "alice", PASSWORD) is found["alice"]
    assert users.verify_password(found, "alice", PASSWORD + "x") is None
    assert users.verify_password(found, "nobody", PASSWORD) is None


@pytest.mark.parametrize(("args", "stdin", "says"), [
    (["add", "bob"], "short\n", "shorter than 8"),
    (["add", "bob"], "\n", "empty"),
    (["add", "bad name"], f"{PASSWORD}\n", "letters, digits"),
    (["add", "bob", "--role", "root"], f"{PASSWORD}\n", "viewer or admin"),
])
def test_add_refuses_bad_input_and_writes_nothing(sample_workspace: Path, args, stdin, says):
    res = run(sample_workspace, *args, stdin=stdin)
    assert res.exit_code == 2 and says in res.output
    assert users.load_users(Workspace(sample_workspace)) == {}


def test_a_second_add_is_refused_unless_update(sample_workspace: Path):
    ws = Workspace(sample_workspace)
    assert run(sample_workspace, "add", "alice", stdin=f"{PASSWORD}\n").exit_code == 0
    res = run(sample_workspace, "add", "alice", stdin="other password\n")
    assert res.exit_code == 2 and "--update" in res.output
    assert users.verify_password(users.load_users(ws), "alice", PASSWORD)
    assert run(sample_workspace, "add", "alice", "--update", "--role", "admin", stdin="other password\n").exit_code == 0
    found = users.load_users(ws)
    assert found["alice"].role == "admin" and users.verify_password(found, "alice", "other password")


def test_list_token_revoke_and_remove(sample_workspace: Path):
    ws = Workspace(sample_workspace)
    run(sample_workspace, "add", "alice", stdin=f"{PASSWORD}\n")
    res = run(sample_workspace, "token", "alice")
    assert res.exit_code == 0
    token = res.stdout.strip().splitlines()[-1]
    assert token.startswith("np_") and len(token) == 46
    text = (sample_workspace / ".netpatrol" / "users.yaml").read_text(encoding="utf-8")
    assert token not in text and token[3:] not in text
    assert hashlib.sha256(token.encode()).hexdigest() in text
    assert users.verify_token(users.load_users(ws), token).name == "alice"
    assert users.verify_token(users.load_users(ws), token[:-1] + ("A" if token[-1] != "A" else "B")) is None

    listed = json.loads(run(sample_workspace, "list", "--json").stdout)
    assert listed == [{"name": "alice", "role": "viewer", "tokens": [{"id": token[3:11], "created": listed[0]["tokens"][0]["created"]}]}]
    assert "alice" in run(sample_workspace, "list").stdout

    assert run(sample_workspace, "token", "alice", "--revoke", "nope").exit_code == 2
    assert run(sample_workspace, "token", "alice", "--revoke", token[3:11]).exit_code == 0
    assert users.verify_token(users.load_users(ws), token) is None

    assert run(sample_workspace, "remove", "alice").exit_code == 0
    assert users.load_users(ws) == {}
    res = run(sample_workspace, "remove", "alice")
    assert res.exit_code == 2 and "no user 'alice'" in res.output
    assert run(sample_workspace, "token", "ghost").exit_code == 2


@pytest.mark.parametrize(("text", "says"), [
    ("users:\n- name: alice\n  password_hash: hunter22\n", "field 'users.0.password_hash'"),
    ("users:\n- name: alice\n  password_hash: $argon2id$x\n  colour: red\n", "field 'users.0.colour'"),
    ("users:\n- name: alice\n  role: root\n  password_hash: $argon2id$x\n", "field 'users.0.role'"),
    ("users:\n- name: alice\n  password_hash: $argon2id$x\n  tokens: [{id: a, hash: np_abc, created: x}]\n",
     "field 'users.0.tokens.0.hash'"),
    ("users:\n- name: a\n  password_hash: $argon2id$x\n- name: a\n  password_hash: $argon2id$y\n",
     "field 'users.1.name'"),
    ("users: [\n", "line"),
])
def test_a_damaged_file_is_named_with_its_field(sample_workspace: Path, text: str, says: str):
    path = sample_workspace / ".netpatrol" / "users.yaml"
    path.parent.mkdir(mode=0o700)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(WorkspaceError) as caught:
        users.load_users(Workspace(sample_workspace))
    assert ".netpatrol/users.yaml" in str(caught.value) and says in str(caught.value)
    res = run(sample_workspace, "list")
    assert res.exit_code == 2 and ".netpatrol/users.yaml" in res.output


def test_a_file_others_can_read_is_refused(sample_workspace: Path):
    run(sample_workspace, "add", "alice", stdin=f"{PASSWORD}\n")
    path = sample_workspace / ".netpatrol" / "users.yaml"
    path.chmod(0o644)
    res = run(sample_workspace, "list")
    assert res.exit_code == 2 and "chmod 600" in res.output
