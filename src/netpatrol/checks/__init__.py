"""Checks: the check model, the pack loader, operators and paths, the engine, the built-in packs."""
