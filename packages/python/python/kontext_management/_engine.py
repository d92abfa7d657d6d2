"""The only module that talks to the native engine (``bindings/python``, the uniffi module
``kontext_management._native``).

Arguments go in as UTF-8 bytes (one JSON array; the per-request options as JSON, ``b""`` for
none), results come back as JSON text, and failures as ``kontext_management::ErrorDetails`` JSON, which
become :mod:`kontext_management._exceptions` classes here. Each client has one engine: a Rust runtime with
the client's connection pool, on which every call of that client runs.

- Blocking calls release the GIL and wait for the call in slices of 100 ms: a call still running
  after a slice returns ``""`` and is resumed, so Ctrl-C is handled between slices (and cancels
  the request).
- Async calls are uniffi futures; cancelling the awaiting task drops the Rust future, which
  cancels the request.
- A forked child must not touch the parent's runtime or connections (its threads did not fork):
  after a fork, every live client gets a new engine of its own (:func:`_renew_after_fork`).
"""

from __future__ import annotations

import atexit
import itertools
import json
import json.encoder
import json.scanner
import os
import sys
import weakref
from typing import Any, Awaitable, Callable, Dict, List, NoReturn, Optional, Union

from . import _native
from ._exceptions import APIConnectionError, InternalError, KontextError, error_from_details
from ._version import __version__

_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}

#: Appended to the core's user agent: ``kontext-management-rust/0.1.0 kontext-management-python/0.1.0 CPython/3.11``.
USER_AGENT = "kontext-management-python/{} {}/{}.{}".format(
    __version__,
    _IMPLEMENTATIONS.get(sys.implementation.name, sys.implementation.name),
    sys.version_info[0],
    sys.version_info[1],
)

NativeEngine = _native.Engine

# What the native layer raises: the engine's own error, and uniffi's error for a failure in the
# FFI machinery itself (a panic outside the engine's guards).
NATIVE_ERRORS = (_native.KontextFfiError, _native.InternalError)

_NO_OPTIONS = b""


def raise_converted(error: BaseException) -> NoReturn:
    """Re-raises a native error as the matching :class:`KontextError`, without the FFI frames."""
    raise convert_error(error) from None


def convert_error(error: BaseException) -> KontextError:
    details_json = getattr(error, "details_json", None)
    if details_json is None:
        return InternalError(f"internal error in the Kontext SDK (please report it): {error}")
    details: Dict[str, Any] = json.loads(details_json)
    return error_from_details(details)


_encode = json.JSONEncoder(separators=(",", ":")).encode
_encode_string = json.encoder.encode_basestring_ascii
_decoder = json.JSONDecoder()
_decode = _decoder.decode
_scan = json.scanner.make_scanner(_decoder)

# Per call, the Python side costs as much as the engine's own work, so the two steps every call
# takes skip the pure-Python layers of `json` where the result is the same.


def encode_args(args: List[Any]) -> bytes:
    if len(args) == 1 and type(args[0]) is str:
        # `get(id)` and the like: what the encoder writes for a one-string list (ASCII-escaped).
        return ("[" + _encode_string(args[0]) + "]").encode()
    return _encode(args).encode()


def encode_options(options: Optional[Dict[str, Any]]) -> bytes:
    return _encode(options).encode() if options else _NO_OPTIONS


def decode(data: Union[str, bytes]) -> Any:
    """A JSON result as Python data."""
    text = data.decode() if isinstance(data, bytes) else data
    try:
        # The scanner alone: what `json.loads` runs after skipping leading whitespace.
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except StopIteration:
        pass
    return _decode(text)  # leading or trailing whitespace, or not JSON (its error)


# ------------------------------------------------------------------------------------- engines


class EngineRef:
    """The engine shared by a client and its ``with_options`` copies: ``close`` empties it, and
    in a forked child it is replaced by a new one."""

    __slots__ = ("engine", "__weakref__")

    def __init__(self, engine: NativeEngine) -> None:
        self.engine: Optional[NativeEngine] = engine
        _live.add(self)

    def get(self) -> NativeEngine:
        engine = self.engine
        if engine is None:
            raise APIConnectionError("the client is closed", details={"kind": "connection"})
        return engine


_live: "weakref.WeakSet[EngineRef]" = weakref.WeakSet()


def new_engine(options: Dict[str, Any]) -> EngineRef:
    """The engine of a new client (the core checks the options)."""
    try:
        return EngineRef(NativeEngine(json.dumps(options), USER_AGENT))
    except NATIVE_ERRORS as e:
        raise_converted(e)


def _renew_after_fork() -> None:
    """In a forked child: gives every open client an engine with its own runtime and connections
    (sharing settings and the cached token). The parent's engines stay untouched, and any object
    still bound to one (a pager started before the fork) fails with :class:`APIConnectionError`."""
    for ref in list(_live):
        if ref.engine is not None:
            try:
                ref.engine = ref.engine.forked()
            except BaseException:  # noqa: BLE001 - a fork hook must not raise; calls then fail as closed
                ref.engine = None


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_renew_after_fork)

# Every client's runtime stops before the interpreter finalizes: a runtime worker that woke an
# asyncio future during finalization would be ended inside Rust code and abort the process
# (bindings/python/src/run.rs). atexit hooks run while the interpreter is still whole.
atexit.register(_native.shutdown_all)


_oauth: Optional[EngineRef] = None


def _oauth_engine() -> NativeEngine:
    """The engine of the ``oauth`` functions (made on first use): it has no client, and its calls
    run the ``oauth.*`` methods, blocking or async."""
    global _oauth
    if _oauth is None:
        try:
            _oauth = EngineRef(NativeEngine.for_oauth())
        except NATIVE_ERRORS as e:
            raise_converted(e)
    return _oauth.get()


# ------------------------------------------------------------------------------------ blocking

#: Tokens naming blocking calls still running (unique per process).
_tokens = itertools.count(1)


def run_blocking(engine: NativeEngine, start: Callable[[int], str]) -> str:
    """The JSON result of a blocking export ``start(token)`` of ``engine`` (or of one of its
    pagers): ``""`` means still running, so it is resumed until it is done, and cancelled when
    interrupted (Ctrl-C) in between."""
    token = next(_tokens)
    try:
        text = start(token)
        while not text:
            text = engine.resume_blocking(token)
        return text
    except NATIVE_ERRORS as e:
        raise_converted(e)
    except BaseException:
        engine.cancel_blocking(token)
        raise


def call_blocking(engine: NativeEngine, method: bytes, args_json: bytes, options: bytes) -> str:
    """The JSON result of ``method``, run on ``engine`` while this thread waits."""
    return run_blocking(engine, lambda token: engine.call_blocking(method, args_json, options, token))


def oauth_call_blocking(method: str, args: List[Any]) -> Any:
    return decode(call_blocking(_oauth_engine(), method.encode(), encode_args(args), _NO_OPTIONS))


# --------------------------------------------------------------------------------------- async


async def run_async(call: Awaitable[str]) -> str:
    """The JSON result of an async export, or the matching :class:`KontextError` raised."""
    try:
        return await call
    except NATIVE_ERRORS as e:
        raise_converted(e)


async def call_async(engine: NativeEngine, method: bytes, args_json: bytes, options: bytes) -> str:
    """The JSON result of ``method``, run on ``engine``."""
    try:
        return await engine.call(method, args_json, options)
    except NATIVE_ERRORS as e:
        raise_converted(e)


async def oauth_call(method: str, args: List[Any]) -> Any:
    return decode(await call_async(_oauth_engine(), method.encode(), encode_args(args), _NO_OPTIONS))
