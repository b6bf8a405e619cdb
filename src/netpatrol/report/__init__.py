"""Client reports: the quarterly inspection report (html, md, xlsx, pdf) and the device archive.

gather.py builds a typed ReportModel from the Git store and the inventory; render.py, xlsx.py and
pdf.py write it; publish.py runs the whole `netpatrol report`; archive.py is `netpatrol archive`.
"""

from netpatrol.report.gather import ReportRequest, build_report
from netpatrol.report.model import ReportModel
from netpatrol.report.publish import FORMATS, ReportOutput, write_report

__all__ = ["FORMATS", "ReportModel", "ReportOutput", "ReportRequest", "build_report", "write_report"]
