"""Who may use which diagnostics endpoint: same rules as the pages."""

import pytest

READ_ENDPOINTS = [
    "/api/v1/maps/",
    "/api/v1/maps/{map}/",
    "/api/v1/maps/{map}/export/",
    "/api/v1/personas/",
    "/api/v1/personas/{persona}/",
    "/api/v1/stages/",
    "/api/v1/stages/{stage}/",
    "/api/v1/touchpoints/",
    "/api/v1/touchpoints/{touchpoint}/",
    "/api/v1/dimensions/",
    "/api/v1/dimensions/{dimension}/",
    "/api/v1/assessments/",
    "/api/v1/assessments/{assessment}/",
    "/api/v1/assessments/{assessment}/scores/",
    "/api/v1/assessments/{assessment}/gaps/",
    "/api/v1/initiatives/",
    "/api/v1/initiatives/{initiative}/",
    "/api/v1/initiatives/{initiative}/comments/",
    "/api/v1/initiatives/{initiative}/events/",
    "/api/v1/kpi-metrics/",
]
CONSULTANT_WRITES = [
    ("post", "/api/v1/maps/"),
    ("patch", "/api/v1/maps/{map}/"),
    ("delete", "/api/v1/maps/{map}/"),
    ("post", "/api/v1/maps/import/"),
    ("post", "/api/v1/maps/{map}/stages/reorder/"),
    ("post", "/api/v1/personas/"),
    ("patch", "/api/v1/personas/{persona}/"),
    ("delete", "/api/v1/personas/{persona}/"),
    ("post", "/api/v1/stages/"),
    ("patch", "/api/v1/stages/{stage}/"),
    ("delete", "/api/v1/stages/{stage}/"),
    ("post", "/api/v1/touchpoints/"),
    ("patch", "/api/v1/touchpoints/{touchpoint}/"),
    ("delete", "/api/v1/touchpoints/{touchpoint}/"),
    ("post", "/api/v1/dimensions/"),
    ("patch", "/api/v1/dimensions/{dimension}/"),
    ("delete", "/api/v1/dimensions/{dimension}/"),
    ("post", "/api/v1/assessments/"),
    ("patch", "/api/v1/assessments/{assessment}/"),
    ("delete", "/api/v1/assessments/{assessment}/"),
    ("put", "/api/v1/assessments/{assessment}/scores/"),
    ("post", "/api/v1/initiatives/"),
    ("patch", "/api/v1/initiatives/{initiative}/"),
    ("delete", "/api/v1/initiatives/{initiative}/"),
]


@pytest.mark.parametrize("path", READ_ENDPOINTS)
@pytest.mark.parametrize("role", ["consultant", "leader", "viewer"])
def test_every_member_reads_every_endpoint(api_client, alpha, users, alpha_objects, role, path):
    assert api_client(alpha, users[role]).get(path.format(**alpha_objects)).status_code == 200


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_members_of_another_client_get_404(api_client, alpha, beta_leader, alpha_objects, path):
    response = api_client(alpha, beta_leader).get(path.format(**alpha_objects))
    assert response.status_code == 404
    assert "Alpha" not in response.content.decode()


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_anonymous_callers_are_refused(api_client, alpha, alpha_objects, path):
    response = api_client(alpha).get(path.format(**alpha_objects))
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(("method", "path"), CONSULTANT_WRITES)
@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_only_consultants_write(api_client, alpha, users, alpha_objects, role, method, path):
    response = getattr(api_client(alpha, users[role]), method)(path.format(**alpha_objects), {}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), CONSULTANT_WRITES)
def test_members_of_another_client_cannot_write(api_client, alpha, beta_leader, alpha_objects, method, path):
    response = getattr(api_client(alpha, beta_leader), method)(path.format(**alpha_objects), {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["status", "kpi", "comments"])
def test_viewers_cannot_update_or_comment_through_the_api(api_client, alpha, viewer, alpha_objects, action):
    response = api_client(alpha, viewer).post(
        f"/api/v1/initiatives/{alpha_objects['initiative']}/{action}/",
        {"status": "planned", "kpi_current": "1", "body": "hi"},
        format="json",
    )
    assert response.status_code == 403


def test_the_owning_leader_moves_status_and_kpi_through_the_api(api_client, alpha, leader, alpha_objects):
    api = api_client(alpha, leader)
    base = f"/api/v1/initiatives/{alpha_objects['initiative']}"
    assert api.post(f"{base}/status/", {"status": "planned"}, format="json").json()["status"] == "planned"
    assert api.post(f"{base}/kpi/", {"kpi_current": "7.5"}, format="json").json()["kpi_current"] == "7.50"
    assert api.post(f"{base}/comments/", {"body": "On track"}, format="json").status_code == 201
    kinds = [event["kind"] for event in api.get(f"{base}/events/").json()["results"]]
    assert kinds == ["comment", "kpi", "status"]


def test_a_leader_cannot_move_an_initiative_they_do_not_own(api_client, alpha, leader, consultant, alpha_objects):
    created = api_client(alpha, consultant).post("/api/v1/initiatives/", {"title": "Someone else's"}, format="json")
    response = api_client(alpha, leader).post(
        f"/api/v1/initiatives/{created.json()['id']}/status/", {"status": "planned"}, format="json"
    )
    assert response.status_code == 403
