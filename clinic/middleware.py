"""Page-side mapping of the domain exceptions (the API has its own handler)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect

from clinic.errors import NotVisible, RuleRefused, StaleVersion, WrongRole
from clinic.http import safe_next


class DomainErrorMiddleware:
    """NotVisible → 404 page, WrongRole → 403 page; a refused rule or a stale
    version on a form post goes back to the page it came from with a message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotVisible):
            raise Http404(exception.message) from exception
        if isinstance(exception, WrongRole):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, RuleRefused | StaleVersion):
            # Answered with a redirect, but nothing was saved: the audit logs "refused".
            request.audit_refused = True
            messages.error(request, exception.message)
            return HttpResponseRedirect(safe_next(request, request.headers.get("referer")))
        return None


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response Django itself makes.

    Pages and API answers carry health data; neither the browser's disk
    cache, its back button after logout, nor a shared proxy may keep them.
    Static files are served before this (WhiteNoise) and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        return response
