"""User tokens through Authorization Code + PKCE (blocking functions; the coroutines are in
:mod:`kontext.async_oauth`). None of these needs a client.

The flow: :func:`create_pkce_challenge` → send the user to :func:`build_authorize_url` → receive
``code`` on the redirect URI → :func:`exchange_code` → use ``tokens.access_token`` with
``ManagementClient(access_token=...)`` → :func:`refresh` before it expires.
"""

from __future__ import annotations

from typing import Optional, Sequence

from ._engine import oauth_call_blocking
from ._models import AuthorizeUrl, PkceChallenge, UserTokens
from ._resource_base import kw

__all__ = ["create_pkce_challenge", "build_authorize_url", "exchange_code", "refresh"]


def create_pkce_challenge() -> PkceChallenge:
    """A fresh PKCE verifier (keep it until the code exchange) and its S256 challenge."""
    return PkceChallenge._wrap(oauth_call_blocking("oauth.createPkceChallenge", []))


def build_authorize_url(
    *,
    base_url: str,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    scopes: Optional[Sequence[str]] = None,
    state: Optional[str] = None,
) -> AuthorizeUrl:
    """The URL to send the user to (read from the server's discovery document), with a
    ``state`` to compare with the one on the redirect (generated when not given)."""
    return AuthorizeUrl._wrap(oauth_call_blocking("oauth.buildAuthorizeUrl", [kw(locals())]))


def exchange_code(
    *,
    base_url: str,
    client_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    client_secret: Optional[str] = None,
) -> UserTokens:
    """Trades the ``code`` from the redirect for tokens (``client_secret`` for confidential
    applications)."""
    return UserTokens._wrap(oauth_call_blocking("oauth.exchangeCode", [kw(locals())]))


def refresh(
    *,
    base_url: str,
    client_id: str,
    refresh_token: str,
    client_secret: Optional[str] = None,
) -> UserTokens:
    """A new access token for a refresh token; keep the returned refresh token (it may rotate)."""
    return UserTokens._wrap(oauth_call_blocking("oauth.refresh", [kw(locals())]))
