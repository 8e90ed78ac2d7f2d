"""Accounts: what django-axes and Django's password-reset views need from the site.

* ``client_ip``: the address a sign-in comes from, honest behind the number of
  reverse proxies ``MARGINS_PROXY_COUNT`` says are in front of the site.
* ``lockout_response``: the page shown instead of signing in once a user name
  has had too many wrong passwords from one address (status 429).
* ``PasswordResetConfirmView``: Django's, plus clearing that user's failed
  sign-ins once a new password is set through the e-mailed link.
"""

from axes.utils import reset as reset_failed_sign_ins
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render


def client_ip(request):
    """The client's address for throttling.

    With no proxy in front this is REMOTE_ADDR. Each proxy appends the address
    it received the request from to X-Forwarded-For, so with N proxies the
    client is the N-th entry from the right; entries further left are whatever
    the client chose to send, and are never trusted.
    """
    proxies = settings.MARGINS_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page, for the site's sign-in and the admin's alike."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the e-mailed link also lifts a sign-in lockout.

    Whoever followed the link controls the account's mailbox; they should not
    have to wait out a cool-off caused by guesses at the old password.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_failed_sign_ins(username=form.user.get_username())
        return response
