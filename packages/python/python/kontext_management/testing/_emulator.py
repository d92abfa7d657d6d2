"""A local Kontext Management API for tests: start, control and stop the emulator binary."""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import sysconfig
import tempfile
import threading
import urllib.error
import urllib.request
import weakref
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Type, Union

from .._client import AsyncManagementClient, ManagementClient

BINARY = "kontext-management-emulator" + (".exe" if os.name == "nt" else "")


class EmulatorError(RuntimeError):
    """The emulator could not be found, could not start, or refused a control call."""


def find_emulator_binary() -> str:
    """The emulator binary: ``KONTEXT_EMULATOR_BIN`` when set, else the one installed by
    ``pip install "kontext-management[testing]"`` (in this environment's scripts directory, or the
    user's), else the first on ``PATH``.

    Raises:
        EmulatorError: None was found (the message says where it looked and how to install it).
    """
    override = os.environ.get("KONTEXT_EMULATOR_BIN")
    if override:
        if not os.path.isfile(override) or not os.access(override, os.X_OK):
            raise EmulatorError(f"KONTEXT_EMULATOR_BIN={override!r} is not an executable file")
        return override
    looked: List[str] = []
    for scheme in (None, f"{os.name}_user"):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = os.path.join(scripts, BINARY)
        looked.append(candidate)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which(BINARY)
    if on_path:
        return on_path
    raise EmulatorError(
        f"the {BINARY} binary was not found; install it with "
        '`pip install "kontext-management[testing]"` (or `cargo install kontext-management-emulator`), '
        f"or set KONTEXT_EMULATOR_BIN to its path (looked in {', '.join(looked)} and on PATH)"
    )


# Emulators not stopped yet, stopped at interpreter exit (a test that never reached `stop()`).
_running: "weakref.WeakSet[Emulator]" = weakref.WeakSet()


def _stop_all() -> None:
    for emulator in list(_running):
        emulator.stop()


atexit.register(_stop_all)


