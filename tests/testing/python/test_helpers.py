"""kontext_management.testing as installed from the wheels (`just test-testing`): where it finds
the binary, how it fails, that it never leaves a process behind, one emulator per xdist worker,
loopback only, and the control API closed to other origins."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kontext_management.testing import EmulatorError, find_emulator_binary, start_emulator


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by a parent that is gone) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def run_pytest(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path / "test_inner.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )


def test_the_packaged_binary_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KONTEXT_EMULATOR_BIN", raising=False)
    assert find_emulator_binary() == os.path.join(sysconfig.get_path("scripts"), "kontext-management-emulator")


def test_a_missing_binary_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KONTEXT_EMULATOR_BIN", str(tmp_path / "nowhere"))
    with pytest.raises(EmulatorError, match="KONTEXT_EMULATOR_BIN=.*nowhere.* is not an executable file"):
        start_emulator()
    monkeypatch.delenv("KONTEXT_EMULATOR_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sysconfig, "get_path", lambda *a, **k: str(tmp_path))
    with pytest.raises(EmulatorError, match=r'pip install "kontext-management\[testing\]"'):
        start_emulator()


def test_a_taken_port_is_a_clear_error() -> None:
    with start_emulator() as first:
        port = int(first.base_url.rsplit(":", 1)[1])
        with pytest.raises(EmulatorError, match=f"exited with code 1: .*cannot bind 127.0.0.1:{port}"):
            start_emulator(port=port)


def test_loopback_only_and_closed_to_other_origins() -> None:
    with start_emulator() as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:")
        # Bound to 127.0.0.1 itself, not to every interface: 127.0.0.2 (also this machine) is refused.
        port = int(emulator.base_url.rsplit(":", 1)[1])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
        request = urllib.request.Request(emulator.base_url + "/_emulator/reset", data=b"{}", method="POST",
                                         headers={"content-type": "application/json", "origin": "https://evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
        # A page on a loopback origin (a local dev server) may drive it.
        request.remove_header("Origin")
        request.add_header("origin", "http://localhost:5173")
        with urllib.request.urlopen(request, timeout=10) as ok:
            assert ok.status == 200


def test_control_errors_name_the_field() -> None:
    with start_emulator() as emulator:
        with pytest.raises(EmulatorError, match="status must be an HTTP status"):
            emulator.fault(status=700)
        with pytest.raises(ValueError, match="non-negative integer"):
            emulator.advance_clock(-1)
        assert emulator.fault(status=500) == "fault_1"
        emulator.clear_faults()
        seeded = emulator.seed(applications=2)
        assert sorted(seeded) == ["application_ids", "decision_ids", "integration_ids", "service_account_ids",
                                  "session_ids", "trace_ids"]
        assert len(seeded["application_ids"]) == 2
        assert emulator.configure(rate_limit_per_minute=0) == {
            "rate_limit_per_minute": 0, "token_ttl_seconds": 3600, "omit_expires_in": False,
            "device_grant": True, "device_interval_ms": 5000, "device_expires_in_seconds": 600}
        assert emulator.revoke_tokens() == 0


def test_stop_and_with_leave_no_process() -> None:
    emulator = start_emulator()
    pid = emulator.pid
    emulator.stop()
    emulator.stop()
    assert not alive(pid)
    with pytest.raises(RuntimeError, match="boom"):
        with start_emulator() as emulator:
            pid = emulator.pid
            raise RuntimeError("boom")
    assert not alive(pid)
    with pytest.raises(EmulatorError, match="not running"):
        emulator.requests()


def test_a_killed_parent_leaves_no_emulator(tmp_path: Path) -> None:
    # The parent dies by SIGKILL: no atexit, no finally. The emulator sees its stdin close.
    parent = subprocess.Popen(
        [sys.executable, "-c", "import time, kontext_management.testing as t; e = t.start_emulator(); "
         "print(e.pid, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert alive(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert wait_gone(pid), f"emulator {pid} outlived its parent"


def test_a_failing_test_leaves_no_emulator(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, """
        import os
        def test_fails(kontext_emulator):
            open("pid", "w").write(str(kontext_emulator.pid))
            assert kontext_emulator.client().applications.list().items == ["not empty"]
    """)
    assert "1 failed" in result.stdout, result.stdout + result.stderr
    assert wait_gone(int((tmp_path / "pid").read_text()), 5)


def test_one_emulator_per_xdist_worker(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, """
        import json, os, pytest

        @pytest.mark.parametrize("n", range(6))
        def test_records(kontext_emulator, n):
            kontext_emulator.client().applications.create(name=f"app {n}")
            # Reset before each test: only this test's application is there.
            assert [a.name for a in kontext_emulator.client().applications.list().items] == [f"app {n}"]
            with open(f"seen-{n}", "w") as f:
                json.dump([os.environ["PYTEST_XDIST_WORKER"], kontext_emulator.base_url, kontext_emulator.pid], f)
    """, "-n", "2")
    assert "6 passed" in result.stdout, result.stdout + result.stderr
    seen = [json.loads((tmp_path / f"seen-{n}").read_text()) for n in range(6)]
    by_worker = {}
    for worker, url, pid in seen:
        by_worker.setdefault(worker, set()).add((url, pid))
    assert len(by_worker) == 2, seen
    assert all(len(v) == 1 for v in by_worker.values()), f"a worker used more than one emulator: {seen}"
    assert len({next(iter(v)) for v in by_worker.values()}) == 2, f"workers shared an emulator: {seen}"
    assert all(wait_gone(pid, 5) for _, _, pid in seen)


def test_the_fixture_gives_both_clients(kontext_emulator) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    kontext_emulator.client().applications.create(name="sync")

    async def names() -> list[str]:
        page = await kontext_emulator.async_client().applications.list()
        return [a.name for a in page.items]

    assert asyncio.run(names()) == ["sync"]
    assert os.environ.get("KONTEXT_BASE_URL") is None
    assert kontext_emulator.env["KONTEXT_BASE_URL"] == kontext_emulator.base_url


def test_the_session_emulator_takes_options(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.fixture(scope="session")
        def kontext_emulator_options():
            return {"token_ttl": 60, "rate_limit": 0, "client_id": "sa_mine", "client_secret": "s3cret"}
    """))
    result = run_pytest(tmp_path, """
        def test_options(kontext_emulator):
            assert kontext_emulator.client_id == "sa_mine"
            config = kontext_emulator.configure()
            assert (config["token_ttl_seconds"], config["rate_limit_per_minute"]) == (60, 0)
            kontext_emulator.client().applications.list()
    """)
    assert "1 passed" in result.stdout, result.stdout + result.stderr


def test_authorize_approves_a_pkce_flow_without_a_browser(kontext_emulator) -> None:  # type: ignore[no-untyped-def]
    from kontext_management import ManagementClient, oauth

    redirect = "http://127.0.0.1:8976/callback"
    created = kontext_emulator.client().applications.create(
        name="cli", oauth={"type": "public", "redirect_uris": [redirect]})
    client_id = created.oauth.client_id
    pkce = oauth.create_pkce_challenge()
    auth = oauth.build_authorize_url(base_url=kontext_emulator.base_url, client_id=client_id, redirect_uri=redirect,
                                     code_challenge=pkce.code_challenge)
    approved = kontext_emulator.authorize(auth.url)
    assert approved["state"] == auth.state and approved["redirect_url"].startswith(redirect)
    tokens = oauth.exchange_code(base_url=kontext_emulator.base_url, client_id=client_id, code=approved["code"],
                                 redirect_uri=redirect, code_verifier=pkce.code_verifier)
    with ManagementClient(base_url=kontext_emulator.base_url, access_token=tokens.access_token) as user:
        assert [a.name for a in user.applications.list().items] == ["cli"]
    assert kontext_emulator.authorize(auth.url, approve=False)["error"] == "access_denied"
