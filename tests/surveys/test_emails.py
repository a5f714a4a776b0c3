"""A blueprint filled in for a respondent is the email rendered with that respondent's values."""

import pytest
from django.utils import translation

from cxgap_project.mail import render_bodies
from surveys import emails

SURVEY = "https://alpha.cxgap.test/s/Zm9vYmFyLXRva2VuLTEyMw/"
OPTOUT = "https://alpha.cxgap.test/s/Zm9vYmFyLXRva2VuLTEyMw/opt-out/"


def _rendered_directly(*, client, subject, body, language, values):
    """The reference: the copy and both templates rendered with the real values."""
    with translation.override(language):
        subject = subject or emails.default_invitation_subject()
        body = body or emails.default_invitation_body()
        subject_text = " ".join(emails.render_copy(subject, values).split())
        text = emails.render_copy(body, values)
        email = emails.SurveyEmail(
            to="x@example.com",
            subject=subject_text,
            text=text,
            html=emails.copy_as_html(text),
            survey_link=SURVEY,
            optout_link=OPTOUT,
            language=language,
        )
        text_body, html_body = render_bodies(
            template="surveys/email/survey", context={"email": email, "language": language}, client=client
        )
    return subject_text, text, str(email.html), text_body, html_body


@pytest.mark.parametrize(
    ("subject", "body", "language", "first_name"),
    [
        ("", "", "en", "Ann"),
        ("", "", "fr", "Zoë"),
        ("", "", "es", "José María"),
        (
            "{{ first_name }}, how was {{ stage }} at {{ company }}?",
            "Dear {{ first_name }} O'Brien & co,\n\nPlease answer here ({{ survey_link }}).\n\n"
            "About {{ touchpoint }}.\n{{ consultant_name }}",
            "en",
            "Ann-Marie",
        ),
        ("Quick question", "Hello {{ first_name }}, no link in this copy.", "en", "Bob"),
    ],
)
def test_the_filled_in_blueprint_is_the_email_rendered_with_real_values(in_alpha, subject, body, language, first_name):
    fields = {"stage": "Buy & pay", "touchpoint": "Checkout <web>", "consultant_name": "Dana Lee"}
    email = emails.compose(
        client=in_alpha,
        subject_template=subject,
        body_template=body,
        kind="invitation",
        to="x@example.com",
        language=language,
        first_name=first_name,
        survey_link=SURVEY,
        optout_link=OPTOUT,
        **fields,
    )
    expected = _rendered_directly(
        client=in_alpha,
        subject=subject,
        body=body,
        language=language,
        values={"first_name": first_name, "company": in_alpha.name, "survey_link": SURVEY, **fields},
    )
    assert (email.subject, email.text, str(email.html), email.text_body, email.html_body) == expected
    assert SURVEY in email.text_body and OPTOUT in email.html_body


def test_one_blueprint_serves_many_respondents_each_with_their_own_values(in_alpha):
    blueprint = emails.blueprint(
        client=in_alpha,
        subject_template="For {{ first_name }}",
        body_template="Hi {{ first_name }}: {{ survey_link }}",
        kind="invitation",
        language="en",
        stage="",
        touchpoint="",
        consultant_name="",
    )
    people = [("Ann", "a1"), ("<b>Bob</b>", "b2"), ("", "c3")]
    for first_name, token in people:
        email = emails.personalise(
            blueprint,
            to=f"{token}@example.com",
            first_name=first_name,
            survey_link=f"https://alpha.cxgap.test/s/{token}/",
            optout_link=f"https://alpha.cxgap.test/s/{token}/opt-out/",
        )
        shown_name = first_name or "there"
        assert email.subject == f"For {shown_name}"
        assert f"Hi {shown_name}: https://alpha.cxgap.test/s/{token}/" in email.text_body
        assert f'href="https://alpha.cxgap.test/s/{token}/"' in email.html_body
        assert f"/s/{token}/opt-out/" in email.html_body
        assert "<b>Bob</b>" not in email.html_body
        for marker in (blueprint.first_name_marker, blueprint.survey_link_marker, blueprint.optout_link_marker):
            assert marker not in email.text_body + email.html_body + email.subject
    assert (
        "&lt;b&gt;Bob&lt;/b&gt;"
        in emails.personalise(
            blueprint, to="b@example.com", first_name="<b>Bob</b>", survey_link=SURVEY, optout_link=OPTOUT
        ).html_body
    )
