"""`worker --zone NAME` and `workers`: a zone's collector, and the live workers per zone."""

from __future__ import annotations
