"""The bounce/complaint webhook: signature required, idempotent, marks invitation and respondent."""

import json

import pytest

from surveys.api_campaigns import webhook_signature
from surveys.models import InboundEvent, Invitation, InvitationState, OptOut, Respondent, SentEmail
from tests.surveys.conftest import launched_invitation

SECRET = "webhook-test-secret"


@pytest.fixture
def sent(in_alpha, consultant, settings):
    settings.EMAIL_WEBHOOK_SECRET = SECRET
    invitation, _token = launched_invitation(in_alpha, consultant)
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.SENT, message_id="<inv-alpha-x-i@t>")
    SentEmail.objects.create(invitation=invitation, kind="invitation", message_id="<inv-alpha-x-i@t>")
    return invitation


def _post(api, payload, secret=SECRET):
    body = json.dumps(payload).encode()
    return api.post(
        "/api/v1/email-events/",
        body,
        content_type="application/json",
        HTTP_X_CXGAP_SIGNATURE=webhook_signature(body, secret),
    )


def test_a_bounce_marks_the_invitation_and_the_respondent(sent, api_client, alpha):
    response = _post(api_client(alpha), {"event_id": "e1", "type": "bounced", "message_id": "<inv-alpha-x-i@t>"})
    assert response.status_code == 200 and response.json() == {"received": 1, "new": 1}
    assert Invitation.objects.get(pk=sent.pk).state == InvitationState.BOUNCED
    assert Respondent.objects.get().bounced_at is not None


def test_a_complaint_opts_the_respondent_out(sent, api_client, alpha):
    _post(api_client(alpha), [{"event_id": "e2", "type": "complained", "recipient": "ann@example.com"}])
    assert OptOut.objects.get().source == "complaint"
    assert Respondent.objects.get().complained_at is not None
    assert Invitation.objects.get(pk=sent.pk).state == InvitationState.OPTED_OUT


def test_the_same_event_twice_is_recorded_once(sent, api_client, alpha):
    api = api_client(alpha)
    _post(api, {"event_id": "e3", "type": "bounced", "message_id": "<inv-alpha-x-i@t>"})
    again = _post(api, {"event_id": "e3", "type": "bounced", "message_id": "<inv-alpha-x-i@t>"})
    assert again.json() == {"received": 1, "new": 0}
    assert InboundEvent.objects.count() == 1


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_an_unsigned_or_wrongly_signed_event_is_refused(sent, api_client, alpha, secret):
    body = json.dumps({"event_id": "e4", "type": "bounced", "message_id": "<inv-alpha-x-i@t>"}).encode()
    headers = {"HTTP_X_CXGAP_SIGNATURE": webhook_signature(body, secret)} if secret else {}
    response = api_client(alpha).post("/api/v1/email-events/", body, content_type="application/json", **headers)
    assert response.status_code in (401, 403)
    assert Invitation.objects.get(pk=sent.pk).state == InvitationState.SENT
    assert not InboundEvent.objects.exists()


def test_malformed_json_is_a_400_not_a_500(sent, api_client, alpha):
    body = b"{not json"
    response = api_client(alpha).post(
        "/api/v1/email-events/",
        body,
        content_type="application/json",
        HTTP_X_CXGAP_SIGNATURE=webhook_signature(body, SECRET),
    )
    assert response.status_code == 400


def test_a_provider_bounce_through_anymail_marks_the_invitation(sent, alpha):
    from anymail.signals import AnymailTrackingEvent, tracking

    from cxgap_project.tenancy import use_public_schema

    event = AnymailTrackingEvent(
        event_type="bounced",
        event_id="esp-1",
        recipient="ann@example.com",
        metadata={"cxgap_schema": alpha.schema_name, "cxgap_message_id": "<inv-alpha-x-i@t>"},
    )
    use_public_schema()  # provider webhooks arrive on the console host
    tracking.send(sender=object, event=event, esp_name="Postmark")
    from django_tenants.utils import tenant_context

    with tenant_context(alpha):
        assert Invitation.objects.get(pk=sent.pk).state == InvitationState.BOUNCED
        assert InboundEvent.objects.get().event_id == "esp-1"
