"""Checks: the check model and loader, operators and packs."""
