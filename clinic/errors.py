"""The project's domain exceptions: what services and selectors raise.

Services know nothing of HTTP. They raise one of these (or Django's
``ValidationError`` for field-level bad input), and the edges map them once:
``clinic.api.exceptions.exception_handler`` for the API and
``clinic.middleware.DomainErrorMiddleware`` for pages.

| exception      | API  | pages                         |
|----------------|------|-------------------------------|
| NotVisible     | 404  | the 404 page                  |
| WrongRole      | 403  | the 403 page, with the reason |
| RuleRefused    | 400  | a form error / message        |
| StaleVersion   | 409  | a message: reload and retry   |
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every domain refusal; ``message`` is shown to people."""

    default_message = "This request was refused."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotVisible(DomainError):
    """The record does not exist, or the caller may not see it (R3): same answer."""

    default_message = "Not found."


class WrongRole(DomainError):
    """The caller's role or discipline may not do this (R8, R12, R15)."""

    default_message = "Your role cannot do this."


class StaleVersion(DomainError):
    """Optimistic locking: someone else changed the record first."""

    default_message = "This record was changed by someone else; reload and try again."


class RuleRefused(DomainError):
    """A domain rule refused the request (R5, R6, R10 …), optionally on one field."""

    def __init__(self, rule: str, message: str, *, field: str | None = None):
        self.rule = rule
        self.field = field
        super().__init__(message)

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {self.field or "non_field_errors": [self.message]}
