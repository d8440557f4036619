"""Small helpers that build rows directly (flush only; the test commits when it needs to)."""
from __future__ import annotations

import itertools

from mvi_community.accounts.models import Membership, Organisation, User
from mvi_community.extensions import db

PASSWORD = "Correct-Horse-42"
_seq = itertools.count(1)


def make_organisation(code: str | None = None, name: str | None = None, type: str = "gemeente", **kwargs) -> Organisation:
    n = next(_seq)
    organisation = Organisation(code=code or f"gm9{n:03d}", name=name or f"Gemeente Proefdorp {n}", type=type, **kwargs)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(email: str | None = None, name: str | None = None, organisation: Organisation | None = None,
              role: str = "member", coordinator: bool = False, password: str = PASSWORD, active: bool = True) -> User:
    n = next(_seq)
    user = User(email=(email or f"gebruiker{n}@example.nl").lower(), name=name or f"Gebruiker {n}",
                is_coordinator=coordinator, active=active)
    user.set_password(password)
    db.session.add(user)
    if organisation is not None:
        db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.flush()
    return user


def commit() -> None:
    db.session.commit()
