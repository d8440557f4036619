"""Attachments on support requests (DESIGN.md §8): checked by content and size by `core.uploads`,
stored outside ``static/`` under random names, downloaded only by who may see the request
(members of the requesting organisation, coordinators, and the expert it was sent to)."""
from __future__ import annotations

import os
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mvi_community.core import uploads
from mvi_community.core.audit import audit
from mvi_community.core.errors import NotFound, ServiceError
from mvi_community.core.permissions import is_coordinator, is_member, require
from mvi_community.expertpool.models import RequestAttachment, SupportRequest
from mvi_community.expertpool.services.requests import get_request, load_request
from mvi_community.extensions import db

MAX_ATTACHMENTS = 10


def chosen_files(files: Iterable | None) -> list:
    """The files actually chosen in a (multiple) file field; an empty file input sends none."""
    return [f for f in (files or []) if f is not None and getattr(f, "filename", None)]


def can_add(user, support_request: SupportRequest) -> bool:
    return (support_request.status not in SupportRequest.CLOSED
            and (is_coordinator(user) or is_member(user, support_request.organisation)))


def can_delete(user, support_request: SupportRequest) -> bool:
    return support_request.is_open and (is_coordinator(user) or is_member(user, support_request.organisation))


def store_attachments(actor, support_request: SupportRequest, files: Iterable, field: str = "file",
                      ) -> list[RequestAttachment]:
    """Check and store every file, or none: on a refusal the files stored so far are removed from
    disk and `UploadRefused` (naming `field`) is raised; the caller rolls the request back."""
    files = chosen_files(files)
    if not files:
        return []
    if support_request.status in SupportRequest.CLOSED:
        raise ServiceError(_l("Bij een gesloten hulpvraag kunt u geen bijlagen meer toevoegen."), field=field)
    count = 0
    if support_request.id is not None:
        count = db.session.scalar(select(func.count(RequestAttachment.id))
                                  .where(RequestAttachment.request_id == support_request.id)) or 0
    if count + len(files) > MAX_ATTACHMENTS:
        raise uploads.UploadRefused(_l("Een hulpvraag heeft hoogstens %(n)s bijlagen.", n=MAX_ATTACHMENTS),
                                    field=field)
    stored: list[uploads.StoredFile] = []
    try:
        for file in files:
            try:
                stored.append(uploads.store_upload(file))
            except uploads.UploadRefused as error:
                name = os.path.basename((file.filename or "").replace("\\", "/"))
                message = (_l("Bestand %(name)s: %(reason)s", name=name, reason=error.message)
                           if len(files) > 1 else error.message)
                raise uploads.UploadRefused(message, field=field) from error
        attachments = [
            RequestAttachment(request=support_request, filename=s.filename, stored_name=s.stored_name,
                              content_type=s.content_type, size=s.size, uploaded_by_id=actor.id)
            for s in stored
        ]
        db.session.add_all(attachments)
        db.session.flush()
    except Exception:
        for s in stored:
            uploads.delete_stored(s.stored_name)
        raise
    for attachment in attachments:
        audit("expertpool.attachment_added", obj=support_request, filename=attachment.filename)
    return attachments


def add_attachment(actor, request_id: int, file) -> RequestAttachment:
    """A member of the requesting organisation (or a coordinator) adds a file while the request is not closed."""
    support_request = load_request(request_id)
    require(is_coordinator(actor) or is_member(actor, support_request.organisation),
            _l("Alleen de aanvragende organisatie kan bijlagen toevoegen."))
    if file is None or not getattr(file, "filename", None):
        raise uploads.UploadRefused(_l("Kies een bestand om te uploaden."), field="file")
    return store_attachments(actor, support_request, [file], field="file")[0]


def get_attachment(actor, request_id: int, attachment_id: int) -> RequestAttachment:
    """The attachment, if the actor may see the request (403 otherwise; 404 for a wrong id)."""
    get_request(actor, request_id)
    attachment = db.session.get(RequestAttachment, attachment_id)
    if attachment is None or attachment.request_id != request_id:
        raise NotFound()
    return attachment


def delete_attachment(actor, request_id: int, attachment_id: int) -> RequestAttachment:
    """The requesting organisation removes one of its attachments while the request is open."""
    support_request = load_request(request_id)
    require(is_coordinator(actor) or is_member(actor, support_request.organisation),
            _l("Alleen de aanvragende organisatie kan bijlagen verwijderen."))
    attachment = db.session.get(RequestAttachment, attachment_id)
    if attachment is None or attachment.request_id != request_id:
        raise NotFound()
    if not support_request.is_open:
        raise ServiceError(_l("Bijlagen kunnen alleen worden verwijderd zolang de hulpvraag open is."))
    stored_name = attachment.stored_name
    db.session.delete(attachment)
    db.session.flush()
    uploads.delete_stored(stored_name)
    audit("expertpool.attachment_deleted", obj=support_request, filename=attachment.filename)
    return attachment
