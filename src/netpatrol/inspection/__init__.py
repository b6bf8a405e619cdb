"""Inspection: command catalogue, parsing, normalising, the result model, comparison, the service."""
