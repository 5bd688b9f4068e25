"""Reading what a browser sends: ids typed into forms and `next` targets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

MAX_ID = 2**63 - 1


def parse_int(raw, *, minimum: int = 0) -> int | None:
    """A non-negative integer typed into a form (a version, a count), or None.

    `str.isdigit()` is not a test for this: it accepts "²" and other digits
    `int()` refuses, and numbers past BIGINT would fail in the database.
    """
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > 19:
        return None
    number = int(text)
    return number if minimum <= number <= MAX_ID else None


def parse_id(raw) -> int | None:
    """A positive database id from text, or None."""
    return parse_int(raw, minimum=1)


def safe_next(request: HttpRequest, target: str | None, fallback: str = "/") -> str:
    """`target` when it stays on this site (same host, no scheme switch), else `fallback`.

    `fallback` may be a URL name ("sessions:today") or a path.
    """
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)


def redirect_next(request: HttpRequest, fallback: str = "/") -> HttpResponseRedirect:
    """Redirect to the POSTed (or queried) `next`, only when it is safe (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next")
    return redirect(safe_next(request, target, fallback))
