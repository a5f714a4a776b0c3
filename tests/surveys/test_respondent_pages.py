"""Respondent pages: access by role and client, filters, imports from upload to report, opt-outs."""

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from surveys.models import OptOut, Respondent, RespondentImport, Response
from surveys.services import respondents as services
from tests.surveys.conftest import (
    QuestionnaireFactory,
    RespondentFactory,
    campaign_using,
    csv_bytes,
    is_sent_to_sign_in,
    upload,
    xlsx_bytes,
)

READ_PATHS = ["/surveys/respondents/", "/surveys/respondents/{respondent}/", "/surveys/respondents/opt-outs/"]
CONSULTANT_PATHS = [
    "/surveys/respondents/new/",
    "/surveys/respondents/{respondent}/edit/",
    "/surveys/respondents/{respondent}/erase/",
    "/surveys/respondents/import/",
    "/surveys/respondents/import/{import}/",
]
CONSULTANT_POSTS = ["/surveys/respondents/{respondent}/delete/", "/surveys/respondents/import/{import}/confirm/"]


@pytest.fixture
def people(in_alpha, consultant):
    respondent = RespondentFactory.create(email="ann@example.com", first_name="Ann", segment="retail")
    preview = services.respondent_import_upload(
        client=in_alpha, acting_user=consultant, uploaded_file=upload(csv_bytes([["email"], ["new@example.com"]]))
    )
    return {"respondent": respondent.pk, "import": preview.pk}


@pytest.mark.parametrize("path", READ_PATHS + CONSULTANT_PATHS)
def test_anonymous_visitors_are_sent_to_login(host_client, alpha, people, path):
    response = host_client(alpha).get(path.format(**people))
    assert is_sent_to_sign_in(response)


@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
@pytest.mark.parametrize("path", READ_PATHS)
def test_every_member_can_look_at_respondents(host_client, alpha, users, people, role, path):
    assert host_client(alpha, users[role]).get(path.format(**people)).status_code == 200


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize("path", CONSULTANT_PATHS)
def test_leaders_and_viewers_cannot_edit_or_import(host_client, alpha, users, people, role, path):
    assert host_client(alpha, users[role]).get(path.format(**people)).status_code == 403


@pytest.mark.parametrize("role", ["leader", "viewer"])
@pytest.mark.parametrize("path", CONSULTANT_POSTS)
def test_leaders_and_viewers_cannot_delete_or_confirm(host_client, alpha, users, people, role, path):
    assert host_client(alpha, users[role]).post(path.format(**people)).status_code == 403
    with tenant_context(alpha):
        assert Respondent.objects.count() == 1


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_cannot_record_opt_outs(host_client, alpha, users, role):
    response = host_client(alpha, users[role]).post("/surveys/respondents/opt-outs/", {"email": "x@example.com"})
    assert response.status_code == 403
    with tenant_context(alpha):
        assert not OptOut.objects.exists()


@pytest.mark.parametrize("path", READ_PATHS + CONSULTANT_PATHS)
def test_members_of_another_client_get_404(host_client, alpha, beta_leader, people, path):
    response = host_client(alpha, beta_leader).get(path.format(**people))
    assert response.status_code == 404
    assert "ann@example.com" not in response.content.decode()


def test_a_respondent_id_on_another_clients_host_is_404(host_client, beta, users, people):
    response = host_client(beta, users["beta_leader"]).get(f"/surveys/respondents/{people['respondent']}/")
    assert response.status_code == 404


# --- list ---------------------------------------------------------------------------------


def test_empty_list_invites_an_import(host_client, alpha, consultant):
    content = host_client(alpha, consultant).get("/surveys/respondents/").content.decode()
    assert "No respondents yet" in content and "/surveys/respondents/import/" in content


