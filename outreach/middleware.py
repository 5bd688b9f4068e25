"""Patient pages share nothing with the staff session (R29).

For paths under PATIENT_PAGES_PREFIX the staff session cookie is dropped
before Django's session middleware reads it, so a staff member's login in
the same browser is neither visible to nor refreshed by a patient page,
and the response is marked not to be cached, indexed or referred.
"""

from __future__ import annotations

from django.conf import settings


class PatientPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.PATIENT_PAGES_PREFIX.strip("/") + "/"

    def __call__(self, request):
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        # same-origin, not no-referrer: with no-referrer Chrome sends `Origin: null` on
        # the form posts and CSRF refuses them; other sites never see the token.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
