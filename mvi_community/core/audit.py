"""The audit log helper: `audit("user.role_changed", obj=user, role="coordinator")`."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from mvi_community.core.models import AuditEvent
from mvi_community.extensions import db


def audit(action: str, obj: Any = None, actor: Any = None, **data: Any) -> AuditEvent:
    """Record an event in the session (flushed with the rest, committed once per request)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None and getattr(obj, "id", 1) is None:
        db.session.flush()
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        data={k: v for k, v in data.items()},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
