"""Project-wide error pages (JSON under /api/, in the API's error shape)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template import loader
from django.views import defaults

# A 404 must not reveal which client a host belongs to: no name, logo or navigation.
ANONYMOUS_PAGE: dict[str, object] = {"current_client": None, "current_role": None, "navigation": []}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"message": "Not found.", "extra": {}}, status=404)
    template = loader.get_template("404.html")
    return HttpResponseNotFound(template.render(ANONYMOUS_PAGE, request))


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        message = "Server error. It was logged; please try again later."
        return JsonResponse({"message": message, "extra": {}}, status=500)
    return defaults.server_error(request)
