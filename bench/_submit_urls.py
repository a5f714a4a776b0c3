"""The product's portal URLs plus `/bench/bare-submit/<invitation_id>/`: the baseline of
bench/respondent_submit_bench.py, a bare view that writes the same rows a page submit writes
(the response, its answers, completion on the last page) with nothing else: no token, no lock,
no validation, no signals."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import public_tenant_view
from cxgap_project.urls_tenant import handler404 as handler404
from cxgap_project.urls_tenant import urlpatterns as portal_urlpatterns
from surveys.models import Answer, Invitation, InvitationState, Response


@public_tenant_view
@require_POST
def bare_submit(request: HttpRequest, invitation_id: int) -> HttpResponse:
    page = int(request.POST["page"])
    is_last = request.POST.get("last") == "1"
    now = timezone.now()
    with transaction.atomic():
        if page == 0:
            invitation = Invitation.objects.values("campaign_id", "campaign__questionnaire_id", "respondent_id").get(
                pk=invitation_id
            )
            (response,) = Response.objects.bulk_create(
                [
                    Response(
                        invitation_id=invitation_id,
                        campaign_id=invitation["campaign_id"],
                        questionnaire_id=invitation["campaign__questionnaire_id"],
                        respondent_id=invitation["respondent_id"],
                        started_at=now,
                        current_page=1,
                    )
                ]
            )
            response_id = response.pk
        else:
            response_id = Response.objects.values_list("pk", flat=True).get(invitation_id=invitation_id)
        answers = []
        for name in request.POST:
            value = request.POST.get(name, "")
            if name.startswith("q") and name[1:].isdigit():
                expectation = request.POST.get(f"{name}e")
                answers.append(
                    Answer(
                        response_id=response_id,
                        question_id=int(name[1:]),
                        value=int(value) if value.isdigit() else None,
                        expectation=int(expectation) if expectation else None,
                        text="" if value.isdigit() else value,
                    )
                )
        Answer.objects.bulk_create(answers)
        if is_last:
            Response.objects.filter(pk=response_id).update(status=Response.Status.COMPLETED, completed_at=now)
            Invitation.objects.filter(pk=invitation_id).update(state=InvitationState.COMPLETED, completed_at=now)
    return HttpResponseRedirect(request.path)


urlpatterns = [*portal_urlpatterns, path("bench/bare-submit/<int:invitation_id>/", bare_submit)]
