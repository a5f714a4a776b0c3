"""Respondent pages: the list with filters, one person, imports (upload → preview → import → report), opt-outs.

Every member may look at respondents and opt-out counts; consultants add, change, import, delete
and erase (a data-protection request, confirmed by typing the person's address).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import BackgroundJob, Role
from accounts.permissions import consultant_required, request_role, role_required
from accounts.requests import ClientRequest
from accounts.selectors import user_names
from cxgap_project.errors import ApplicationError, NotFoundError
from cxgap_project.forms import apply_errors
from surveys.forms_design import (
    OptOutForm,
    RespondentEraseForm,
    RespondentFilterForm,
    RespondentForm,
    RespondentImportForm,
)
from surveys.importers import ENCODING_NAMES, FIELD_ALIASES
from surveys.models import Respondent, RespondentImport
from surveys.selectors import respondents as selectors
from surveys.services import respondents as services

PAGE_SIZE = 50


def _respondent_or_404(respondent_id: int) -> Respondent:
    try:
        return selectors.respondent_get(respondent_id=respondent_id)
    except NotFoundError as error:
        raise Http404 from error


def _import_or_404(import_id: int) -> RespondentImport:
    try:
        return selectors.respondent_import_get(import_id=import_id)
    except NotFoundError as error:
        raise Http404 from error


@role_required()
def respondent_list(request: ClientRequest) -> HttpResponse:
    form = RespondentFilterForm(request.GET or None, segments=selectors.respondent_segments())
    respondents = selectors.respondent_list(**form.filters())
    page = Paginator(respondents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/respondents/list.html",
        {
            "page": page,
            "form": form,
            "is_filtered": any(request.GET.get(name) for name in form.fields),
            "counts": selectors.respondent_counts(),
            "optouts": selectors.optout_summary(),
        },
    )


@consultant_required
def respondent_create(request: ClientRequest) -> HttpResponse:
    form = RespondentForm(request.POST or None, initial={"language": request.tenant.language})
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            respondent = services.respondent_create(
                client=request.tenant, acting_user=request.user, email=fields.pop("email"), **fields
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{respondent.email} added.")
            return redirect("surveys:respondent_detail", respondent.pk)
    return render(request, "surveys/respondents/form.html", {"form": form, "respondent": None})


@role_required()
def respondent_detail(request: ClientRequest, respondent_id: int) -> HttpResponse:
    respondent = _respondent_or_404(respondent_id)
    return render(
        request,
        "surveys/respondents/detail.html",
        {"respondent": respondent, "history": selectors.respondent_history(respondent=respondent)},
    )


@consultant_required
def respondent_edit(request: ClientRequest, respondent_id: int) -> HttpResponse:
    respondent = _respondent_or_404(respondent_id)
    form = RespondentForm(request.POST or None, instance=Respondent.objects.get(pk=respondent.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.respondent_update(
                client=request.tenant, acting_user=request.user, respondent=respondent, **form.service_fields()
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{respondent.email} saved.")
            return redirect("surveys:respondent_detail", respondent.pk)
    return render(request, "surveys/respondents/form.html", {"form": form, "respondent": respondent})


@consultant_required
@require_POST
def respondent_delete(request: ClientRequest, respondent_id: int) -> HttpResponse:
    respondent = _respondent_or_404(respondent_id)
    try:
        services.respondent_delete(client=request.tenant, acting_user=request.user, respondent=respondent)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:respondent_detail", respondent.pk)
    messages.success(request, f"{respondent.email} deleted.")
    return redirect("surveys:respondent_list")


@consultant_required
def respondent_erase(request: ClientRequest, respondent_id: int) -> HttpResponse:
    """Explain what erasure removes and keeps; erase once the address is typed back."""
    respondent = _respondent_or_404(respondent_id)
    if respondent.erased_at is not None:
        messages.info(request, "This person was already erased.")
        return redirect("surveys:respondent_detail", respondent.pk)
    form = RespondentEraseForm(request.POST or None, email=respondent.email)
    if request.method == "POST" and form.is_valid():
        result = services.respondent_erase(
            client=request.tenant,
            acting_user=request.user,
            respondent=respondent,
            never_survey_again=form.cleaned_data["never_survey_again"],
        )
        messages.success(
            request,
            f"The person was erased. {result.responses} response{'s' if result.responses != 1 else ''} "
            "kept without anything that identifies them.",
        )
        return redirect("surveys:respondent_detail", respondent.pk)
    return render(
        request,
        "surveys/respondents/erase.html",
        {"form": form, "respondent": respondent, "history": selectors.respondent_history(respondent=respondent)},
    )


# --- imports --------------------------------------------------------------------------------


@consultant_required
def respondent_import(request: ClientRequest) -> HttpResponse:
    """Upload a file; the next page previews it."""
    form = RespondentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            preview = services.respondent_import_upload(
                client=request.tenant,
                acting_user=request.user,
                uploaded_file=form.cleaned_data["file"],
                audience=form.cleaned_data["audience"],
            )
        except (ValidationError, ApplicationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{preview.file_name}” read: check the preview, then import.")
            return redirect("surveys:respondent_import_detail", preview.pk)
    imports = list(selectors.respondent_imports_recent())
    names = user_names(user_ids=[item.created_by_user_id for item in imports])
    return render(
        request,
        "surveys/respondents/import.html",
        {
            "form": form,
            "imports": [(item, names.get(item.created_by_user_id or 0, "")) for item in imports],
            "aliases": FIELD_ALIASES,
            "max_inline_rows": services.MAX_INLINE_ROWS,
        },
    )


@consultant_required
def respondent_import_detail(request: ClientRequest, import_id: int) -> HttpResponse:
    """Preview (then confirm), progress of a background import, or the finished report."""
    respondent_import = _import_or_404(import_id)
    job = (
        BackgroundJob.objects.filter(client=request.tenant, pk=respondent_import.job_id).first()
        if respondent_import.job_id
        else None
    )
    return render(
        request,
        "surveys/respondents/import_detail.html",
        {
            "item": respondent_import,
            "preview": respondent_import.preview,
            "job": job,
            "encoding_label": ENCODING_NAMES.get(respondent_import.encoding, respondent_import.encoding),
            "unchanged_rows": max(
                0,
                respondent_import.total_rows
                - respondent_import.imported_rows
                - respondent_import.updated_rows
                - respondent_import.skipped_rows,
            ),
        },
    )


@consultant_required
@require_POST
def respondent_import_retry(request: ClientRequest, import_id: int) -> HttpResponse:
    """Run a failed background import again (after a database restart, say) from its stored file."""
    respondent_import = _import_or_404(import_id)
    try:
        services.respondent_import_retry(
            client=request.tenant, acting_user=request.user, respondent_import=respondent_import
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Importing again in the background.")
    return redirect("surveys:respondent_import_detail", respondent_import.pk)


@consultant_required
@require_POST
def respondent_import_confirm(request: ClientRequest, import_id: int) -> HttpResponse:
    respondent_import = _import_or_404(import_id)
    try:
        done = services.respondent_import_confirm(
            client=request.tenant, acting_user=request.user, respondent_import=respondent_import
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("surveys:respondent_import_detail", respondent_import.pk)
    if done.status == RespondentImport.Status.DONE:
        messages.success(
            request,
            f"Imported: {done.imported_rows:,} new, {done.updated_rows:,} updated, {done.skipped_rows:,} rows skipped.",
        )
    elif done.status == RespondentImport.Status.FAILED:
        messages.error(request, done.error_message or "The import failed.")
    else:
        messages.success(request, f"Importing {done.total_rows:,} rows in the background.")
    return redirect("surveys:respondent_import_detail", done.pk)


# --- opt-outs -------------------------------------------------------------------------------


@role_required()
def optout_list(request: ClientRequest) -> HttpResponse:
    """How many people opted out, when and how; consultants can add an address by hand."""
    form = OptOutForm(request.POST or None)
    if request.method == "POST":
        if request_role(request) != Role.CONSULTANT:
            raise PermissionDenied
        if form.is_valid():
            try:
                _optout, is_new = services.optout_add_manually(
                    client=request.tenant, acting_user=request.user, email=form.cleaned_data["email"]
                )
            except ApplicationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    "Opt-out recorded: this address will never be surveyed again."
                    if is_new
                    else "This address had already opted out.",
                )
                return redirect("surveys:optout_list")
    page = Paginator(selectors.optout_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(optout, selectors.optout_source_label(optout.source)) for optout in page.object_list]
    return render(
        request,
        "surveys/respondents/optouts.html",
        {"form": form, "page": page, "rows": rows, "summary": selectors.optout_summary()},
    )
