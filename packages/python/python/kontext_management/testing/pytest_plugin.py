"""pytest plugin (entry point ``pytest11``: loaded wherever kontext-management is installed):
the ``kontext_emulator`` fixture.

Nothing starts until a test asks for the fixture. The emulator process lives for the whole
session (so one per pytest-xdist worker) and is reset before each test; clients made with
``kontext_emulator.client()`` / ``.async_client()`` are closed after the test. Override
``kontext_emulator_options`` (session scope) to start it differently::

    @pytest.fixture(scope="session")
    def kontext_emulator_options():
        return {"rate_limit": 0, "token_ttl": 60}
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from ._emulator import Emulator


@pytest.fixture(scope="session")
def kontext_emulator_options() -> Dict[str, Any]:
    """Keyword arguments of :func:`kontext_management.testing.start_emulator` for the session's
    emulator (default: none, i.e. loopback, a free port, the emulator's defaults)."""
    return {}


@pytest.fixture(scope="session")
def kontext_emulator_session(kontext_emulator_options: Dict[str, Any]) -> Iterator[Emulator]:
    """The session's emulator process, not reset between tests (prefer ``kontext_emulator``)."""
    with Emulator(**kontext_emulator_options) as emulator:
        yield emulator


@pytest.fixture
def kontext_emulator(kontext_emulator_session: Emulator) -> Iterator[Emulator]:
    """A running emulator, reset for this test: ``base_url``, ``client_id``, ``client_secret``,
    ``client()``, ``async_client()``, ``env``, and the control API (``reset``, ``seed``,
    ``fault``, ``clear_faults``, ``advance_clock``, ``requests``, ``clear_requests``,
    ``configure``, ``revoke_tokens``, ``authorize``)."""
    kontext_emulator_session.reset()
    try:
        yield kontext_emulator_session
    finally:
        kontext_emulator_session._close_clients()
