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
    """Mark the current request to roll back (for a view that handled a ServiceError)."""
    g.rollback_request = True
    db.session.rollback()


@contextmanager
def commit_or_rollback():
    """For CLI commands and jobs: commit at the end, roll back on any exception."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
