"""Who reaches which diagnostics page: every role, a member of another client, and anonymous visitors."""

import pytest

READ_PAGES = [
    "/maps/",
    "/maps/{map}/",
    "/maps/{map}/export.json",
    "/scoring/",
    "/scoring/compare/",
    "/scoring/dimensions/",
    "/scoring/{assessment}/grid/",
    "/scoring/{assessment}/heatmap/",
    "/plan/",
    "/plan/priority/",
    "/plan/{initiative}/",
]
CONSULTANT_PAGES = [
    "/maps/new/",
    "/maps/import/",
    "/maps/{map}/edit/",
    "/maps/{map}/stages/new/",
    "/maps/{map}/stages/{stage}/edit/",
    "/maps/{map}/touchpoints/new/",
    "/maps/{map}/touchpoints/{touchpoint}/edit/",
    "/maps/{map}/personas/new/",
    "/maps/{map}/personas/{persona}/edit/",
    "/scoring/new/",
    "/scoring/{assessment}/edit/",
    "/scoring/dimensions/{dimension}/edit/",
    "/plan/new/",
    "/plan/{initiative}/edit/",
]
CONSULTANT_POSTS = [
    "/maps/{map}/delete/",
    "/maps/{map}/stages/{stage}/move/",
    "/maps/{map}/stages/{stage}/delete/",
    "/maps/{map}/touchpoints/{touchpoint}/move/",
    "/maps/{map}/touchpoints/{touchpoint}/delete/",
    "/maps/{map}/personas/{persona}/delete/",
    "/scoring/{assessment}/delete/",
    "/scoring/{assessment}/grid/",
    "/scoring/dimensions/",
    "/scoring/dimensions/{dimension}/visibility/",
    "/scoring/dimensions/{dimension}/delete/",
    "/plan/{initiative}/delete/",
]


@pytest.mark.parametrize("path", READ_PAGES)
@pytest.mark.parametrize("role", ["consultant", "leader", "viewer", "admin"])
def test_every_member_reads_maps_scores_and_plan(host_client, alpha, users, alpha_objects, role, path):
    response = host_client(alpha, users[role]).get(path.format(**alpha_objects))
    assert response.status_code == 200


@pytest.mark.parametrize("path", READ_PAGES + CONSULTANT_PAGES)
def test_members_of_another_client_get_404(host_client, alpha, beta_leader, alpha_objects, path):
    response = host_client(alpha, beta_leader).get(path.format(**alpha_objects))
    assert response.status_code == 404
    assert b"Alpha Retail" not in response.content


@pytest.mark.parametrize("path", READ_PAGES + CONSULTANT_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(host_client, alpha, alpha_objects, path):
    response = host_client(alpha).get(path.format(**alpha_objects))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("path", CONSULTANT_PAGES)
@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_cannot_open_editing_pages(host_client, alpha, users, alpha_objects, role, path):
    assert host_client(alpha, users[role]).get(path.format(**alpha_objects)).status_code == 403


@pytest.mark.parametrize("path", CONSULTANT_PAGES)
def test_consultants_open_editing_pages(host_client, alpha, consultant, alpha_objects, path):
    assert host_client(alpha, consultant).get(path.format(**alpha_objects)).status_code == 200


@pytest.mark.parametrize("path", CONSULTANT_POSTS)
@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_leaders_and_viewers_cannot_change_maps_scores_or_plan(host_client, alpha, users, alpha_objects, role, path):
    response = host_client(alpha, users[role]).post(path.format(**alpha_objects), {"direction": "up", "name": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", CONSULTANT_POSTS)
def test_members_of_another_client_cannot_post_changes(host_client, alpha, beta_leader, alpha_objects, path):
    assert host_client(alpha, beta_leader).post(path.format(**alpha_objects), {"direction": "up"}).status_code == 404


@pytest.mark.parametrize("action", ["status", "kpi", "comments"])
def test_viewers_cannot_update_or_comment_on_initiatives(host_client, alpha, viewer, alpha_objects, action):
    path = f"/plan/{alpha_objects['initiative']}/{action}/"
    response = host_client(alpha, viewer).post(path, {"status": "planned", "kpi_current": "1", "body": "hi"})
    assert response.status_code == 403


def test_the_leader_sees_progress_forms_only_on_initiatives_they_own(host_client, alpha, leader, alpha_objects):
    page = host_client(alpha, leader).get(f"/plan/{alpha_objects['initiative']}/").content.decode()
    assert "Change status" in page and "Update current value" in page and "Add comment" in page
    assert "Edit</a>" not in page


def test_viewers_see_the_plan_without_any_form(host_client, alpha, viewer, alpha_objects):
    page = host_client(alpha, viewer).get(f"/plan/{alpha_objects['initiative']}/").content.decode()
    assert "Change status" not in page and "Add comment" not in page


def test_viewers_see_the_score_grid_read_only(host_client, alpha, viewer, alpha_objects):
    page = host_client(alpha, viewer).get(f"/scoring/{alpha_objects['assessment']}/grid/").content.decode()
    assert "score-grid--read" in page and 'type="number"' not in page
