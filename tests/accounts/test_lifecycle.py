"""Data lifecycle: export everything of a client, delete a client for good."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import Client as DjangoClient
from django_tenants.utils import tenant_context

from accounts import services
from accounts.models import AuditEvent, BackgroundJob, Client, Domain, Membership
from cxgap_project.tenant_tasks import schema_exists
from diagnostics.models import Dimension, JourneyMap
from tests.conftest import wait_until


def _export_zip(client, job_id) -> zipfile.ZipFile:
    job = BackgroundJob.objects.get(pk=job_id)
    assert job.status == "succeeded", job.message
    with tenant_context(client), default_storage.open(job.result["file"], "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_export_holds_every_table_as_json_and_csv(alpha, consultant):
    with tenant_context(alpha):
        JourneyMap.objects.create(name='=HYPERLINK("http://evil")', segment="SMB")
    job = services.job_create(client=alpha, kind="client_export", created_by=consultant)
    with tenant_context(alpha):
        services.client_export_run(client=alpha, job_id=str(job.pk))
    archive = _export_zip(alpha, job.pk)
    names = set(archive.namelist())
    assert {"client.json", "manifest.json", "diagnostics/dimension.csv", "diagnostics/dimension.json"} <= names
    assert {"surveys/answer.csv", "reports/gapreport.json"} <= names
    dimensions = json.loads(archive.read("diagnostics/dimension.json"))
    assert sorted(row["key"] for row in dimensions) == [
        "assurance",
        "empathy",
        "reliability",
        "responsiveness",
        "tangibles",
    ]
    maps = list(csv.DictReader(io.StringIO(archive.read("diagnostics/journeymap.csv").decode())))
    assert maps[0]["name"] == '\'=HYPERLINK("http://evil")'  # formula neutralised for spreadsheets
    assert json.loads(archive.read("client.json"))["members"][0]["email"]
    with tenant_context(alpha):
        default_storage.delete(BackgroundJob.objects.get(pk=job.pk).result["file"])


def test_export_contains_only_this_clients_data(alpha, beta, consultant):
    with tenant_context(beta):
        JourneyMap.objects.create(name="Beta secret journey")
    job = services.job_create(client=alpha, kind="client_export", created_by=consultant)
    with tenant_context(alpha):
        services.client_export_run(client=alpha, job_id=str(job.pk))
    archive = _export_zip(alpha, job.pk)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Beta secret journey" not in everything
    assert b"Beta Insurance" not in everything


def test_leaders_cannot_export(host_client, alpha, leader):
    assert host_client(alpha, leader).post("/settings/export/").status_code == 403
    assert not BackgroundJob.objects.filter(kind="client_export").exists()


@pytest.mark.worker
def test_export_is_prepared_by_a_worker_and_downloaded(committed_client, celery_worker_process):
    browser = DjangoClient(HTTP_HOST=f"{committed_client.slug}.localhost")
    browser.force_login(committed_client.test_consultant)
    response = browser.post("/settings/export/")
    assert response.status_code == 302
    job_id = response["Location"].split("job=")[1]
    job = wait_until(lambda: BackgroundJob.objects.filter(pk=job_id, status__in=["succeeded", "failed"]).first())
    assert job is not None
    assert job.status == "succeeded", job.message
    page = browser.get(f"/settings/export/?job={job_id}")
    assert b"Download the export" in page.content
    download = browser.get(f"/settings/export/{job_id}/download/")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.getvalue()))
    assert "diagnostics/dimension.csv" in archive.namelist()
    with tenant_context(committed_client):
        default_storage.delete(job.result["file"])


def test_export_download_of_another_clients_job_is_404(host_client, alpha, beta, consultant, users):
    job = services.job_create(client=beta, kind="client_export", created_by=users["beta_consultant"])
    assert host_client(alpha, consultant).get(f"/settings/export/{job.pk}/download/").status_code == 404


@pytest.fixture
def doomed(consultant):
    return services.client_create(acting_user=consultant, name="Doomed Corp", slug="doomed")


def test_deleting_needs_the_address_typed(console, consultant, doomed):
    response = console(consultant).post("/clients/doomed/delete/", {"confirm_slug": "wrong"})
    assert response.status_code == 200
    assert "Type “doomed” to confirm." in response.content.decode()
    assert Client.objects.filter(slug="doomed").exists() and schema_exists("doomed")


def test_deleting_removes_schema_domain_and_memberships_and_is_audited(console, consultant, doomed):
    assert console(consultant).get("/clients/doomed/delete/").status_code == 200
    response = console(consultant).post("/clients/doomed/delete/", {"confirm_slug": "doomed"})
    assert response.status_code == 302
    assert not Client.objects.filter(slug="doomed").exists()
    assert not schema_exists("doomed")
    assert not Domain.objects.filter(domain="doomed.localhost").exists()
    assert not Membership.objects.filter(client_id=doomed.pk).exists()
    event = AuditEvent.objects.get(action="client.delete")
    assert event.client is None and event.client_label == "Doomed Corp (doomed)"
    assert event.actor == consultant


def test_leaders_cannot_delete_their_client(console, alpha, leader):
    assert console(leader).post(f"/clients/{alpha.slug}/delete/", {"confirm_slug": alpha.slug}).status_code == 404
    assert Client.objects.filter(pk=alpha.pk).exists()


def test_deleting_a_foreign_client_is_404(console, beta, consultant):
    assert console(consultant).post(f"/clients/{beta.slug}/delete/", {"confirm_slug": beta.slug}).status_code == 404
    assert schema_exists(beta.schema_name)


def test_dimension_model_is_exported_in_the_tenant_model_list():
    from accounts.exports import tenant_models

    assert Dimension in tenant_models()
    assert all(model._meta.app_label in ("diagnostics", "surveys", "reports") for model in tenant_models())
