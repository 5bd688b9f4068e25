"""Page-side mapping of the domain exceptions (the API has its own handler)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from clinic.errors import NotVisible, RuleRefused, StaleVersion, WrongRole


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
            messages.error(request, exception.message)
            back = request.headers.get("referer", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = "/"
            return HttpResponseRedirect(back)
        return None
