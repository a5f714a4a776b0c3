"""Project-wide error pages."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader

# A 404 must not reveal which client a host belongs to: no name, logo or navigation.
ANONYMOUS_PAGE: dict[str, object] = {"current_client": None, "current_role": None, "navigation": []}


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render(ANONYMOUS_PAGE, request))
