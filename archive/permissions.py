"""Who may do what: the one definition of "analyst".

An analyst is a signed-in, active user who may read drafts (the Analysts
group grants ``archive.view_draft``; a superuser has every permission). Every
check in views, API, templates and querysets asks ``is_analyst``; a write
additionally needs the model permission for that very action (``add``,
``change`` or ``delete``), checked with ``may``.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

ANALYST_PERMISSION = "archive.view_draft"


def is_analyst(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(ANALYST_PERMISSION)
    )


def may(user, permission: str) -> bool:
    """Whether ``user`` is an analyst holding ``permission`` (e.g. ``"archive.delete_claim"``)."""
    return is_analyst(user) and user.has_perm(permission)


def analyst_required(permission: str):
    """View decorator: 403 unless ``may(request.user, permission)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not may(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