def test_list_filters_and_marks_opted_out_and_bounced(host_client, alpha, viewer, in_alpha):
    RespondentFactory.create(email="ok@example.com", segment="retail")
    RespondentFactory.create(email="gone@example.com", segment="retail")
    RespondentFactory.create(email="bounce@example.com", segment="b2b", bounced_at=timezone.now())
    services.optout_record(email="gone@example.com", source="link")
    browser = host_client(alpha, viewer)
    content = browser.get("/surveys/respondents/?opted_out=yes").content.decode()
    assert "gone@example.com" in content and "ok@example.com" not in content and "opted out" in content
    content = browser.get("/surveys/respondents/?segment=b2b").content.decode()
    assert "bounce@example.com" in content and "bounced" in content and "ok@example.com" not in content
    content = browser.get("/surveys/respondents/?q=nobody").content.decode()
    assert "No respondents match these filters" in content


def test_list_query_count_does_not_grow_with_respondents(
    host_client, alpha, consultant, in_alpha, django_assert_max_num_queries
):
    RespondentFactory.create_batch(3)
    browser = host_client(alpha, consultant)
    with django_assert_max_num_queries(20) as small:
        browser.get("/surveys/respondents/")
    with tenant_context(alpha):
        RespondentFactory.create_batch(120, segment="b2b")
    with django_assert_max_num_queries(len(small.captured_queries)):
        content = browser.get("/surveys/respondents/").content.decode()
    assert "123 respondents" in content and 'rel="next"' in content


# --- one respondent -----------------------------------------------------------------------


def test_adding_a_respondent_by_hand(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/new/",
        {
            "email": "New@Example.com",
            "first_name": "Nia",
            "audience": "customers",
            "language": "fr",
            "anchor_dates_text": "purchase: 2026-01-31",
            "attributes_text": "plan = Gold",
        },
        follow=True,
    )
    content = response.content.decode()
    assert "new@example.com added." in content and "2026-01-31" in content and "Gold" in content


def test_bad_anchor_date_is_an_inline_error_keeping_the_input(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/new/",
        {
            "email": "a@example.com",
            "audience": "customers",
            "language": "en",
            "anchor_dates_text": "purchase: 31/01/2026",
        },
    )
    content = response.content.decode()
    assert "is not a YYYY-MM-DD date" in content and "a@example.com" in content
    with tenant_context(alpha):
        assert not Respondent.objects.exists()


def test_an_existing_email_is_an_inline_error(host_client, alpha, consultant, people):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/new/", {"email": "ann@example.com", "audience": "customers", "language": "en"}
    )
    assert "already exists" in response.content.decode()


def test_editing_a_respondent(host_client, alpha, consultant, people):
    response = host_client(alpha, consultant).post(
        f"/surveys/respondents/{people['respondent']}/edit/",
        {"email": "ann@example.com", "first_name": "Annie", "audience": "staff", "language": "en", "segment": "vip"},
        follow=True,
    )
    assert "ann@example.com saved." in response.content.decode()
    with tenant_context(alpha):
        assert Respondent.objects.get().segment == "vip"


def test_deleting_a_respondent_without_answers(host_client, alpha, consultant, people):
    response = host_client(alpha, consultant).post(f"/surveys/respondents/{people['respondent']}/delete/", follow=True)
    assert "ann@example.com deleted." in response.content.decode()


def test_a_respondent_with_answers_is_not_deleted_and_erasure_is_explained(host_client, alpha, consultant, people):
    with tenant_context(alpha):
        questionnaire = QuestionnaireFactory.create()
        Response.objects.create(
            campaign=campaign_using(questionnaire), questionnaire=questionnaire, respondent_id=people["respondent"]
        )
    browser = host_client(alpha, consultant)
    content = browser.get(f"/surveys/respondents/{people['respondent']}/").content.decode()
    assert "data-protection erasure" in content and ">Delete<" not in content
    response = browser.post(f"/surveys/respondents/{people['respondent']}/delete/", follow=True)
    assert "Erase the person instead" in response.content.decode()
    with tenant_context(alpha):
        assert Respondent.objects.exists()


# --- imports ------------------------------------------------------------------------------


