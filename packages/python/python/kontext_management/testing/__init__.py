"""Testing code that uses the SDK, against a local emulator of the Kontext Management API.

HTTP made by the SDK happens inside its Rust core, so Python HTTP mocks (respx, responses,
pytest-httpx) cannot intercept it. The emulator can stand in for the API instead: a stateful
local server with fault injection, a movable clock and a request log. Install it with
``pip install "kontext-management[testing]"``.

With pytest, the ``kontext_emulator`` fixture (this package's pytest plugin, loaded automatically)
gives each test a freshly reset emulator (one process per session, so one per pytest-xdist
worker)::

    def test_retries_a_503(kontext_emulator):
        kontext_emulator.fault(status=503, path="/api/v1/applications")
        assert kontext_emulator.client().applications.list().items == []
        assert [r["status"] for r in kontext_emulator.requests()][-2:] == [503, 200]

Elsewhere (unittest, scripts)::

    with start_emulator() as emulator:
        client = emulator.client()          # or emulator.async_client()
        ...
"""

from ._emulator import Emulator, EmulatorError, find_emulator_binary, start_emulator

__all__ = ["Emulator", "EmulatorError", "find_emulator_binary", "start_emulator"]
