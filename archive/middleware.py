"""Input every request must pass before any view or query sees it.

Query strings, form fields and the address itself are text from anyone; one
holding a NUL character (refused by PostgreSQL inside any query) or a lone
surrogate is answered 400 with a message naming the parameter, so no view,
admin filter or search ever sends it to the database. JSON bodies are checked
by the API's own schemas (``archive.schemas``).

Cookies are not the visitor's words: a cookie holding such characters is
dropped (treated as absent) rather than refused, before the session is read.
"""

from django.http import JsonResponse
from django.shortcuts import render

from archive.validators import text_problem


def _bad(request, message):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"errors": {"__all__": [message]}}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def request_problem(request):
    """A sentence saying which part of ``request`` is not usable text, or ``""``."""
    problem = text_problem(request.path_info)
    if problem:
        return f"The address {problem}."
    sources = [("query parameter", request.GET)]
    if request.method == "POST":
        sources.append(("form field", request.POST))
    for kind, data in sources:
        for key, values in data.lists():
            problem = text_problem(key)
            if problem:
                return f"The name of a {kind} {problem}."
            for value in values:
                problem = text_problem(value)
                if problem:
                    return f"The {kind} “{key}” {problem}."
    return ""


class StrictInputMiddleware:
    """Listed first in MIDDLEWARE: cookies are cleaned before the session
    middleware reads its own; the request itself is checked in ``process_view``
    so the 400 page passes back through every other middleware (CSP included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(text_problem(key) or text_problem(value) for key, value in request.COOKIES.items()):
            request.COOKIES = {
                key: value
                for key, value in request.COOKIES.items()
                if not (text_problem(key) or text_problem(value))
            }
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        problem = request_problem(request)
        if problem:
            return _bad(request, problem)
        return None
