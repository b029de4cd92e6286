"""The results report as documents: a PDF drawn from the printable page, and a Word file with
the tables as Chinese theses set them. Both read one snapshot as one user may see it."""

from .pdf import render_pdf
from .word import render_docx

__all__ = ["render_docx", "render_pdf"]
