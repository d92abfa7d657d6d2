"""Testing code that calls the Kontext Management API, against the local emulator.

    pip install "kontext-management[testing]" pytest
    pytest            # the `kontext_emulator` fixture comes with the package

Each test gets a freshly reset emulator: a stateful API on 127.0.0.1 with fault injection,
a movable clock and a request log.
"""

import asyncio
import time
import unittest

from kontext_management import ManagementClient
from kontext_management.testing import start_emulator


def app_names(client: ManagementClient) -> list[str]:
    """The code under test: here, anything that calls the SDK."""
    return [app.name for app in client.applications.list_all()]


def test_a_503_is_retried(kontext_emulator):
    kontext_emulator.client().applications.create(name="Support copilot")
    kontext_emulator.fault(status=503, method="GET", path="/api/v1/applications")

    assert app_names(kontext_emulator.client()) == ["Support copilot"]

    statuses = [r["status"] for r in kontext_emulator.requests() if r["path"] == "/api/v1/applications"]
    assert statuses[-2:] == [503, 200]


def test_a_429_waits_for_retry_after(kontext_emulator):
    kontext_emulator.fault(status=429, path="/api/v1/applications", headers={"retry-after": "1"})

    async def main() -> int:
        async with kontext_emulator.async_client() as client:
            started = time.monotonic()
            page = await client.applications.list()
            assert time.monotonic() - started >= 1.0, "the client waited as Retry-After asked"
            return len(page.items)

    assert asyncio.run(main()) == 0
    assert [r["status"] for r in kontext_emulator.requests()][-2:] == [429, 200]


def test_an_expired_token_is_renewed(kontext_emulator):
    client = kontext_emulator.client()
    client.applications.list()
    kontext_emulator.advance_clock(3601)  # past the token's hour

    client.applications.list()

    log = [(r["path"], r["status"]) for r in kontext_emulator.requests()]
    assert log[-3:] == [("/api/v1/applications", 401), ("/oauth2/token", 200), ("/api/v1/applications", 200)]


def test_a_failure_the_client_gives_up_on(kontext_emulator):
    import kontext_management

    kontext_emulator.fault(status=503, path="/api/v1/applications", times=10)
    try:
        kontext_emulator.client(max_retries=1).applications.list()
        raise AssertionError("expected an error")
    except kontext_management.InternalServerError as e:
        assert e.status_code == 503


class WithUnittest(unittest.TestCase):
    """Other runners: the context manager starts and stops an emulator of their own."""

    def test_seeded_data(self):
        with start_emulator(seed=1) as emulator:
            self.assertEqual(len(app_names(emulator.client())), 6)
