"""The board pack: a PDF (WeasyPrint) with the client's branding, executive summary, charts and plan.

The HTML comes from `reports/board_pack.html`; WeasyPrint may fetch nothing but the data: URIs we
put there ourselves (the logo), so text from the snapshot can never make it load a file or URL.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher

from accounts.models import Client
from reports import selectors
from reports.models import GapReport
from reports.render.summary import headline_sentences, wave_highlights
from reports.render.tables import heatmap_grid

# WeasyPrint logs every SVG presentation property it does not apply to HTML boxes; keep errors only.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "reports" / "board_pack.css"
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}


def _logo_data_uri(client: Client) -> str | None:
    if not client.logo:
        return None
    try:
        with client.logo.open("rb") as logo:
            content = logo.read()
    except OSError:
        return None
    content_type = mimetypes.guess_type(client.logo.name or "")[0] or "image/png"
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def board_pack_html(*, report: GapReport, client: Client, page_size: str = "A4") -> str:
    """The HTML the PDF is printed from (also what tests read to check the text)."""
    data = report.data
    context = {
        "report": report,
        "data": data,
        "client": client,
        "logo": _logo_data_uri(client),
        "page_size": PAGE_SIZES[page_size],
        # The charts are SVG drawn by our code from the suppressed snapshot; matplotlib escapes text.
        "charts": {name: mark_safe(svg) for name, svg in report.charts.items()},  # noqa: S308
        "sentences": headline_sentences(data),
        "highlights": wave_highlights(data),
        "top_gaps": selectors.top_gaps(data=data),
        "benchmarks": selectors.benchmark_positions(data=data),
        "heatmap": heatmap_grid(data),
        "printed_at": timezone.now(),
    }
    return render_to_string("reports/board_pack.html", context)


def board_pack_document(*, report: GapReport, client: Client, page_size: str = "A4") -> Document:
    """The laid-out board pack (pages, boxes), before it is written as PDF."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {sorted(PAGE_SIZES)}")
    html = board_pack_html(report=report, client=client, page_size=page_size)
    stylesheets = [
        CSS(string=STYLESHEET.read_text()),
        CSS(string=f"@page {{ size: {PAGE_SIZES[page_size]}; }} :root {{ --brand: {client.brand_colour}; }}"),
    ]
    only_data_uris = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=only_data_uris).render(stylesheets=stylesheets)


def board_pack_pdf(*, report: GapReport, client: Client, page_size: str = "A4") -> bytes:
    return board_pack_document(report=report, client=client, page_size=page_size).write_pdf()  # type: ignore[no-any-return]


def document_text(document: Document) -> str:
    """Every piece of text laid out on the pages, in order (to check what a PDF says)."""
    pieces = []
    for page in document.pages:
        for box in page._page_box.descendants():
            text = getattr(box, "text", None)
            if isinstance(text, str):
                pieces.append(text)
    return " ".join(pieces)
