"""Creating clients: schema and domain appear; bad slugs are clear errors and create nothing."""

import pytest
from django.db import connection

from accounts.models import Client, Domain, Membership
from cxgap_project.tenant_tasks import schema_exists


def _schema_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace")
        return cursor.fetchone()[0]


def test_console_form_creates_schema_domain_and_consultant_membership(console, consultant):
    response = console(consultant).post(
        "/clients/new/",
        {
            "name": "Gamma Energy",
            "slug": "gamma",
            "brand_colour": "#123456",
            "k_anonymity_threshold": 6,
            "timezone": "Europe/Paris",
            "language": "fr",
            "benchmark_opt_in": "on",
        },
    )
    assert response.status_code == 302
    client = Client.objects.get(slug="gamma")
    assert schema_exists(client.schema_name)
    assert Domain.objects.filter(tenant=client, domain="gamma.localhost").exists()
    assert Membership.objects.get(client=client, user=consultant).role == "consultant"
    assert (client.k_anonymity_threshold, client.benchmark_opt_in, client.timezone) == (6, True, "Europe/Paris")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Acme", "lowercase"),
        ("www", "reserved"),
        ("api", "reserved"),
        ("admin", "reserved"),
        ("public", "reserved"),
        ("a", "3–40"),
        ("bad_slug", "lowercase"),
        ("ends-", "hyphen"),
        ("alpha", "already exists"),
    ],
)
def test_bad_or_taken_slug_is_a_form_error_and_creates_nothing(console, consultant, alpha, slug, message):
    clients_before, schemas_before = Client.objects.count(), _schema_count()
    response = console(consultant).post(
        "/clients/new/",
        {
            "name": "New",
            "slug": slug,
            "brand_colour": "#123456",
            "k_anonymity_threshold": 5,
            "timezone": "UTC",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Client.objects.count(), _schema_count()) == (clients_before, schemas_before)


def test_api_rejects_reserved_slug_with_a_field_error(api_client, consultant):
    clients_before = Client.objects.count()
    response = api_client(None, consultant).post("/api/v1/clients/", {"name": "X", "slug": "admin"}, format="json")
    assert response.status_code == 400
    assert "reserved" in response.json()["extra"]["fields"]["slug"][0]
    assert Client.objects.count() == clients_before


def test_api_creates_a_client_for_a_consultant(api_client, consultant):
    response = api_client(None, consultant).post(
        "/api/v1/clients/", {"name": "Delta Air", "slug": "delta-air"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["portal_url"] == "http://delta-air.localhost:8000/"
    assert schema_exists("delta_air")


def test_client_leaders_cannot_create_clients(api_client, console, leader):
    assert (
        api_client(None, leader).post("/api/v1/clients/", {"name": "X", "slug": "xyz"}, format="json").status_code
        == 403
    )
    assert console(leader).get("/clients/new/").status_code == 404
    assert not Client.objects.filter(slug="xyz").exists()


def test_bad_brand_colour_and_threshold_are_field_errors(console, consultant):
    response = console(consultant).post(
        "/clients/new/",
        {
            "name": "Eps",
            "slug": "eps",
            "brand_colour": "red",
            "k_anonymity_threshold": 1,
            "timezone": "Nowhere/City",
            "language": "en",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a colour like #1d4ed8." in content
    assert "greater than or equal to 3" in content
    assert "Nowhere/City is not one of the available choices" in content
    assert not Client.objects.filter(slug="eps").exists()


def test_uploaded_logo_is_served_on_the_portal(console, consultant, host_client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    logo = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")
    response = console(consultant).post(
        "/clients/new/",
        {
            "name": "Zeta",
            "slug": "zeta",
            "brand_colour": "#123456",
            "k_anonymity_threshold": 5,
            "timezone": "UTC",
            "language": "en",
            "logo": logo,
        },
    )
    assert response.status_code == 302
    client = Client.objects.get(slug="zeta")
    served = host_client(client).get("/brand/logo/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_a_non_image_logo_is_rejected(console, consultant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    logo = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'></svg>", content_type="image/svg+xml")
    response = console(consultant).post(
        "/clients/new/",
        {
            "name": "Eta",
            "slug": "eta",
            "brand_colour": "#123456",
            "k_anonymity_threshold": 5,
            "timezone": "UTC",
            "language": "en",
            "logo": logo,
        },
    )
    assert response.status_code == 200
    assert not Client.objects.filter(slug="eta").exists()
