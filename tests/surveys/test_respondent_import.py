"""Importing respondent files: preview, row-by-row report, idempotent upserts, opt-outs, encodings."""

import datetime

import pytest

from accounts.models import BackgroundJob
from cxgap_project.errors import ApplicationError, ConflictError
from surveys.importers import ImportFileError
from surveys.models import Audience, Respondent, RespondentImport
from surveys.services import respondents as services
from tests.surveys.conftest import RespondentFactory, csv_bytes, upload, xlsx_bytes

HEADER = ["email", "first_name", "last_name", "segment", "language", "purchase_date", "plan"]


def _import(alpha, consultant, content, name="people.csv", audience=Audience.CUSTOMERS):
    respondent_import = services.respondent_import_upload(
        client=alpha, acting_user=consultant, uploaded_file=upload(content, name), audience=audience
    )
    return services.respondent_import_confirm(client=alpha, acting_user=consultant, respondent_import=respondent_import)


def _reasons(respondent_import):
    return {error["row"]: error["code"] for error in respondent_import.errors}


MIXED_FILE = csv_bytes(
    [
        HEADER,
        ["ann@example.com", "Ann", "Archer", "retail", "en", "2026-01-31", "Gold"],  # row 2: good
        ["not-an-email", "Bob", "", "", "", "", ""],  # row 3: bad email
        ["cat@example.com", "Cat", "", "", "en", "31/01/2026", ""],  # row 4: bad date
        ["ANN@example.com ", "Ann again", "", "", "", "", ""],  # row 5: duplicate of row 2
        ["dan@example.com", "Dan", "", "", "de", "", ""],  # row 6: unknown language
        ["eve@example.com", "E" * 101, "", "", "", "", ""],  # row 7: over-long cell
        ["fay@example.com", "Fay", "", "b2b", "fr-FR", "2026/02/03", "Silver"],  # row 8: good
        ["", "No email", "", "", "", "", ""],  # row 9: missing email
    ]
)


def test_preview_maps_columns_and_counts_rows_without_importing(in_alpha, consultant):
    respondent_import = services.respondent_import_upload(
        client=in_alpha, acting_user=consultant, uploaded_file=upload(MIXED_FILE)
    )
    preview = respondent_import.preview
    assert [column["label"] for column in preview["columns"]] == [
        "Email",
        "First name",
        "Last name",
        "Segment",
        "Language",
        "Anchor date “purchase”",
        "Attribute “plan”",
    ]
    assert (preview["good_rows"], preview["bad_rows"], respondent_import.total_rows) == (2, 6, 8)
    assert preview["rows"][0] == ["2", "ann@example.com", "Ann", "Archer", "retail", "en", "2026-01-31", "Gold"]
    assert respondent_import.status == RespondentImport.Status.PREVIEW
    assert respondent_import.encoding == "utf-8"
    assert not Respondent.objects.exists()


def test_import_reports_every_bad_row_with_its_number_and_reason(in_alpha, consultant):
    respondent_import = _import(in_alpha, consultant, MIXED_FILE)
    assert _reasons(respondent_import) == {
        3: "bad_email",
        4: "bad_date",
        5: "duplicate",
        6: "bad_language",
        7: "too_long",
        9: "missing_email",
    }
    reasons = {error["row"]: error["reason"] for error in respondent_import.errors}
    assert reasons[5] == "duplicate of row 2 (same email)"
    assert "use YYYY-MM-DD" in reasons[4]
    assert (respondent_import.imported_rows, respondent_import.skipped_rows) == (2, 6)
    assert respondent_import.status == RespondentImport.Status.DONE


def test_only_good_rows_are_imported_with_their_fields(in_alpha, consultant):
    _import(in_alpha, consultant, MIXED_FILE)
    assert sorted(Respondent.objects.values_list("email", flat=True)) == ["ann@example.com", "fay@example.com"]
    fay = Respondent.objects.get(email="fay@example.com")
    assert (fay.first_name, fay.segment, fay.language) == ("Fay", "b2b", "fr")
    assert fay.anchor_dates == {"purchase": "2026-02-03"}
    assert fay.attributes == {"plan": "Silver"}


def test_reimporting_the_same_file_adds_nothing_twice(in_alpha, consultant):
    _import(in_alpha, consultant, MIXED_FILE)
    again = _import(in_alpha, consultant, MIXED_FILE)
    assert Respondent.objects.count() == 2
    assert (again.imported_rows, again.updated_rows) == (0, 0)
    assert again.preview["known_rows"] == 2


