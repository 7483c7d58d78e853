"""HTML → PDF with WeasyPrint (maintained; needs Debian pango) and an embedded CJK font.

WeasyPrint embeds (subsets) every font a document uses; the print CSS of templates/stats/_layout.html
asks for Noto Sans CJK SC (Debian fonts-noto-cjk) then WenQuanYi Zen Hei (fonts-wqy-zenhei), both
installed by `make bootstrap` (APT_PACKAGES).
"""

from __future__ import annotations

from typing import Any

from chalicelib.documents import environment

PDF_TYPE = "application/pdf"
HTML_TYPE = "text/html; charset=utf-8"


def render_html(template: str, **context: Any) -> str:
    """Render one print view with the project's Jinja2 environment (autoescape, StrictUndefined)."""
    return environment().get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document (fonts embedded)."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def render(template: str, fmt: str, **context: Any) -> tuple[bytes | str, str]:
    """(body, content type) of a print view as `html` or `pdf`."""
    html = render_html(template, **context)
    if fmt == "pdf":
        return html_to_pdf(html), PDF_TYPE
    return html, HTML_TYPE
