"""Logging: the core's records reach the standard ``logging`` module (logger ``kontext_management``) with
their request ids, never carry a secret or token, and cost nothing while the logger is quiet."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import subprocess
import sys
import urllib.request
from typing import Any, Dict, Iterator, List

import kontext_management
import pytest
from kontext_management import _logging
from scenario_runner import control


def mint_token(target: Dict[str, str]) -> str:
    basic = base64.b64encode(f"{target['clientId']}:{target['clientSecret']}".encode()).decode()
    request = urllib.request.Request(
        target["baseUrl"] + "/oauth2/token",
        data=b"grant_type=client_credentials&scope=management%3Aall",
        method="POST",
        headers={"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token: str = json.loads(response.read())["access_token"]
    return token


def kontext_records(caplog: pytest.LogCaptureFixture) -> List[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kontext_management"]


def test_requests_are_logged_with_request_ids_and_without_secrets(
    target: Dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    token = mint_token(target)
    with caplog.at_level(logging.DEBUG, logger="kontext_management"):
        with kontext_management.ManagementClient(
            base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
        ) as client:
            created = client.applications.create(name="logged", oauth={"redirect_uris": ["https://app.example/cb"]})
            control(target, "POST", "/_emulator/faults", {"method": "GET", "path": "/api/v1/applications", "status": 503, "times": 1})
            client.applications.list()
            control(target, "POST", "/_emulator/faults", {"method": "GET", "path": "/api/v1/applications", "status": 401, "times": 1})
            client.applications.list()
        with kontext_management.ManagementClient(base_url=target["baseUrl"], access_token=token) as bearer:
            bearer.service_accounts.list()

        async def run_async() -> None:
            async with kontext_management.AsyncManagementClient(
                base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
            ) as aclient:
                await aclient.traces.list()

        asyncio.run(run_async())

    records = kontext_records(caplog)
    responses = [r for r in records if r.getMessage().startswith("response ")]
    assert responses, [r.getMessage() for r in records]
    for record in responses:
        assert record.levelno == logging.DEBUG
        fields = record.kontext_fields  # type: ignore[attr-defined]
        assert fields["request_id"].startswith("req_"), fields
        assert f"request_id={fields['request_id']}" in record.getMessage()
    messages = [r.getMessage() for r in records]
    assert any(m.startswith("response method=POST path=/applications status=20") for m in messages), messages
    assert any(m.startswith("response method=GET path=/service-accounts status=200") for m in messages)
    assert any(m.startswith("response method=GET path=/traces status=200") for m in messages), messages
    assert any(m.startswith("retrying after:") and "retry=1" in m for m in messages), messages
    assert any("401: renewing the token" in m for m in messages), messages

    secrets = [target["clientSecret"], token, created.oauth.client_secret or "unset-secret"]
    basic = base64.b64encode(f"{target['clientId']}:{target['clientSecret']}".encode()).decode()
    for record in records:
        text = record.getMessage() + json.dumps(record.kontext_fields)  # type: ignore[attr-defined]
        for secret in [*secrets, basic, "Bearer ", "Basic "]:
            assert secret not in text, text


def test_a_quiet_logger_costs_no_crossing(target: Dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []
    monkeypatch.setattr(_logging._sink, "log", lambda *args: calls.append(args))
    logger = logging.getLogger("kontext_management")
    try:
        logger.setLevel(logging.WARNING)
        with kontext_management.ManagementClient(
            base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
        ) as client:
            client.applications.list()
        assert calls == []  # the core was told WARNING: its DEBUG records were never even built
        logger.setLevel(logging.DEBUG)
        with kontext_management.ManagementClient(
            base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
        ) as client:
            client.applications.list()
        assert any(level == "debug" and line.startswith("response ") for level, _, line, _ in calls), calls
    finally:
        logger.setLevel(logging.NOTSET)


def test_a_failing_handler_does_not_fail_the_call(target: Dict[str, str]) -> None:
    class Broken(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise RuntimeError("broken handler")

        def handleError(self, record: logging.LogRecord) -> None:
            raise RuntimeError("and a broken error handler")

    logger = logging.getLogger("kontext_management")
    handler = Broken()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with kontext_management.ManagementClient(
            base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
        ) as client:
            assert client.applications.list().items == []
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_kontext_log_environment_variable_logs_to_stderr(target: Dict[str, str]) -> None:
    script = (
        "import kontext_management\n"
        "kontext_management.ManagementClient(base_url={b!r}, client_id={i!r}, client_secret={s!r}).applications.list()\n"
    ).format(b=target["baseUrl"], i=target["clientId"], s=target["clientSecret"])
    env = {**os.environ, "KONTEXT_LOG": "debug"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "kontext_management - DEBUG] response method=GET path=/applications status=200 request_id=req_" in done.stderr
    assert target["clientSecret"] not in done.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", script], env={**env, "KONTEXT_LOG": "off"}, capture_output=True, text=True, timeout=60
    )
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
