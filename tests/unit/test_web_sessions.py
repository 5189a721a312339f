"""Console logins: session rows, CSRF tokens, and safe redirects."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.accounts import User, authenticate_password, create_user
from bot.db import utcnow
from bot.web.models import WebSession
from bot.web.sessions import (
    _safe_next,
    csrf_token,
    end_session,
    session_principal,
    start_session,
)


def _operator(db):
    with db.session() as session:
        create_user(session, username="op", password="operator-pass", role="operator")
        return authenticate_password(session, "op", "operator-pass")


def test_a_session_token_finds_its_account_until_logout(db):
    principal = _operator(db)
    with db.session() as session:
        token = start_session(session, principal)
    with db.session() as session:
        assert session_principal(session, token) == principal
        assert session_principal(session, token + "x") is None
        stored = session.get(WebSession, token)
        assert stored is None, "only the token's hash is stored"
        end_session(session, token)
    with db.session() as session:
        assert session_principal(session, token) is None


def test_expired_sessions_and_deactivated_accounts_are_refused(db):
    principal = _operator(db)
    with db.session() as session:
        expiring, deactivated = start_session(session, principal), start_session(session, principal)
    with db.session() as session:
        session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    with db.session() as session:
        assert session_principal(session, expiring) is None
    with db.session() as session:
        fresh = start_session(session, principal)
        session.execute(update(User).values(active=False))
    with db.session() as session:
        assert session_principal(session, fresh) is None
        assert session_principal(session, deactivated) is None


def test_csrf_tokens_are_bound_to_their_purpose_and_seed():
    token = csrf_token("secret", "session", "abc")
    assert token == csrf_token("secret", "session", "abc")
    assert token != csrf_token("secret", "login", "abc")
    assert token != csrf_token("secret", "session", "abd")
    assert token != csrf_token("other-secret", "session", "abc")


def test_login_redirects_stay_on_this_site():
    assert _safe_next("/department/tickets/ZS1") == "/department/tickets/ZS1"
    for unsafe in ("//evil.example/", "https://evil.example/", "/\\evil.example", "", None):
        assert _safe_next(unsafe) == ""
