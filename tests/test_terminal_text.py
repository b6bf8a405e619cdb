"""Text a command prints that it did not write itself (paths, names, error messages) is never read
as rich markup: a directory or client name holding `[/x]` is printed, not a MarkupError traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from netpatrol.cli import root as cli

runner = CliRunner()


def test_init_prints_a_path_that_looks_like_markup(tmp_path):
    target = tmp_path / "ws[/x][link=http://evil.example/]"
    res = runner.invoke(cli.app, ["init", str(target)])
    assert res.exit_code == 0 and res.exception is None, res.output
    assert f"Created workspace {target}" in res.output.replace("\n", "")
    assert (target / "netpatrol.yaml").is_file()


def test_an_error_quoting_markup_is_one_clear_line(tmp_path):
    missing = tmp_path / "no-such[/x]"
    res = runner.invoke(cli.app, ["inventory", "check", "-w", str(missing)])
    assert res.exit_code == 2, (res.output, res.exception)
    assert "error:" in res.output and "no-such[/x]" in res.output.replace("\n", "")