def test_a_later_file_updates_given_cells_and_keeps_blank_ones(in_alpha, consultant):
    _import(in_alpha, consultant, MIXED_FILE)
    update = csv_bytes(
        [["email", "first_name", "segment", "signup_date"], ["ann@example.com", "", "vip", "2025-12-01"]]
    )
    report = _import(in_alpha, consultant, update)
    ann = Respondent.objects.get(email="ann@example.com")
    assert (ann.first_name, ann.segment) == ("Ann", "vip")
    assert ann.anchor_dates == {"purchase": "2026-01-31", "signup": "2025-12-01"}
    assert report.updated_rows == 1


def test_formula_like_cells_are_stored_as_plain_text(in_alpha, consultant):
    formula = "=cmd|' /C calc'!A0"
    _import(in_alpha, consultant, csv_bytes([["email", "company", "note"], ["a@example.com", "+SUM(1,2)", formula]]))
    person = Respondent.objects.get()
    assert (person.company, person.attributes["note"]) == ("+SUM(1,2)", formula)


def test_opted_out_rows_are_skipped_and_never_imported(in_alpha, consultant):
    services.optout_record(email="Ann@Example.com", source="link")
    report = _import(in_alpha, consultant, MIXED_FILE)
    assert _reasons(report)[2] == "opted_out"
    assert not Respondent.objects.filter(email="ann@example.com").exists()


def test_windows_1252_file_imports_names_correctly(in_alpha, consultant):
    content = csv_bytes([["email", "first_name"], ["zoe@example.com", "Zoë"]], encoding="cp1252")
    report = _import(in_alpha, consultant, content)
    assert report.encoding == "cp1252"
    assert Respondent.objects.get().first_name == "Zoë"


def test_garbage_file_is_a_field_error_and_keeps_nothing(in_alpha, consultant):
    with pytest.raises(ImportFileError) as error:
        services.respondent_import_upload(
            client=in_alpha, acting_user=consultant, uploaded_file=upload(bytes(range(256)) * 10, "people.csv")
        )
    assert "file" in error.value.fields
    assert not RespondentImport.objects.exists()


def test_file_without_email_column_names_the_columns_found(in_alpha, consultant):
    with pytest.raises(ImportFileError) as error:
        services.respondent_import_upload(
            client=in_alpha, acting_user=consultant, uploaded_file=upload(csv_bytes([["name", "phone"], ["A", "1"]]))
        )
    assert "“name”, “phone”" in error.value.fields["file"][0]


def test_file_over_20_mb_is_refused(in_alpha, consultant):
    with pytest.raises(ApplicationError) as error:
        services.respondent_import_upload(
            client=in_alpha, acting_user=consultant, uploaded_file=upload(b"email\r\n" + b"x" * (20 * 1024 * 1024))
        )
    assert "20 MB" in error.value.fields["file"][0]


def test_xlsx_file_is_imported(in_alpha, consultant):
    content = xlsx_bytes(
        [["Email", "First name", "Purchase date"], ["xl@example.com", "Xena", datetime.datetime(2026, 3, 1)]]
    )
    report = _import(in_alpha, consultant, content, name="people.xlsx")
    person = Respondent.objects.get()
    assert (person.email, person.first_name, person.anchor_dates) == (
        "xl@example.com",
        "Xena",
        {"purchase": "2026-03-01"},
    )
    assert report.file_format == "xlsx"


def test_audience_chosen_for_the_file_applies_unless_a_column_says_otherwise(in_alpha, consultant):
    content = csv_bytes([["email", "audience"], ["a@example.com", ""], ["b@example.com", "Customer"]])
    _import(in_alpha, consultant, content, audience=Audience.STAFF)
    assert dict(Respondent.objects.values_list("email", "audience")) == {
        "a@example.com": "staff",
        "b@example.com": "customers",
    }


def test_an_import_is_confirmed_once(in_alpha, consultant):
    report = _import(in_alpha, consultant, MIXED_FILE)
    with pytest.raises(ConflictError):
        services.respondent_import_confirm(client=in_alpha, acting_user=consultant, respondent_import=report)


def test_the_stored_file_is_removed_after_the_import(in_alpha, consultant):
    preview = services.respondent_import_upload(
        client=in_alpha, acting_user=consultant, uploaded_file=upload(MIXED_FILE)
    )
    storage, name = preview.stored_file.storage, str(preview.stored_file.name)
    assert storage.exists(name)
    report = services.respondent_import_confirm(client=in_alpha, acting_user=consultant, respondent_import=preview)
    assert not storage.exists(name)
    assert not report.stored_file


def test_stored_error_list_is_capped_but_every_bad_row_is_counted(in_alpha, consultant):
    rows = [["email"]] + [[f"bad-{number}"] for number in range(1200)]
    report = _import(in_alpha, consultant, csv_bytes(rows))
    assert (len(report.errors), report.skipped_rows, report.errors_not_listed) == (1000, 1200, 200)
    assert report.errors[-1]["row"] == 1001


