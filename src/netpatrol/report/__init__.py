"""Client reports: the quarterly inspection report (html, md, docx, xlsx, pdf) and the device archive.

gather.py builds a typed ReportModel from the Git store and the inventory; render.py, docx.py,
xlsx.py and pdf.py write it; publish.py runs the whole `netpatrol report`; archive.py is
`netpatrol archive`.

The names below load on first use: a notification that only needs `report.inert` must not import
Jinja2, python-docx and the gathering code with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netpatrol.report.gather import ReportRequest, build_report
    from netpatrol.report.model import ReportModel
    from netpatrol.report.publish import FORMATS, ReportOutput, write_report

_HOMES = {"ReportRequest": "gather", "build_report": "gather", "ReportModel": "model",
          "FORMATS": "publish", "ReportOutput": "publish", "write_report": "publish"}
__all__ = ["FORMATS", "ReportModel", "ReportOutput", "ReportRequest", "build_report", "write_report"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"netpatrol.report.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
