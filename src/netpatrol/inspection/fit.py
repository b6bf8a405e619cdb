"""How well one TextFSM template accounts for one output: which lines its specific rules matched.

One command has several layouts across families (a Huawei S switch, an AR router and an NE router
print `display fan` three ways), so a command has several candidate templates and the one that
explains the output wins. A line is explained when a rule with a specific regex matched it: a
regex holding a value (`${FAN}`) or a literal letter or digit. Catch-alls (`^.*`, `^\\s*$$`,
`^-+`) match anything and so explain nothing. Lines without a letter or digit (blank lines,
separators) and the command echo or a prompt carry no content and need no explaining.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import textfsm

# A prompt alone on a line: <HUAWEI>, [H3C], Switch#, router> (left over when output is captured by hand).
_PROMPT = re.compile(r"^\s*(?:<[^<>\s]+>|\[[^\[\]\s]+\]|[\w.\-/:@()]+[#>$%]|\{\w+(?::\w+)?\})\s*$")
# A prompt followed by what was typed (possibly abbreviated: `router1# sh ip ospf nei`, `<HW>dis fan`).
_PROMPTED = re.compile(r"^\s*(?:<[^<>\s]+>|\[[^\[\]\s]+\]|[\w.\-/:@()]+[#>])\s*(\S+)")
_CONTENT = re.compile(r"[A-Za-z0-9]")
_VALUE_REF = re.compile(r"\$\{?\w")
_ESCAPE = re.compile(r"\\.")


class Output:
    """One output's lines, and which of them need explaining. Decided lazily, per line: most lines
    are explained by some rule and never need the test (it would cost as much as the parse)."""

    def __init__(self, text: str, command: str) -> None:
        self.lines = text.splitlines()
        self._echo = " ".join(command.split())
        self._significant: dict[int, bool] = {}

    def significant(self, i: int) -> bool:
        known = self._significant.get(i)
        if known is None:
            known = self._significant[i] = _needs_explaining(self.lines[i], self._echo)
        return known

    def unexplained(self, explained: set[int]) -> list[int]:
        return [i for i in range(len(self.lines)) if i not in explained and self.significant(i)]


def _needs_explaining(line: str, echo: str) -> bool:
    if not _CONTENT.search(line):
        return False
    if ("<" in line or "[" in line or "{" in line or "#" in line or ">" in line) and _is_prompt(line, echo):
        return False
    return not (echo and line.endswith(echo[-3:]) and _is_echo(line, echo))


def significant_lines(text: str, command: str) -> list[int]:
    """Indexes (into text.splitlines()) of the lines a template should account for."""
    output = Output(text, command)
    return [i for i in range(len(output.lines)) if output.significant(i)]


def _is_prompt(line: str, echo: str) -> bool:
    if _PROMPT.match(line):
        return True
    typed = _PROMPTED.match(line)
    return bool(typed and echo.startswith(typed.group(1)))


def _is_echo(line: str, echo: str) -> bool:
    flat = " ".join(line.split())
    return flat.endswith(echo) and " " not in flat[: -len(echo)].strip()


def rule_is_specific(rule: textfsm.TextFSMRule) -> bool:
    if rule.record_op == "Error" or rule.line_op == "Error":
        return False
    pattern = rule.match.replace("$$", "")
    if _VALUE_REF.search(pattern):
        return True
    return bool(_CONTENT.search(_ESCAPE.sub("", pattern)))


class FitFSM(textfsm.TextFSM):
    """TextFSM that records which input lines a specific rule matched."""

    def __init__(self, template) -> None:  # textfsm is untyped
        super().__init__(template)
        for state in self.states.values():
            for rule in state:
                rule.np_specific = rule_is_specific(rule)
        self.explained: set[int] = set()
        self.lines_seen = 0
        self._line = -1

    def reset(self) -> None:
        self.Reset()
        self.explained = set()
        self.lines_seen = 0
        self._line = -1

    def ParseText(self, text: str, eof: bool = True) -> list:  # textfsm's name
        return self.parse_lines(text.splitlines() if text else [], eof)

    def parse_lines(self, lines: list[str], eof: bool = True) -> list:
        # textfsm's own ParseText loop, counting lines so that _Operations knows which line a rule matched.
        for self._line, line in enumerate(lines):
            self._CheckLine(line)
            if self._cur_state_name in ("End", "EOF"):
                break
        self.lines_seen = self._line + 1
        if self._cur_state_name != "End" and "EOF" not in self.states and eof:
            self._AppendRecord()
        return self._result

    def _Operations(self, rule, line):
        if rule.np_specific:
            self.explained.add(self._line)
        return super()._Operations(rule, line)


@dataclass(frozen=True)
class Fit:
    """One candidate's result on one output."""

    template: str  # path
    rows: list[dict]
    explained: int  # lines with content explained
    unexplained: list[int]  # lines with content not explained
    first_unexplained: str | None
    order: int  # position among the candidates (earlier wins a tie)

    @property
    def key(self) -> tuple[bool, int, int, int]:
        return (bool(self.rows), self.explained, len(self.rows), -self.order)


def measure(fsm: FitFSM, template: str, output: Output, order: int) -> Fit:
    """Run `fsm` on `output` (TextFSMError propagates) and measure how much it explained."""
    table = fsm.parse_lines(output.lines)
    keys = [h.lower() for h in fsm.header]
    rows = [dict(zip(keys, values, strict=True)) for values in table]
    explained = fsm.explained
    if rows and fsm.lines_seen < len(output.lines):
        # The template stopped on purpose (-> End) after the part it reads: the rest is a trailer.
        explained = explained | set(range(fsm.lines_seen, len(output.lines)))
    missing = output.unexplained(explained)
    first = output.lines[missing[0]].strip() if missing else None
    return Fit(template, rows, sum(1 for i in explained if output.significant(i)) if missing else len(explained),
               missing, first, order)


__all__ = ["Fit", "FitFSM", "Output", "measure", "rule_is_specific", "significant_lines"]
