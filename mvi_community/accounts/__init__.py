"""Accounts: users, organisations, memberships, roles, sign-in, invitations."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from mvi_community.accounts import views  # noqa: E402,F401
