"""The PDF is the HTML report laid out by WeasyPrint (its @page rules give A4 pages, running
headers and page numbers). WeasyPrint needs pango and a CJK font from the system: see
scripts/install-system-deps.sh."""

from __future__ import annotations

from pathlib import Path

from netpatrol.errors import WorkspaceError


def pdf_available() -> str | None:
    """None when PDFs can be written, else the reason they cannot."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return "the Python package weasyprint is not installed (pip install weasyprint)"
    except OSError as exc:  # weasyprint imports pango through cffi and fails when it is missing
        return f"weasyprint cannot load pango ({exc}); run scripts/install-system-deps.sh as root"
    return None


def write_pdf(html: str, path: Path) -> Path:
    problem = pdf_available()
    if problem:
        raise WorkspaceError(f"{path}: cannot write the PDF report: {problem}")
    import weasyprint

    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html, base_url=str(path.parent)).write_pdf(str(path))
    return path
