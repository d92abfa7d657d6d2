"""One emulator for the whole session (from KONTEXT_EMULATOR_BIN, started with --port 0 --json
--rate-limit 0), and the `N passed, N failed` line every scenario runner ends with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scenario_runner import control  # noqa: E402  (after the path it lives on)

# Scenario clients name their credentials explicitly; stray variables must not leak into them.
for _name in ("KONTEXT_BASE_URL", "KONTEXT_CLIENT_ID", "KONTEXT_CLIENT_SECRET"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Dict[str, str]]:
    """`{"baseUrl", "clientId", "clientSecret"}` of a running emulator."""
    binary = os.environ.get("KONTEXT_EMULATOR_BIN")
    if not binary:
        pytest.fail("set KONTEXT_EMULATOR_BIN to the kontext-management-emulator binary (`just test-python` does)")
    process = subprocess.Popen(
        [binary, "--port", "0", "--json", "--rate-limit", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the emulator exited without printing its address (exit code {process.wait()})")
        target: Dict[str, str] = json.loads(line)
        yield target
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture()
def target(emulator: Dict[str, str]) -> Iterator[Dict[str, str]]:
    """The session's emulator, reset to a fresh organization."""
    control(emulator, "POST", "/_emulator/reset", {})
    yield emulator


@pytest.fixture(scope="session")
def scenario_target(request: pytest.FixtureRequest) -> Dict[str, Any]:
    """What scenarios run against: the live organization named by KONTEXT_LIVE_BASE_URL,
    KONTEXT_LIVE_CLIENT_ID and KONTEXT_LIVE_CLIENT_SECRET when all are set (readOnly scenarios
    only), else the session's emulator."""
    live = {k: os.environ.get(f"KONTEXT_LIVE_{v}", "") for k, v in LIVE.items()}
    if all(live.values()):
        return {**live, "live": True}
    emulator: Dict[str, Any] = request.getfixturevalue("emulator")
    return emulator


LIVE = {"baseUrl": "BASE_URL", "clientId": "CLIENT_ID", "clientSecret": "CLIENT_SECRET"}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    counts = {"passed": 0, "failed": 0}
    for outcome in counts:
        for report in terminalreporter.stats.get(outcome, []):
            if "test_scenarios.py" in report.nodeid and report.when == "call":
                counts[outcome] += 1
    if sum(counts.values()):
        terminalreporter.write_line(f"scenarios: {counts['passed']} passed, {counts['failed']} failed")