def test_upload_shows_the_preview_then_confirm_imports(host_client, alpha, consultant):
    content = csv_bytes(
        [["email", "first_name", "signup_date"], ["a@example.com", "Ann", "2026-01-01"], ["bad", "B", ""]]
    )
    browser = host_client(alpha, consultant)
    response = browser.post(
        "/surveys/respondents/import/", {"file": upload(content), "audience": "customers"}, follow=True
    )
    page = response.content.decode()
    assert "check the preview" in page
    assert "Anchor date “signup”" in page and "bad email “bad”" in page and "Import 1 row" in page
    with tenant_context(alpha):
        item = RespondentImport.objects.get()
        assert not Respondent.objects.exists()
    response = browser.post(f"/surveys/respondents/import/{item.pk}/confirm/", follow=True)
    page = response.content.decode()
    assert "Imported: 1 new, 0 updated, 1 rows skipped." in page
    assert "bad email “bad”" in page
    with tenant_context(alpha):
        assert list(Respondent.objects.values_list("email", flat=True)) == ["a@example.com"]


def test_xlsx_upload_preview(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/import/",
        {"file": upload(xlsx_bytes([["Email"], ["x@example.com"]]), "people.xlsx"), "audience": "staff"},
        follow=True,
    )
    assert "XLSX" in response.content.decode() and "Import 1 row" in response.content.decode()


def test_garbage_upload_is_an_inline_error(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/import/", {"file": upload(bytes(range(256)) * 8), "audience": "customers"}
    )
    assert response.status_code == 200
    assert "does not look like a CSV or XLSX file" in response.content.decode()


def test_missing_email_column_is_an_inline_error_naming_columns(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/import/",
        {"file": upload(csv_bytes([["Name", "Phone"], ["A", "1"]])), "audience": "customers"},
    )
    assert "Columns found: “Name”, “Phone”" in response.content.decode()


def test_confirming_twice_says_it_was_already_imported(host_client, alpha, consultant, people):
    browser = host_client(alpha, consultant)
    browser.post(f"/surveys/respondents/import/{people['import']}/confirm/")
    response = browser.post(f"/surveys/respondents/import/{people['import']}/confirm/", follow=True)
    assert "already been imported" in response.content.decode()


def test_a_queued_import_shows_a_progress_bar(
    host_client, alpha, consultant, in_alpha, django_capture_on_commit_callbacks
):
    rows = [["email"]] + [[f"p{number}@example.com"] for number in range(2100)]
    preview = services.respondent_import_upload(
        client=alpha, acting_user=consultant, uploaded_file=upload(csv_bytes(rows))
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.respondent_import_confirm(client=alpha, acting_user=consultant, respondent_import=preview)
    content = host_client(alpha, consultant).get(f"/surveys/respondents/import/{preview.pk}/").content.decode()
    assert 'class="job-progress"' in content and "/jobs/" in content


def test_formula_cells_are_shown_escaped_in_the_preview(host_client, alpha, consultant):
    content = csv_bytes([["email", "note"], ["a@example.com", '=HYPERLINK("<b>x</b>")']])
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/import/", {"file": upload(content), "audience": "customers"}, follow=True
    )
    page = response.content.decode()
    assert "<b>x</b>" not in page and "=HYPERLINK(&quot;&lt;b&gt;x&lt;/b&gt;&quot;)" in page


# --- opt-outs -----------------------------------------------------------------------------


def test_opt_out_page_shows_counts_but_no_addresses(host_client, alpha, viewer, in_alpha):
    services.optout_record(email="secret@example.com", source="one_click")
    content = host_client(alpha, viewer).get("/surveys/respondents/opt-outs/").content.decode()
    assert "One-click unsubscribe" in content and "secret@example.com" not in content
    assert "Record an opt-out" not in content


def test_consultant_records_an_opt_out(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post(
        "/surveys/respondents/opt-outs/", {"email": "Stop@Example.com"}, follow=True
    )
    assert "Opt-out recorded" in response.content.decode()
    with tenant_context(alpha):
        assert services.respondent_has_opted_out(email="stop@example.com")


def test_an_invalid_opt_out_address_is_an_inline_error(host_client, alpha, consultant):
    response = host_client(alpha, consultant).post("/surveys/respondents/opt-outs/", {"email": "nope"})
    assert "Enter a valid email address." in response.content.decode()
