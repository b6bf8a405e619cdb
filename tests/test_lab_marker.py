"""The `lab` and `corpus` markers stay true: a test that reaches the lab factory, starts a lab or
opens an SSH session without `lab` fails, whatever the code under test does with the error; so
does one reading the corpus without `corpus`."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")

TESTS = '''
import paramiko
import pytest

from conftest import corpus_dir
from netpatrol.lab import control


def test_factory_unmarked(make_lab):
    pass


def test_lab_up_unmarked_even_if_swallowed(tmp_path):
    try:
        control.up(tmp_path / "lab", [])
    except RuntimeError:
        pass


def test_ssh_unmarked_even_if_swallowed():
    try:
        paramiko.Transport.start_client(None)
    except RuntimeError:
        pass


@pytest.mark.lab
def test_factory_marked(make_lab):
    pass


def test_no_lab_at_all(tmp_path):
    pass


def test_corpus_unmarked():
    corpus_dir()


@pytest.mark.corpus
def test_corpus_marked():
    corpus_dir()
'''


def test_tests_reaching_the_lab_without_the_marker_fail(pytester: pytest.Pytester):
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_some=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider", "-rE")
    # Marked, or not near the lab: pass. The two that swallow the error pass, then fail at teardown.
    # The corpus is absent here: both corpus tests skip, the unmarked one then fails at teardown.
    result.assert_outcomes(passed=4, skipped=2, errors=4)
    for name, what in (("test_factory_unmarked", ""), ("test_lab_up_unmarked_even_if_swallowed", "lab up: "),
                       ("test_ssh_unmarked_even_if_swallowed", "SSH session: ")):
        result.stdout.fnmatch_lines([f"*{name}*{what}starts the lab or speaks SSH without @pytest.mark.lab*"])
    result.stdout.fnmatch_lines(["*test_corpus_unmarked*reads ../shared/corpus without @pytest.mark.corpus*"])
