"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path


def server_error(request):
    raise RuntimeError("a bug, on purpose")


def forbidden(request):
    raise PermissionDenied


def bad_request(request):
    raise SuspiciousOperation("a malformed request, on purpose")


urlpatterns = [
    path("test-errors/500/", server_error),
    path("test-errors/403/", forbidden),
    path("test-errors/400/", bad_request),
    path("", include("config.urls")),
]
