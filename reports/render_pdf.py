"""A report's html typeset as a PDF on A4 by WeasyPrint, following the page's print stylesheet
(page breaks between sections, repeated table headings, page numbers). Typesetting takes
seconds, so a PDF is made from the kept html when it is asked for, never stored apart: it is
always that very version."""

from __future__ import annotations


def render_pdf(html: bytes) -> bytes:
    """The PDF of a report's html page."""
    from weasyprint import HTML  # loads pango and friends: only when a PDF is asked for

    return HTML(string=html.decode("utf-8")).write_pdf()
