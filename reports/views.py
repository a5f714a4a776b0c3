"""Report pages on the client portal: list, compile form, report, publish, downloads.

Consultants see every report; leaders and viewers only compiled, published ones (anything else is
a 404 for them, downloads included).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import BackgroundJob
from accounts.permissions import consultant_required, request_role, role_required
from accounts.requests import ClientRequest
from cxgap_project.errors import ApplicationError, NotFoundError
from cxgap_project.forms import apply_errors
from reports import selectors, services
from reports.forms import ReportCompileForm
from reports.models import GapReport
from reports.render.summary import headline_sentences, wave_highlights
from reports.render.tables import heatmap_grid


def _report_or_404(request: ClientRequest, uid: str, *, with_snapshot: bool = True) -> GapReport:
    try:
        return selectors.report_for_role(role=request_role(request), uid=uid, with_snapshot=with_snapshot)
    except NotFoundError as error:
        raise Http404("No such report.") from error


@role_required()
def report_list(request: ClientRequest) -> HttpResponse:
    page = Paginator(selectors.report_list(role=request_role(request)), 25).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"page": page})


@consultant_required
def report_compile(request: ClientRequest) -> HttpResponse:
    form = ReportCompileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_compile_start(
                client=request.tenant,
                acting_user=request.user,
                title=form.cleaned_data["title"],
                campaign_ids=form.cleaned_data["campaigns"],
                assessment_id=form.cleaned_data["assessment"] or None,
            )
        except (ApplicationError, ValidationError) as error:
            apply_errors(form, _renamed(error))
        else:
            messages.success(request, f"Compiling “{report.title}”. The report opens here when it is ready.")
            return redirect("reports:report_detail", uid=report.uid)
    return render(request, "reports/report_compile.html", {"form": form, "has_campaigns": form.has_campaigns})


def _renamed(error: ApplicationError | ValidationError) -> ApplicationError | ValidationError:
    """The service names fields campaign_ids / assessment_id; the form calls them campaigns / assessment."""
    if isinstance(error, ApplicationError):
        names = {"campaign_ids": "campaigns", "assessment_id": "assessment"}
        renamed = ApplicationError(error.message)
        renamed.fields = {names.get(name, name): messages for name, messages in error.fields.items()}
        return renamed
    return error


@role_required()
def report_detail(request: ClientRequest, uid: str) -> HttpResponse:
    report = _report_or_404(request, uid)
    context: dict[str, object] = {"report": report, "data": report.data}
    if report.status == GapReport.Status.READY:
        data = report.data
        context.update(
            {
                # SVG drawn by our own code from the suppressed snapshot; matplotlib escapes all text.
                "charts": {name: mark_safe(svg) for name, svg in report.charts.items()},  # noqa: S308
                "sentences": headline_sentences(data),
                "highlights": wave_highlights(data),
                "top_gaps": selectors.top_gaps(data=data),
                "benchmarks": selectors.benchmark_positions(data=data),
                "heatmap": heatmap_grid(data),
            }
        )
    elif report.job_id and report.status != GapReport.Status.FAILED:
        context["job"] = BackgroundJob.objects.filter(pk=report.job_id, client=request.tenant).first()
    return render(request, "reports/report_detail.html", context)


@consultant_required
@require_POST
def report_publish(request: ClientRequest, uid: str) -> HttpResponse:
    report = _report_or_404(request, uid, with_snapshot=False)
    try:
        services.report_publish(client=request.tenant, acting_user=request.user, report=report)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{report.title}” is published: the client's leaders and viewers can read it.")
    return redirect("reports:report_detail", uid=report.uid)


@consultant_required
@require_POST
def report_unpublish(request: ClientRequest, uid: str) -> HttpResponse:
    report = _report_or_404(request, uid, with_snapshot=False)
    services.report_unpublish(client=request.tenant, acting_user=request.user, report=report)
    messages.success(request, f"“{report.title}” is unpublished: only consultants see it now.")
    return redirect("reports:report_detail", uid=report.uid)


@consultant_required
@require_POST
def report_recompile(request: ClientRequest, uid: str) -> HttpResponse:
    report = _report_or_404(request, uid, with_snapshot=False)
    try:
        new_report = services.report_recompile(client=request.tenant, acting_user=request.user, report=report)
    except ApplicationError as error:
        messages.error(request, f"{error.message} {' '.join(' '.join(items) for items in error.fields.values())}")
        return redirect("reports:report_detail", uid=report.uid)
    messages.success(request, "Compiling a new report from the same campaigns; the old one stays as it was.")
    return redirect("reports:report_detail", uid=new_report.uid)


@consultant_required
@require_POST
def report_retry(request: ClientRequest, uid: str) -> HttpResponse:
    report = _report_or_404(request, uid, with_snapshot=False)
    try:
        services.report_compile_retry(client=request.tenant, acting_user=request.user, report=report)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Compiling the report again.")
    return redirect("reports:report_detail", uid=report.uid)


@role_required()
def report_download(request: ClientRequest, uid: str, kind: str) -> FileResponse:
    if kind not in services.DOWNLOAD_KINDS:
        raise Http404("No such download.")
    report = _report_or_404(request, uid)
    if report.status != GapReport.Status.READY:
        raise Http404("The report is not compiled yet.")
    stored = services.report_file_ensure(client=request.tenant, report=report, kind=services.DOWNLOAD_KINDS[kind])
    name, content_type = services.FILE_NAMES[stored.kind]
    response = FileResponse(stored.file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
