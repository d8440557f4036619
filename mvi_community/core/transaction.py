"""One commit per request, in one place (house rule 3).

Services flush, never commit. After a request whose response is not an error, this commits;
on any error response or exception it rolls back. CLI commands commit through `commit_or_rollback`
and scheduled jobs through `core.jobs.run_job`.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, Response, current_app, g

from mvi_community.extensions import db


def register_transaction_handling(app: Flask) -> None:
    _track_writes()

    @app.after_request
    def commit_request(response: Response) -> Response:
        if response.status_code >= 400 or g.get("rollback_request"):
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        if g.get("outbox_pending") and current_app.config["MAIL_SEND_IMMEDIATELY"]:
            _deliver_now()
        return response

    @app.teardown_request
    def rollback_on_exception(error: BaseException | None) -> None:
        if error is not None:
            db.session.rollback()


def _deliver_now() -> None:
    from mvi_community.core.mail import deliver_outbox

    try:
        deliver_outbox()
        db.session.commit()
    except Exception:  # delivery problems never break the page; the scheduler retries
        db.session.rollback()
        current_app.logger.exception("Immediate mail delivery failed")


def rollback_request() -> None:
    """Mark the current request to roll back (for a view that handled a ServiceError), and roll
    back now when the request has written anything, so that the page it renders shows nothing
    half-done. A refusal before any write keeps what the request has loaded (no reloading: the
    page stays within its query budget); the rollback at the end of the request still happens."""
    g.rollback_request = True
    session = db.session
    if g.get("request_wrote") or session.new or session.dirty or session.deleted:
        session.rollback()
        g.request_wrote = False


_TRACKING = False


def _track_writes() -> None:
    """Note in `g` when the request's session flushes or runs an INSERT, UPDATE or DELETE statement."""
    global _TRACKING
    if _TRACKING:
        return
    from flask import has_request_context
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def wrote(*args, **kwargs) -> None:
        if has_request_context():
            g.request_wrote = True

    def executed(state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            wrote()

    event.listen(Session, "after_flush", wrote)
    event.listen(Session, "do_orm_execute", executed)
    _TRACKING = True


@contextmanager
def commit_or_rollback():
    """For CLI commands and jobs: commit at the end, roll back on any exception."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