class Emulator:
    """A running emulator process on a free loopback port, and its control API.

    Start one with :func:`start_emulator` (a context manager) or the pytest fixture
    ``kontext_emulator``. The process is stopped by :meth:`stop`, by leaving the ``with`` block,
    at interpreter exit, and, should this process die without any of those, by the emulator
    itself when its stdin closes.

    Attributes:
        base_url: ``http://127.0.0.1:PORT``.
        client_id: The bootstrap service account's client id (``sa_local_dev`` by default).
        client_secret: Its secret (``local-dev-secret`` by default).
    """

    base_url: str
    client_id: str
    client_secret: str

    def __init__(
        self,
        *,
        binary: Optional[str] = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: Optional[int] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        token_ttl: Optional[int] = None,
        rate_limit: Optional[int] = None,
        db: Union[str, "os.PathLike[str]", None] = None,
        startup_timeout: float = 10.0,
    ) -> None:
        binary = binary or find_emulator_binary()
        args = [binary, "--host", host, "--port", str(port), "--json", "--exit-on-stdin-close"]
        optional = {
            "--seed": seed,
            "--client-id": client_id,
            "--client-secret": client_secret,
            "--token-ttl": token_ttl,
            "--rate-limit": rate_limit,
            "--db": os.fspath(db) if db is not None else None,
        }
        for flag, value in optional.items():
            if value is not None:
                args += [flag, str(value)]
        # stderr goes to a file, not a pipe nobody reads (a full pipe would stall the emulator);
        # it is read back only to explain a failed start.
        self._stderr = tempfile.TemporaryFile()
        self._clients: List[Union[ManagementClient, AsyncManagementClient]] = []
        try:
            self._process: "subprocess.Popen[str]" = subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True
            )
        except OSError as e:
            self._stderr.close()
            raise EmulatorError(f"could not run the emulator {binary!r}: {e}") from None
        _running.add(self)
        line = self._first_line(startup_timeout)
        try:
            announced = json.loads(line)
            self.base_url = str(announced["baseUrl"])
            self.client_id = str(announced["clientId"])
            self.client_secret = str(announced["clientSecret"])
        except (ValueError, KeyError, TypeError):
            self.stop()
            raise EmulatorError(f"the emulator {binary!r} printed {line!r} instead of its address") from None

    def _first_line(self, timeout: float) -> str:
        """The announcement line; the emulator prints it once it accepts connections."""
        box: List[str] = []
        assert self._process.stdout is not None
        stdout = self._process.stdout
        reader = threading.Thread(target=lambda: box.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if box and box[0]:
            return box[0]
        exited = None
        if box:  # end of output: the process is exiting
            try:
                exited = self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._stderr.seek(0)
        detail = self._stderr.read().decode("utf-8", "replace").strip()
        self.stop()
        why = f"exited with code {exited}" if exited is not None else f"was not ready after {timeout:g} s"
        raise EmulatorError(f"the emulator {why}" + (f": {detail}" if detail else ""))

    # -- lifecycle ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Closes the clients made by :meth:`client`/:meth:`async_client` and ends the process
        (SIGTERM, then SIGKILL after 5 s). Safe to call more than once."""
        self._close_clients()
        process = getattr(self, "_process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        if not self._stderr.closed:
            self._stderr.close()
        _running.discard(self)

    @property
    def running(self) -> bool:
        """Whether the process is still alive."""
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(base_url={getattr(self, 'base_url', None)!r}, client_id={getattr(self, 'client_id', None)!r})"

    # -- clients -----------------------------------------------------------------------------

    @property
    def env(self) -> Dict[str, str]:
        """``KONTEXT_BASE_URL``, ``KONTEXT_CLIENT_ID`` and ``KONTEXT_CLIENT_SECRET`` for this
        emulator (e.g. ``monkeypatch.setenv`` or a subprocess' ``env``)."""
        return {
            "KONTEXT_BASE_URL": self.base_url,
            "KONTEXT_CLIENT_ID": self.client_id,
            "KONTEXT_CLIENT_SECRET": self.client_secret,
        }

    def client(self, **options: Any) -> ManagementClient:
        """A :class:`~kontext_management.ManagementClient` for this emulator, closed by
        :meth:`stop` (or at the end of the test, with the fixture). ``options`` are the
        client's keyword arguments (e.g. ``max_retries=0``)."""
        made = ManagementClient(**{**self._credentials(), **options})
        self._clients.append(made)
        return made

    def async_client(self, **options: Any) -> AsyncManagementClient:
        """An :class:`~kontext_management.AsyncManagementClient` for this emulator (see
        :meth:`client`)."""
        made = AsyncManagementClient(**{**self._credentials(), **options})
        self._clients.append(made)
        return made

    def _credentials(self) -> Dict[str, Any]:
        return {"base_url": self.base_url, "client_id": self.client_id, "client_secret": self.client_secret}

    def _close_clients(self) -> None:
        clients = getattr(self, "_clients", [])
        for made in clients:
            made._ref.engine = None  # what both clients' close() does, without awaiting
        clients.clear()

    # -- the control API (/_emulator/*) ------------------------------------------------------

    def reset(self, *, seed: Optional[int] = None) -> None:
        """A fresh organization (only the bootstrap account; ``seed=N`` also fills it), the
        start settings, no fault rules, an empty request log, the clock back to wall time."""
        self._control("POST", "/_emulator/reset", {} if seed is None else {"seed": seed})

    def seed(
        self,
        *,
        applications: int = 0,
        integrations: int = 0,
        service_accounts: int = 0,
        sessions: int = 0,
        traces: int = 0,
        decisions: int = 0,
        application_id: Optional[str] = None,
    ) -> Dict[str, List[str]]:
        """Adds deterministic records; returns their ids (``application_ids``,
        ``integration_ids``, ``service_account_ids``, ``session_ids``, ``trace_ids``,
        ``decision_ids``)."""
        body: Dict[str, Any] = {
            "applications": applications,
            "integrations": integrations,
            "serviceAccounts": service_accounts,
            "sessions": sessions,
            "traces": traces,
            "decisions": decisions,
        }
        if application_id is not None:
            body["applicationId"] = application_id
        result: Dict[str, List[str]] = _snake(self._control("POST", "/_emulator/seed", body))
        return result

    def fault(
        self,
        *,
        status: Optional[int] = None,
        action: Optional[str] = None,
        method: Optional[str] = None,
        path: Optional[str] = None,
        times: Optional[int] = None,
        skip: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
        body: Any = None,
        delay_ms: Optional[int] = None,
    ) -> str:
        """Adds a fault rule; returns its id. Rules are checked in the order added; each answers
        ``times`` matching requests (default 1), after letting ``skip`` through.

        Args:
            status: Answer with this status (``action="respond"``).
            action: ``"respond"``, ``"delay"`` (wait ``delay_ms``, then handle normally),
                ``"drop"`` (break the connection), ``"truncate"``, ``"malformed"``.
            method: Only this HTTP method.
            path: A glob on the path (``*`` matches anything, ``/`` included), e.g.
                ``"/api/v1/applications*"``; ``/oauth2/token`` for the token endpoint.
            headers: Response headers, e.g. ``{"retry-after": "1"}``.
            body: Response body (JSON, or a string sent as-is).

        ``emulator.fault(status=503, path="/api/v1/applications")`` fails the next list once.
        """
        given = {
            "status": status,
            "action": action,
            "method": method,
            "path": path,
            "times": times,
            "skip": skip,
            "headers": dict(headers) if headers is not None else None,
            "body": body,
            "delayMs": delay_ms,
        }
        return str(self._control("POST", "/_emulator/faults", {k: v for k, v in given.items() if v is not None})["id"])

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self._control("DELETE", "/_emulator/faults")

    def advance_clock(self, seconds: int) -> str:
        """Moves the emulator's clock forward (token, code and session expiry, the rate-limit
        window); returns its new time (RFC 3339)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise ValueError(f"seconds must be a non-negative integer, not {seconds!r}")
        return str(self._control("POST", "/_emulator/clock", {"advanceSeconds": seconds})["now"])

    def requests(self) -> List[Dict[str, Any]]:
        """The request log, oldest first: ``{method, path, query, headers, status, at, fault}``
        per request (control calls excluded; header names lower-case, credentials redacted;
        ``fault`` is the id of the rule that answered)."""
        items: List[Dict[str, Any]] = self._control("GET", "/_emulator/requests")["items"]
        return items

    def clear_requests(self) -> None:
        """Empties the request log."""
        self._control("DELETE", "/_emulator/requests")

    def configure(
        self,
        *,
        rate_limit_per_minute: Optional[int] = None,
        token_ttl_seconds: Optional[int] = None,
        omit_expires_in: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """Changes settings until the next reset (``rate_limit_per_minute=0`` turns the rate
        limit off); returns the settings in force (``rate_limit_per_minute``,
        ``token_ttl_seconds``, ``omit_expires_in``)."""
        given = {
            "rateLimitPerMinute": rate_limit_per_minute,
            "tokenTtlSeconds": token_ttl_seconds,
            "omitExpiresIn": omit_expires_in,
        }
        result: Dict[str, Any] = _snake(
            self._control("POST", "/_emulator/config", {k: v for k, v in given.items() if v is not None})
        )
        return result

    def revoke_tokens(self) -> int:
        """Every access token issued so far stops working; returns how many."""
        return int(self._control("POST", "/_emulator/tokens/revoke", {})["revoked"])

    def authorize(self, url: str, *, approve: bool = True) -> Dict[str, Any]:
        """Acts as the local user approving (or denying) an authorization URL, without a browser:
        ``{redirect_url, code?, state?, error?}``."""
        result: Dict[str, Any] = _snake(
            self._control("POST", "/_emulator/authorize", {"url": url, "approve": approve})
        )
        return result

    def _control(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        if not self.running:
            raise EmulatorError(f"the emulator at {self.base_url} is not running (exit code {self._process.poll()})")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        try:
            # The control API is on loopback: no proxy, whatever the environment says.
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                message = json.loads(raw).get("message", raw.decode("utf-8", "replace"))
            except ValueError:
                message = raw.decode("utf-8", "replace")
            raise EmulatorError(f"{method} {path} refused ({e.code}): {message}") from None
        except OSError as e:
            raise EmulatorError(f"{method} {path}: the emulator at {self.base_url} did not answer: {e}") from None
        return json.loads(raw) if raw else None


def _snake(answer: Dict[str, Any]) -> Dict[str, Any]:
    """The control API's camelCase keys (top level) as Python names: ``applicationIds`` →
    ``application_ids``."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower(): value for key, value in answer.items()}


def start_emulator(**options: Any) -> Emulator:
    """Starts an emulator and returns it once it accepts connections; use it as a context
    manager (or call :meth:`Emulator.stop`)::

        with start_emulator() as emulator:
            client = emulator.client()
            emulator.fault(status=503, path="/api/v1/applications")
            client.applications.list()       # retried after the 503

    Keyword arguments: ``host`` (default ``127.0.0.1``; anything else exposes the emulator to
    the network), ``port`` (default 0: a free one), ``seed``, ``client_id``, ``client_secret``,
    ``token_ttl`` (seconds, default 3600), ``rate_limit`` (per minute, default 120, 0 = off),
    ``db`` (an SQLite file; default in memory), ``binary`` (default: :func:`find_emulator_binary`),
    ``startup_timeout`` (seconds, default 10).

    Raises:
        EmulatorError: the binary is missing, or the emulator could not start (the port is taken,
            a bad option): the message includes what the emulator said.
    """
    return Emulator(**options)


__all__ = ["Emulator", "EmulatorError", "find_emulator_binary", "start_emulator"]
