"""PDF from HTML, the one way: reporting's reports and archive, the gateway's personal-data exports and notices.

WeasyPrint is imported on first use: it loads Pango at import, which only the PDF path needs, so a part
that renders no PDF need not install it (those that do list ``weasyprint`` among their dependencies).
"""


def html_to_pdf(html: str, variant: str | None = None) -> bytes:
    """The PDF of ``html``; ``variant`` e.g. "pdf/a-2b" for the archive (R-65)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf(pdf_variant=variant)
