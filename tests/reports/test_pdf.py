"""The board pack: renders quickly, has the expected sections, both paper sizes, and the plan."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import tenant_context

from reports.models import GapReport, ReportFile
from reports.render import pdf
from tests.reports.conftest import CompiledSurvey, InitiativeFactory, gap_link

A4_WIDTH_PX, LETTER_WIDTH_PX = 793.7, 816.0  # CSS pixels (96 per inch): 210 mm and 8.5 in


@pytest.fixture
def compiled(compiled_survey: CompiledSurvey, db: None) -> Iterator[tuple[Any, GapReport]]:
    with tenant_context(compiled_survey.client):
        yield compiled_survey.client, compiled_survey.report


def test_board_pack_renders_a_pdf_with_every_section_in_a_few_seconds(compiled):
    client, report = compiled
    started = time.monotonic()
    document = pdf.board_pack_document(report=report, client=client)
    content = document.write_pdf()
    elapsed = time.monotonic() - started
    text = pdf.document_text(document)
    assert content.startswith(b"%PDF")
    for heading in (
        "Executive summary",
        "What changed since the last wave",
        "Gaps by dimension",
        "Stage × dimension",
        "Importance–performance",
        "Staff and customers",
        "Diagnosed and measured",
        "Waves",
        "The plan",
    ):
        assert heading in text, heading
    # about 1.5 s here; generous for a shared CI machine
    assert elapsed < 10


def test_cover_carries_the_client_name_and_report_title(compiled):
    client, report = compiled
    text = pdf.document_text(pdf.board_pack_document(report=report, client=client))
    assert client.name in text and "Autumn gap report" in text and "board pack" in text


def test_board_pack_comes_in_a4_and_letter(compiled):
    client, report = compiled
    a4 = pdf.board_pack_document(report=report, client=client, page_size="A4")
    letter = pdf.board_pack_document(report=report, client=client, page_size="Letter")
    assert a4.pages[0].width == pytest.approx(A4_WIDTH_PX, abs=1)
    assert letter.pages[0].width == pytest.approx(LETTER_WIDTH_PX, abs=1)


def test_cover_shows_the_client_logo_embedded_in_the_pdf(compiled):
    client, report = compiled
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    client.logo.save(f"test-logo-{client.pk}.png", ContentFile(png), save=False)
    try:
        html = pdf.board_pack_html(report=report, client=client)
        assert '<img class="cover__logo" src="data:image/png;base64,' in html
        assert pdf.board_pack_pdf(report=report, client=client).startswith(b"%PDF")
    finally:
        client.logo.delete(save=False)


def test_board_pack_uses_the_client_brand_colour(compiled):
    client, report = compiled
    html = pdf.board_pack_html(report=report, client=client)
    assert "cover__band" in html
    stylesheet = pdf.STYLESHEET.read_text()
    assert "var(--brand)" in stylesheet


def test_executive_summary_says_what_changed_since_the_last_wave(compiled):
    client, report = compiled
    text = pdf.document_text(pdf.board_pack_document(report=report, client=client))
    assert "Dimension Reliability improved by" in text


def test_plan_lists_initiatives_linked_to_the_top_gaps(compiled):
    client, report = compiled
    stage = next(cell for cell in report.data["by_stage_dimension"] if not cell["suppressed"] and cell["mean_gap"] < 0)
    from diagnostics.models import Stage

    initiative = InitiativeFactory.create(title="Rebuild the returns desk", status="in_progress")
    gap_link(initiative, stage=Stage.objects.get(uid=stage["stage"]))
    text = pdf.document_text(pdf.board_pack_document(report=report, client=client))
    assert "Rebuild the returns desk" in text and "In progress" in text


def test_downloading_the_board_pack_stores_it_once_in_the_client_media_folder(
    host_client, compiled_survey, media_root, db
):
    client = compiled_survey.client
    report = compiled_survey.report
    browser = host_client(client, client.test_consultant)
    first = browser.get(f"/reports/{report.uid}/download/pdf-a4/")
    assert first.status_code == 200
    assert first["Content-Disposition"] == 'attachment; filename="board-pack-a4.pdf"'
    assert b"".join(first.streaming_content).startswith(b"%PDF")
    with tenant_context(client):
        stored = ReportFile.objects.get(report=report, kind=ReportFile.Kind.PDF_A4)
        path = stored.file.path
    assert path.startswith(str(media_root / client.schema_name))
    second = browser.get(f"/reports/{report.uid}/download/pdf-a4/")
    assert b"".join(second.streaming_content).startswith(b"%PDF")
    with tenant_context(client):
        assert ReportFile.objects.filter(report=report).count() == 1
