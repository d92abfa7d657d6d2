"""The only module that talks to the native engine (``bindings/python``).

Arguments go in as UTF-8 bytes (one JSON array; the per-request options as JSON, ``b""`` for
none), results come back as JSON text, and failures as ``kontext::ErrorDetails`` JSON, which
become :mod:`kontext._exceptions` classes here. Most of the engine is reached through the module
uniffi generates (``kontext._native``); the calls made once per request go through the engine's
plain C functions (``bindings/python/src/direct.rs``) with ctypes, because a uniffi call costs
8–15 µs of ctypes work in Python, as much as the rest of the Python layer.

- Blocking calls run on the calling thread (GIL released) in slices of ``_WAIT_SLICE_MS``: a call
  still running after a slice is parked in the engine under a token and resumed slice by slice,
  so Ctrl-C is handled between slices (and cancels the request).
- Async calls are submitted to the event loop's :class:`_Port`: the engine's I/O for that loop,
  whose sockets sit behind one descriptor the loop watches. The request is written during the
  submit; when a socket is ready the loop drains the port, which runs the calls on and returns
  the finished outcomes, and the futures are resolved. Cancelling the awaiting task cancels the
  request.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import json
import json.encoder
import json.scanner
import os
import sys
import threading
import weakref
from typing import Any, Callable, Dict, List, MutableMapping, NoReturn, Optional, Tuple

from . import _native
from ._exceptions import InternalError, KontextError, error_from_details
from ._version import __version__

_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}

#: Appended to the core's user agent: ``kontext-rust/0.1.0 kontext-python/0.1.0 CPython/3.11``.
USER_AGENT = "kontext-python/{} {}/{}.{}".format(
    __version__,
    _IMPLEMENTATIONS.get(sys.implementation.name, sys.implementation.name),
    sys.version_info[0],
    sys.version_info[1],
)

NativeEngine = _native.Engine

# What the native layer raises: the engine's own error, and uniffi's error for a failure in the
# FFI machinery itself (a panic outside the engine's guards).
NATIVE_ERRORS = (_native.KontextFfiError, _native.InternalError)

#: How long one slice of a blocking call lasts: the longest a Ctrl-C waits to be handled.
_WAIT_SLICE_MS = 100

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


def new_engine(options: Dict[str, Any], blocking: bool) -> NativeEngine:
    """An engine for a blocking client (calls run on the calling threads) or an asyncio one."""
    try:
        return NativeEngine(json.dumps(options), USER_AGENT, blocking)
    except NATIVE_ERRORS as e:
        raise_converted(e)


_encode = json.JSONEncoder(separators=(",", ":")).encode
_encode_string = json.encoder.encode_basestring_ascii
_decoder = json.JSONDecoder()
_decode = _decoder.decode
_scan = json.scanner.make_scanner(_decoder)

# Per call, the Python side costs as much as the engine's own work (its code runs with cold
# caches, right after the request's system calls), so the two steps every call takes skip the
# pure-Python layers of `json` where the result is the same.


def encode_args(args: List[Any]) -> bytes:
    if len(args) == 1 and type(args[0]) is str:
        # `get(id)` and the like: what the encoder writes for a one-string list (ASCII-escaped).
        return ("[" + _encode_string(args[0]) + "]").encode()
    return _encode(args).encode()


def encode_options(options: Optional[Dict[str, Any]]) -> bytes:
    return _encode(options).encode() if options else _NO_OPTIONS


def decode(data: bytes) -> Any:
    """A JSON result (bytes of UTF-8) as Python data."""
    text = data.decode()
    try:
        # The scanner alone: what `json.loads` runs after skipping leading whitespace.
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except StopIteration:
        pass
    return _decode(text)  # leading or trailing whitespace, or not JSON (its error)


# ---------------------------------------------------------------------------------- direct calls


class _Buffer(ctypes.Structure):
    """Bytes the engine hands over: copied by :func:`_take`, which gives them back."""

    _fields_ = [("ptr", ctypes.c_void_p), ("len", ctypes.c_size_t), ("cap", ctypes.c_size_t)]


def _library() -> ctypes.CDLL:
    # The library uniffi's module loaded (the same file, so the same loaded image).
    if sys.platform == "darwin":
        name = "libkontext_python.dylib"
    elif sys.platform.startswith("win"):
        name = "kontext_python.dll"
    else:
        name = "libkontext_python.so"
    lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(_native.__file__)), name))
    u64, i32, size, text, out = ctypes.c_uint64, ctypes.c_int32, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(_Buffer)
    signatures = {
        "kontext_py_call_blocking": ((u64, text, size, text, size, text, size, ctypes.c_uint32, u64, out), i32),
        "kontext_py_submit": ((u64, u64, u64, text, size, text, size, text, size), i32),
        "kontext_py_port_open": ((), u64),
        "kontext_py_port_fileno": ((u64,), i32),
        "kontext_py_port_drain": ((u64, out), i32),
        "kontext_py_port_cancel": ((u64, u64), None),
        "kontext_py_port_close": ((u64,), None),
        "kontext_py_free": ((ctypes.c_void_p, size, size), None),
    }
    for symbol, (argtypes, restype) in signatures.items():
        function = getattr(lib, symbol)
        function.argtypes = argtypes
        function.restype = restype
    return lib


_lib = _library()
_call_blocking = _lib.kontext_py_call_blocking
_submit = _lib.kontext_py_submit
_port_open = _lib.kontext_py_port_open
_port_fileno = _lib.kontext_py_port_fileno
_port_drain = _lib.kontext_py_port_drain
_port_cancel = _lib.kontext_py_port_cancel
_port_close = _lib.kontext_py_port_close
_free = _lib.kontext_py_free
_string_at = ctypes.string_at
_byref = ctypes.byref

#: What the direct calls return: the result is in the buffer, the call is still running (parked),
#: or the buffer holds the error details.
_DONE, _RUNNING, _FAILED = 0, 1, 2


def _take(out: _Buffer) -> bytes:
    data = _string_at(out.ptr, out.len)
    _free(out.ptr, out.len, out.cap)
    return data


def _failure(details: bytes) -> KontextError:
    return error_from_details(_decode(details.decode()))


# ------------------------------------------------------------------------------------- blocking

#: Tokens naming parked blocking calls (unique per process; parked calls are per thread).
_tokens = itertools.count(1)


def _resume(token: int) -> str:
    """Resumes the parked blocking call ``token`` slice by slice until it is done (callers cancel
    it if this is interrupted)."""
    text = ""
    while not text:
        text = _native.resume_blocking(token, _WAIT_SLICE_MS)
    return text


def call_blocking(engine_id: int, method: bytes, args_json: bytes, options: bytes) -> bytes:
    """The JSON result of ``method`` on the engine ``engine_id``, run on this thread (an engine
    that is gone fails as a closed client)."""
    token = next(_tokens)
    out = _Buffer()
    try:
        status = _call_blocking(
            engine_id, method, len(method), args_json, len(args_json), options, len(options), _WAIT_SLICE_MS, token,
            _byref(out),
        )
        if status == _DONE:
            return _take(out)
        if status == _FAILED:
            raise _failure(_take(out)) from None
        return _resume(token).encode()
    except NATIVE_ERRORS as e:
        raise_converted(e)
    except KontextError:
        raise
    except BaseException:
        # Interrupted (Ctrl-C) between slices: drop the call, which cancels its request.
        _native.cancel_blocking(token)
        raise


def run_blocking(start: Callable[[int, int], str]) -> str:
    """The JSON result of a blocking uniffi call ``start(slice_ms, token)`` (see
    :func:`call_blocking`)."""
    token = next(_tokens)
    try:
        return start(_WAIT_SLICE_MS, token) or _resume(token)
    except NATIVE_ERRORS as e:
        raise_converted(e)
    except BaseException:
        _native.cancel_blocking(token)
        raise


def oauth_call_blocking(method: str, args: List[Any]) -> Any:
    m, a = method.encode(), encode_args(args)
    return json.loads(run_blocking(lambda slice_ms, token: _native.oauth_call_blocking(m, a, slice_ms, token)))


# ---------------------------------------------------------------------------------------- async

Outcome = Tuple[bool, bytes]


class _Port:
    """The async calls of one event loop. The engine runs them on this loop's thread over sockets
    behind one descriptor the loop watches; when it is readable, :meth:`_drain` lets the engine
    run them on and resolves the futures of those that finished."""

    __slots__ = ("id", "waiting", "tokens", "__weakref__")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.id = 0
        self.waiting: Dict[int, "asyncio.Future[Outcome]"] = {}
        self.tokens = itertools.count(1)
        port = _port_open()
        if not port:
            raise InternalError("internal error in the Kontext SDK: could not open a completion port")
        self.id = port
        loop.add_reader(_port_fileno(port), self._drain)

    def _drain(self) -> None:
        out = _Buffer()
        _port_drain(self.id, _byref(out))
        data = _take(out)
        if not data:
            return
        head, _, body = data.partition(b"\n")
        waiting = self.waiting
        start = 0
        for entry in head.split(b","):
            token, status, length = entry.split(b":")
            end = start + int(length)
            future = waiting.pop(int(token), None)
            if future is not None and not future.done():
                future.set_result((status == b"0", body[start:end]))
            start = end

    def __del__(self) -> None:
        try:
            if self.id:
                _port_close(self.id)
        except Exception:  # noqa: BLE001 - interpreter shutdown: the library may be gone already
            pass


#: The port of each event loop, dropped with the loop.
_ports: MutableMapping[asyncio.AbstractEventLoop, _Port] = weakref.WeakKeyDictionary()
#: Ports of loops that take no weak references, kept until their loop is closed.
_strong_ports: Dict[asyncio.AbstractEventLoop, _Port] = {}
_ports_lock = threading.Lock()


def _port(loop: asyncio.AbstractEventLoop) -> _Port:
    ports: MutableMapping[asyncio.AbstractEventLoop, _Port] = _ports
    try:
        port = ports.get(loop)
    except TypeError:  # the loop takes no weak references
        ports = _strong_ports
        port = ports.get(loop)
    if port is None:
        with _ports_lock:
            port = ports.get(loop)
            if port is None:
                if ports is _strong_ports:
                    for closed in [old for old in _strong_ports if old.is_closed()]:
                        del _strong_ports[closed]
                port = ports[loop] = _Port(loop)
    return port


async def _outcome(port: _Port, token: int, future: "asyncio.Future[Outcome]") -> bytes:
    try:
        ok, data = await future
    except BaseException:
        # Cancelled: abort the request (its outcome, if it still comes, is ignored).
        port.waiting.pop(token, None)
        _port_cancel(port.id, token)
        raise
    if ok:
        return data
    raise _failure(data) from None


async def call_async(engine_id: int, method: bytes, args_json: bytes, options: bytes) -> bytes:
    """The JSON result of ``method`` on the engine ``engine_id``, run through this loop's port
    (an engine that is gone fails as a closed client)."""
    loop = asyncio.get_running_loop()
    port = _port(loop)
    token = next(port.tokens)
    future: "asyncio.Future[Outcome]" = loop.create_future()
    port.waiting[token] = future
    if _submit(engine_id, port.id, token, method, len(method), args_json, len(args_json), options, len(options)):
        port.waiting.pop(token, None)
        raise InternalError("internal error in the Kontext SDK (please report it): the call could not be submitted")
    return await _outcome(port, token, future)


async def run_async(submit: Callable[[int, int], None]) -> bytes:
    """The outcome of an async uniffi call ``submit(port_id, token)``: the result's JSON text,
    or the matching :class:`KontextError` raised."""
    loop = asyncio.get_running_loop()
    port = _port(loop)
    token = next(port.tokens)
    future: "asyncio.Future[Outcome]" = loop.create_future()
    port.waiting[token] = future
    try:
        submit(port.id, token)
    except NATIVE_ERRORS as e:
        port.waiting.pop(token, None)
        raise_converted(e)
    return await _outcome(port, token, future)


async def oauth_call(method: str, args: List[Any]) -> Any:
    m, a = method.encode(), encode_args(args)
    return decode(await run_async(lambda port, token: _native.submit_oauth_call(port, token, m, a)))
