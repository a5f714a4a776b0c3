"""The client URLs plus a stand-in for the plan's "create an initiative" page (diagnostics branch)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from cxgap_project.urls_tenant import urlpatterns as client_urlpatterns


def initiative_create(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in for diagnostics:initiative_create")


plan = ([path("plan/initiatives/new/", initiative_create, name="initiative_create")], "diagnostics")
urlpatterns = [path("", include(plan))] + [
    pattern
    for pattern in client_urlpatterns
    if not (isinstance(pattern, URLResolver) and pattern.namespace == "diagnostics")
]
