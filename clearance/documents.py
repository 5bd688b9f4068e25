"""R24: the signed reply stored on a consultation (`document`): checks and serving.

A document is accepted only when its *content* is a PDF, PNG or JPEG (the
first bytes, not the name or the browser's content type) and it is at most
CONSULTATION_DOCUMENT_MAX_BYTES (10 MB). It is stored through Django's
storage API (local files by default, an S3-compatible bucket when configured)
under a random name, and read back only through views that check R3 and are
audited; the storage is never exposed by URL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

# content type -> (file suffix, leading bytes)
SIGNATURES: dict[str, tuple[str, bytes]] = {
    "application/pdf": ("pdf", b"%PDF-"),
    "image/png": ("png", b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": ("jpg", b"\xff\xd8\xff"),
}


def sniff(head: bytes) -> str | None:
    """The content type these leading bytes announce, or None."""
    for content_type, (_suffix, magic) in SIGNATURES.items():
        if head.startswith(magic):
            return content_type
    return None


def validate_document(upload) -> str:
    """Check an uploaded file; return its content type or raise a field error on `document`."""
    limit = int(settings.CONSULTATION_DOCUMENT_MAX_BYTES)
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise ValidationError({"document": "The file is empty."})
    if size > limit:
        raise ValidationError({"document": f"The file is larger than {limit // (1024 * 1024)} MB."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError({"document": "Only PDF, PNG or JPEG files are accepted."})
    suffix = SIGNATURES[content_type][0]
    upload.name = f"reply.{suffix}"  # the stored name is random; keep only a true suffix
    return content_type


def document_response(consultation) -> FileResponse:
    """Stream a consultation's document (the caller has checked R3)."""
    field = consultation.document
    field.open("rb")
    head = field.read(16)
    field.seek(0)
    content_type = sniff(head) or "application/octet-stream"
    suffix = SIGNATURES.get(content_type, ("bin", b""))[0]
    response = FileResponse(
        field,
        content_type=content_type,
        as_attachment=True,
        filename=f"consultation-{consultation.pk}-reply.{suffix}",
    )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
