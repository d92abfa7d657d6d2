"""The runtime under the Python clients: Ctrl-C stops a blocking call quickly, cancelling stops
the request itself, and a forked child gets a runtime and connections of its own."""

from __future__ import annotations

import _thread
import asyncio
import base64
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import kontext_management
import pytest
from scenario_runner import control

HERE = Path(__file__).resolve().parent
fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


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


def requests_by_pid(target: Dict[str, str]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for entry in control(target, "GET", "/_emulator/requests")["items"]:
        pid = entry["headers"].get("x-pid")
        if pid is not None:
            counts[pid] = counts.get(pid, 0) + 1
    return counts


class Recorder:
    """A local HTTP/1.1 server that answers every GET with `body` (after `delay` seconds, unless
    the client goes away first) and records, per request, the `x-pid` header and the client's
    port (one port per connection); `gone` is set when a client closes a connection while its
    request waits."""

    def __init__(self, body: bytes, delay: float = 0.0) -> None:
        self.seen: List[Tuple[str, int]] = []
        self.gone = threading.Event()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                recorder.seen.append((self.headers.get("x-pid", ""), self.client_address[1]))
                if delay:
                    # A request whose caller was cancelled is dropped: its connection closes.
                    self.connection.settimeout(delay)
                    try:
                        if self.connection.recv(1) == b"":
                            recorder.gone.set()
                            return
                    except OSError:
                        pass
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def recorder_of_list(target: Dict[str, str]) -> Iterator[Recorder]:
    """A recorder that answers with the emulator's real answer to `applications.list()`."""
    control(target, "POST", "/_emulator/seed", {"applications": 3})
    with kontext_management.ManagementClient(
        base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
    ) as c:
        body = json.dumps(c.applications.list().to_dict()).encode()
    recorder = Recorder(body)
    yield recorder
    recorder.close()


# --- Ctrl-C ---------------------------------------------------------------------------------------

CTRL_C_CHILD = """
import sys, time, kontext_management
base_url, client_id, client_secret = sys.argv[1:4]
c = kontext_management.ManagementClient(base_url=base_url, client_id=client_id, client_secret=client_secret)
c.refresh_token()
print("calling", flush=True)
try:
    c.applications.list()
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", time.monotonic(), flush=True)
print("usable", bool(c.policy.get_settings().settings.updated_at), flush=True)
"""


def test_sigint_interrupts_a_blocking_call_within_half_a_second(target: Dict[str, str]) -> None:
    # A real SIGINT, delivered by the OS to a process blocked in a call (not `interrupt_main`).
    control(target, "POST", "/_emulator/faults", {"path": "/api/v1/applications", "action": "delay", "delayMs": 20000})
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_CHILD, target["baseUrl"], target["clientId"], target["clientSecret"]],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "calling"
        time.sleep(0.5)  # well inside the delayed request
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        word, at = child.stdout.readline().split()
        assert word == "interrupted"
        assert float(at) - sent < 0.5  # CLOCK_MONOTONIC is one clock for both processes
        assert child.stdout.readline().strip() == "usable True"
        assert child.wait(timeout=30) == 0
    finally:
        child.kill()
        child.wait()


# --- cancellation drops the request ---------------------------------------------------------------


def test_ctrl_c_and_task_cancellation_abort_the_request() -> None:
    slow = Recorder(b"{}", delay=10.0)
    try:
        with kontext_management.ManagementClient(base_url=slow.base_url, access_token="token", max_retries=0) as c:
            threading.Timer(0.3, _thread.interrupt_main).start()
            with pytest.raises(KeyboardInterrupt):
                c.applications.list()
            # The request was dropped, not left running: its connection closed.
            assert slow.gone.wait(2.0)
        slow.gone.clear()

        async def cancelled() -> None:
            async with kontext_management.AsyncManagementClient(base_url=slow.base_url, access_token="token") as c:
                task = asyncio.ensure_future(c.applications.list())
                await asyncio.sleep(0.3)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task

        asyncio.run(cancelled())
        assert slow.gone.wait(2.0)
    finally:
        slow.close()


# --- fork -----------------------------------------------------------------------------------------


def run_fork_probe(base_url: str, token: str) -> Dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE / "fork_probe.py"), base_url, token],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0, 0], done.stderr
    assert result["parentOk"], done.stderr
    return result


@fork_only
def test_a_forked_child_makes_sync_and_async_calls_and_the_parent_keeps_working(target: Dict[str, str]) -> None:
    control(target, "POST", "/_emulator/seed", {"applications": 5})
    control(target, "DELETE", "/_emulator/requests")
    result = run_fork_probe(target["baseUrl"], mint_token(target))
    counts = requests_by_pid(target)
    assert counts[str(result["parent"])] == 3 + 3 + 5 + 5 + 1 + 1
    for child in result["children"]:
        # 5 blocking + 5 asyncio lists, then list_all over 5 applications in pages of 2.
        assert counts[str(child)] == 5 + 5 + 3


@fork_only
def test_a_forked_child_never_uses_the_parents_connections(recorder_of_list: Recorder) -> None:
    result = run_fork_probe(recorder_of_list.base_url, "token")
    ports: Dict[str, Set[int]] = {}
    for pid, port in recorder_of_list.seen:
        if pid:  # untagged: the parent's iteration started before the fork
            ports.setdefault(pid, set()).add(port)
    parent = ports.pop(str(result["parent"]))
    assert sorted(ports) == sorted(str(child) for child in result["children"])
    for child in ports.values():
        # Writing on the parent's pooled connection would interleave two processes' requests.
        assert not child & parent
    first, second = ports.values()
    assert not first & second
