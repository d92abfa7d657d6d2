"""Every shared scenario, once with the blocking client and once with the asyncio client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from scenario_runner import AsyncEngine, ScenarioFailure, ScenarioRun, SyncEngine

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(p for p in SCENARIOS.glob("*.json"))
ENGINES = {"sync": SyncEngine, "async": AsyncEngine}


@pytest.mark.parametrize("mode", list(ENGINES))
@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path, mode: str, scenario_target: Dict[str, Any]) -> None:
    scenario: Dict[str, Any] = json.loads(path.read_text())
    assert scenario["name"] == path.stem, "a scenario's name must equal its file name"
    if scenario_target.get("live") and not scenario.get("readOnly"):
        pytest.skip("not readOnly: runs against the emulator only")
    try:
        ScenarioRun(scenario, scenario_target, ENGINES[mode]()).run()
        return
    except ScenarioFailure as failure:
        message = str(failure)
    # The failure text already says where and why; the runner's own frames add nothing.
    pytest.fail(message, pytrace=False)
