"""The Python side of `just soak` (driven by tests/bench/soak.py; see BENCHMARKS.md, "Soak").

Sends a steady, realistic mix of calls through the Python engine for a fixed time, alternating
between one ``kontext_management.ManagementClient`` and one ``kontext_management.AsyncManagementClient`` (both on the
same asyncio loop; the sync calls block it briefly, as they would in a sync program), and samples
this process's own RSS. Prints JSON lines on stdout: ``{"type": "sample", ...}`` every
``--sample-every`` seconds, then one ``{"type": "result", ...}``.

    python soak.py --duration 600 --rate 200 [--sample-every 5] [--seed 1] [--gc-before-sample 1]

The mix (per call, weighted): get by id 55, one page of applications following the cursor 20,
create 8, update 5, get of an unknown id (expects NotFoundError) 5, one page of integrations 6,
and 1 ``list_all`` stream abandoned after 300 items. Credentials: KONTEXT_BASE_URL,
KONTEXT_CLIENT_ID, KONTEXT_CLIENT_SECRET.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sys
import time
import uuid
from collections import deque

MIX = [("get", 55), ("page", 20), ("create", 8), ("update", 5), ("not_found", 5), ("integrations", 6),
       ("list_all", 1)]
STREAM_ITEMS = 300
PAGE_SIZE = 50
REDIRECT = "https://soak.example.com/oauth/callback"
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def rss_kb() -> int:
    """Resident set size of this process, from /proc/self/statm."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_BYTES // 1024


def status_kb(field: str):
    """A ``kB`` line of /proc/self/status (``RssAnon``: heap and other private memory)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def emit(obj) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Mix:
    """Everything both clients share: known ids, the cursor walk, counters."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ops = [op for op, weight in MIX for _ in range(weight)]
        self.ids: list = []
        # Only the latest creates are updated: an ever-growing list would be the harness's own leak.
        self.created: deque = deque(maxlen=200)
        self.cursor = None
        self.n = 0
        self.calls = 0
        self.errors = 0
        self.expected_errors = 0
        self.by_op: dict = {}
        self.last_error = None


def sync_op(c, op: str, m: Mix, kontext_management) -> None:
    if op == "get":
        c.applications.get(m.rng.choice(m.ids))
    elif op == "page":
        page = c.applications.list(limit=PAGE_SIZE, cursor=m.cursor)
        m.cursor = page.next_cursor
    elif op == "create":
        m.n += 1
        created = c.applications.create(name=f"soak-py-{os.getpid()}-{m.n}", oauth={"redirect_uris": [REDIRECT]})
        m.created.append(created.application.id)
    elif op == "update":
        target = m.rng.choice(m.created or m.ids)
        c.applications.update(target, description=f"updated {m.rng.random()}")
    elif op == "not_found":
        try:
            c.applications.get(str(uuid.UUID(int=m.rng.getrandbits(128), version=4)))
        except kontext_management.NotFoundError:
            m.expected_errors += 1
            return
        raise AssertionError("a get of an unknown id did not raise NotFoundError")
    elif op == "integrations":
        c.integrations.list(limit=PAGE_SIZE)
    elif op == "list_all":
        for i, _ in enumerate(c.applications.list_all(limit=100)):
            if i + 1 >= STREAM_ITEMS:
                break


async def async_op(c, op: str, m: Mix, kontext_management) -> None:
    if op == "get":
        await c.applications.get(m.rng.choice(m.ids))
    elif op == "page":
        page = await c.applications.list(limit=PAGE_SIZE, cursor=m.cursor)
        m.cursor = page.next_cursor
    elif op == "create":
        m.n += 1
        created = await c.applications.create(name=f"soak-py-{os.getpid()}-{m.n}",
                                              oauth={"redirect_uris": [REDIRECT]})
        m.created.append(created.application.id)
    elif op == "update":
        target = m.rng.choice(m.created or m.ids)
        await c.applications.update(target, description=f"updated {m.rng.random()}")
    elif op == "not_found":
        try:
            await c.applications.get(str(uuid.UUID(int=m.rng.getrandbits(128), version=4)))
        except kontext_management.NotFoundError:
            m.expected_errors += 1
            return
        raise AssertionError("a get of an unknown id did not raise NotFoundError")
    elif op == "integrations":
        await c.integrations.list(limit=PAGE_SIZE)
    elif op == "list_all":
        i = 0
        async for _ in c.applications.list_all(limit=100):
            i += 1
            if i >= STREAM_ITEMS:
                break


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=600.0)
    ap.add_argument("--rate", type=float, default=200.0, help="calls per second")
    ap.add_argument("--sample-every", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gc-before-sample", type=int, default=0, help="1: gc.collect() before each sample")
    a = ap.parse_args()

    t_import = time.perf_counter()
    import kontext_management

    base = os.environ["KONTEXT_BASE_URL"]
    cid, secret = os.environ["KONTEXT_CLIENT_ID"], os.environ["KONTEXT_CLIENT_SECRET"]
    sync = kontext_management.ManagementClient(base_url=base, client_id=cid, client_secret=secret)
    aclient = kontext_management.AsyncManagementClient(base_url=base, client_id=cid, client_secret=secret)
    m = Mix(a.seed)
    # The ids to get and update: the seeded applications (one stream, also a warm-up of both).
    for app in sync.applications.list_all(limit=200):
        m.ids.append(app.id)
        if len(m.ids) >= 1000:
            break
    await aclient.applications.get(m.ids[0])
    emit({"type": "ready", "engine": "python", "clients": ["ManagementClient", "AsyncManagementClient"],
          "setup_s": round(time.perf_counter() - t_import, 3), "ids": len(m.ids)})

    interval = 1.0 / a.rate
    start = time.monotonic()
    next_sample = start
    tick = 0
    behind_max = 0.0
    skipped = 0
    while True:
        now = time.monotonic()
        if now >= next_sample:
            if a.gc_before_sample:
                gc.collect()
            emit({"type": "sample", "t": round(now - start, 3), "rss_kb": rss_kb(), "rss_anon_kb": status_kb("RssAnon"),
                  "calls": m.calls, "errors": m.errors, "expected_errors": m.expected_errors,
                  "objects": len(gc.get_objects())})
            next_sample += a.sample_every
        if now - start >= a.duration:
            break
        due = start + tick * interval
        if due > now:
            await asyncio.sleep(due - now)
        else:
            behind_max = max(behind_max, now - due)
            if now - due > 1.0:
                # More than a second behind (a stall): skip ahead rather than burst to catch up.
                skipped += int((now - due) / interval)
                tick = int((now - start) / interval)
        op = m.rng.choice(m.ops)
        try:
            if tick % 2 == 0:
                sync_op(sync, op, m, kontext_management)
            else:
                await async_op(aclient, op, m, kontext_management)
        except Exception as e:  # noqa: BLE001 — counted and reported, the soak goes on
            m.errors += 1
            m.last_error = f"{op}: {type(e).__name__}: {e}"[:300]
        m.calls += 1
        m.by_op[op] = m.by_op.get(op, 0) + 1
        tick += 1
    elapsed = time.monotonic() - start
    sync.close()
    await aclient.close()
    emit({"type": "result", "engine": "python", "calls": m.calls, "errors": m.errors,
          "expected_errors": m.expected_errors, "by_op": m.by_op, "elapsed_s": round(elapsed, 3),
          "achieved_rate": round(m.calls / elapsed, 1) if elapsed else 0, "max_lag_s": round(behind_max, 3),
          "skipped": skipped,
          "last_error": m.last_error, "rss_kb": rss_kb()})
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
