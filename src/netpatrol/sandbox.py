"""The one Jinja2 sandbox for user-written templates (report templates, intended configs)."""

from __future__ import annotations

import jinja2
import jinja2.sandbox


class BoundedSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's sandbox keeps templates from Python's internals, not from exhausting the machine:
    `{{ 'x' * 10**10 }}` or `{{ 9**9**9 }}` would take all memory or CPU before any error."""

    intercepted_binops = frozenset({"*", "**"})
    MAX_ITEMS = 1_000_000

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: object, right: object) -> object:
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise jinja2.sandbox.SecurityError(f"'** {right}': exponent too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > self.MAX_ITEMS:
                    raise jinja2.sandbox.SecurityError(f"repeating a sequence {n} times: result too large")
        return super().call_binop(context, operator, left, right)
