"""Logging: the Rust core's log records, as records of the standard :mod:`logging` module.

Records go to the ``kontext_management`` logger: one per request outcome (``response method=GET
path=/api/v1/applications status=200 request_id=req_…``), retries and token renewals, at DEBUG.
The fields are also on the record as the dict ``record.kontext_fields``. Secrets never appear:
the core does not log them, and its formatter redacts anything named like a credential.

The core only builds the records the ``kontext_management`` logger would keep: its effective level is sent
to Rust at import and whenever a client is created, so configure logging before creating
clients. ``KONTEXT_LOG=debug`` (or ``info``, ``warn``, ``error``, ``off``) sets the level at
import and, unless logging is configured already, a basic stderr handler.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
from typing import Dict, Optional

from . import _native

logger = logging.getLogger("kontext_management")

#: Python level of each level name of the core (TRACE has no Python name: DEBUG - 5).
_PY_LEVELS: Dict[str, int] = {
    "trace": logging.DEBUG - 5,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
}

_ENV_LEVELS: Dict[str, int] = {**_PY_LEVELS, "warning": logging.WARNING, "off": logging.CRITICAL + 10}

_loggers: Dict[str, logging.Logger] = {}


class _Sink(_native.LogSink):
    """Called by the core, on whichever thread emitted the record, with the GIL held."""

    def log(self, level: str, target: str, line: str, fields_json: str) -> None:
        try:
            py_level = _PY_LEVELS.get(level, logging.DEBUG)
            name = target.replace("::", ".")
            target_logger = _loggers.get(name) or _loggers.setdefault(name, logging.getLogger(name))
            if target_logger.isEnabledFor(py_level):
                target_logger.log(py_level, line, extra={"kontext_fields": json.loads(fields_json)})
        except Exception:  # noqa: BLE001 - a failing handler must never fail the request it reports on
            pass


_sink = _Sink()
_sent: Optional[str] = None


def _wanted() -> str:
    """The most verbose level of the core the ``kontext_management`` logger keeps (``off`` for none)."""
    for name, py_level in _PY_LEVELS.items():
        if logger.isEnabledFor(py_level):
            return name
    return "off"


def sync() -> None:
    """Sends the ``kontext_management`` logger's effective level to the core if it changed."""
    global _sent
    level = _wanted()
    if level != _sent:
        _native.configure_logging(_sink, level)
        _sent = level


def _stop() -> None:
    # Worker threads may outlive the interpreter's shutdown; they must not call into it then.
    if _sent is not None:
        _native.configure_logging(_sink, "off")


def _from_environment() -> None:
    name = os.environ.get("KONTEXT_LOG", "").strip().lower()
    level = _ENV_LEVELS.get(name)
    if level is None:
        return
    if name != "off":
        logging.basicConfig(format="[%(asctime)s - %(name)s - %(levelname)s] %(message)s")
    logger.setLevel(level)


_from_environment()
sync()
atexit.register(_stop)