def test_large_file_is_queued_for_a_worker_with_a_progress_job(
    in_alpha, consultant, django_capture_on_commit_callbacks
):
    rows = [["email"]] + [[f"person{number}@example.com"] for number in range(2500)]
    preview = services.respondent_import_upload(
        client=in_alpha, acting_user=consultant, uploaded_file=upload(csv_bytes(rows))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = services.respondent_import_confirm(client=in_alpha, acting_user=consultant, respondent_import=preview)
    assert queued.status == RespondentImport.Status.QUEUED
    assert len(callbacks) == 1
    job = BackgroundJob.objects.get(pk=str(queued.job_id))
    assert (job.kind, job.progress_total) == ("respondent_import", 2500)
    assert not Respondent.objects.exists()


def test_the_background_run_imports_and_finishes_the_job(in_alpha, consultant, django_capture_on_commit_callbacks):
    rows = [["email"]] + [[f"person{number}@example.com"] for number in range(2500)]
    preview = services.respondent_import_upload(
        client=in_alpha, acting_user=consultant, uploaded_file=upload(csv_bytes(rows))
    )
    with django_capture_on_commit_callbacks(execute=False):
        queued = services.respondent_import_confirm(client=in_alpha, acting_user=consultant, respondent_import=preview)
    services.respondent_import_run(import_id=queued.pk, job_id=str(queued.job_id))
    services.respondent_import_run(import_id=queued.pk, job_id=str(queued.job_id))  # a second delivery: no-op
    queued.refresh_from_db()
    assert (queued.status, queued.imported_rows) == (RespondentImport.Status.DONE, 2500)
    assert Respondent.objects.count() == 2500
    job = BackgroundJob.objects.get(pk=str(queued.job_id))
    assert (job.status, job.percent) == ("succeeded", 100)


def test_rows_sent_as_json_are_imported_with_the_same_report(in_alpha, consultant):
    RespondentFactory.create(email="known@example.com", first_name="Known")
    report = services.respondent_rows_import(
        client=in_alpha,
        acting_user=consultant,
        rows=[
            {"email": "new@example.com", "first_name": "New", "signup_date": "2026-01-02", "tier": 3},
            {"email": "known@example.com", "segment": "b2b"},
            {"email": "broken"},
        ],
    )
    assert (report.imported_rows, report.updated_rows, report.skipped_rows) == (1, 1, 1)
    assert report.errors == [{"row": 3, "code": "bad_email", "reason": "bad email “broken”"}]
    new = Respondent.objects.get(email="new@example.com")
    assert (new.anchor_dates, new.attributes) == ({"signup": "2026-01-02"}, {"tier": "3"})


def test_json_rows_without_email_are_refused(in_alpha, consultant):
    with pytest.raises(ImportFileError) as error:
        services.respondent_rows_import(client=in_alpha, acting_user=consultant, rows=[{"name": "x"}])
    assert "rows" in error.value.fields


def test_unconfirmed_previews_lose_their_file_after_two_days(in_alpha, consultant):
    old = services.respondent_import_upload(client=in_alpha, acting_user=consultant, uploaded_file=upload(MIXED_FILE))
    fresh = services.respondent_import_upload(client=in_alpha, acting_user=consultant, uploaded_file=upload(MIXED_FILE))
    RespondentImport.objects.filter(pk=old.pk).update(created_at=old.created_at - datetime.timedelta(days=3))
    storage, old_name = old.stored_file.storage, str(old.stored_file.name)
    assert services.respondent_import_previews_discard() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (RespondentImport.Status.FAILED, RespondentImport.Status.PREVIEW)
    assert "Upload it again" in old.error_message
    assert not storage.exists(old_name) and storage.exists(str(fresh.stored_file.name))
    with pytest.raises(ConflictError):
        services.respondent_import_confirm(client=in_alpha, acting_user=consultant, respondent_import=old)


def test_the_cleanup_task_runs_in_the_clients_schema(alpha, consultant):
    from django_tenants.utils import tenant_context

    from surveys.tasks_import import respondent_import_cleanup_task

    with tenant_context(alpha):
        old = services.respondent_import_upload(client=alpha, acting_user=consultant, uploaded_file=upload(MIXED_FILE))
        RespondentImport.objects.filter(pk=old.pk).update(created_at=old.created_at - datetime.timedelta(days=3))
    result = respondent_import_cleanup_task.apply(kwargs={"schema_name": alpha.schema_name}, throw=True)
    assert result.get() == 1
