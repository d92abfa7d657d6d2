"""The Python side of `just bench` (driven by tests/bench/run.py; see BENCHMARKS.md).

Runs one workload over several clients against a running emulator and prints exactly one JSON
object on stdout: ``{"program": "python", "command": ..., "results": [...]}``.

Clients: ``kontext_sync`` (kontext_management.ManagementClient), ``kontext_async``
(kontext_management.AsyncManagementClient), and the hand-written baselines doing the same HTTP work with
``json.loads``: ``httpx_sync`` (httpx.Client), ``httpx_async`` (httpx.AsyncClient), ``aiohttp``
(aiohttp.ClientSession). Baselines mint one token (client-credentials grant) and send it as a
bearer header. Each HTTP library keeps its default connection pool.

    python bench.py reads   --clients kontext_sync,httpx_sync,... --app-id ID [--gets 2000]
                            [--concurrent 1000] [--page-items 10000] [--page-limit 200] [--rounds 5]
    python bench.py creates --clients ... [--creates 1000] [--rounds 3] [--prefix bench]
    python bench.py cold    --clients ... --app-id ID [--rounds 5]     (each round: fresh processes)
    python bench.py cold-once --client X --app-id ID                   (one fresh-process sample)
    python bench.py memory  --client X [--items 100000] [--page-limit 200]

Credentials: KONTEXT_BASE_URL, KONTEXT_CLIENT_ID, KONTEXT_CLIENT_SECRET. Only the standard library
is imported at the top, so ``cold-once`` measures the import of the client library alone.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

REDIRECT = "https://bench.example.com/oauth/callback"
SYNC = ("kontext_sync", "httpx_sync")
ASYNC = ("kontext_async", "httpx_async", "aiohttp")
#: Threads that share one sync client for the "concurrent" workload (sync code has no other way).
SYNC_THREADS = 32


def now() -> float:
    return time.perf_counter()


def cpu() -> float:
    """CPU time of this process so far (all threads, including the SDK's I/O threads), in µs."""
    return time.process_time() * 1e6


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    rank = -(-p * len(sorted_values) // 100)  # ceil
    return sorted_values[max(1, min(int(rank), len(sorted_values))) - 1]


def proc_status_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Env:
    def __init__(self):
        self.base = os.environ.get("KONTEXT_BASE_URL", "").rstrip("/")
        self.api = self.base + "/api/v1"
        self.client_id = os.environ.get("KONTEXT_CLIENT_ID", "")
        self.client_secret = os.environ.get("KONTEXT_CLIENT_SECRET", "")

    def basic_header(self):
        import base64
        from urllib.parse import quote_plus

        pair = f"{quote_plus(self.client_id)}:{quote_plus(self.client_secret)}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    def token_form(self):
        return {"grant_type": "client_credentials", "scope": "management:all", "audience": self.api}


# ---------------------------------------------------------------- sync clients


class KontextSync:
    name = "kontext_sync"
    is_async = False

    def __init__(self, env):
        import kontext_management

        self.c = kontext_management.ManagementClient(
            base_url=env.base, client_id=env.client_id, client_secret=env.client_secret
        )

    def get(self, id):
        return len(self.c.applications.get(id).application.name)

    def page(self, limit):
        n = 0
        for app in self.c.applications.list_all(limit=limit):
            n += 1 if app.id else 0
        return n

    def create(self, name):
        return len(self.c.applications.create(name=name, oauth={"redirect_uris": [REDIRECT]}).application.id)

    def close(self):
        self.c.close()


class HttpxSync:
    name = "httpx_sync"
    is_async = False

    def __init__(self, env):
        import httpx

        self.env = env
        # httpx's default pool (100 connections) with its 5 s default timeout, except for the
        # wait for a pooled connection: with 32 threads (workload 2) on a loaded machine that wait
        # alone passed 5 s and failed the run (httpx.PoolTimeout), which measures nothing.
        self.c = httpx.Client(timeout=httpx.Timeout(5.0, pool=None))
        self.headers = None

    def _auth(self):
        if self.headers is None:
            r = self.c.post(
                self.env.base + "/oauth2/token",
                data=self.env.token_form(),
                auth=(self.env.client_id, self.env.client_secret),
            )
            r.raise_for_status()
            token = json.loads(r.content)["access_token"]
            self.headers = {"authorization": "Bearer " + token, "accept": "application/json"}
        return self.headers

    def get(self, id):
        r = self.c.get(f"{self.env.api}/applications/{id}", headers=self._auth())
        r.raise_for_status()
        return len(json.loads(r.content)["application"]["name"])

    def page(self, limit):
        n, params = 0, {"limit": limit}
        headers = self._auth()
        while True:
            r = self.c.get(self.env.api + "/applications", params=params, headers=headers)
            r.raise_for_status()
            page = json.loads(r.content)
            for app in page["items"]:
                n += 1 if app["id"] else 0
            cursor = page.get("nextCursor")
            if not cursor:
                return n
            params = {"limit": limit, "cursor": cursor}

    def create(self, name):
        headers = dict(self._auth(), **{"content-type": "application/json"})
        body = json.dumps({"name": name, "oauth": {"redirectUris": [REDIRECT]}})
        r = self.c.post(self.env.api + "/applications", content=body, headers=headers)
        r.raise_for_status()
        return len(json.loads(r.content)["application"]["id"])

    def close(self):
        self.c.close()


# ---------------------------------------------------------------- async clients


class KontextAsync:
    name = "kontext_async"
    is_async = True

    def __init__(self, env):
        import kontext_management

        self.c = kontext_management.AsyncManagementClient(
            base_url=env.base, client_id=env.client_id, client_secret=env.client_secret
        )

    async def get(self, id):
        return len((await self.c.applications.get(id)).application.name)

    async def page(self, limit):
        n = 0
        async for app in self.c.applications.list_all(limit=limit):
            n += 1 if app.id else 0
        return n

    async def create(self, name):
        created = await self.c.applications.create(name=name, oauth={"redirect_uris": [REDIRECT]})
        return len(created.application.id)

    async def close(self):
        await self.c.close()


class HttpxAsync:
    name = "httpx_async"
    is_async = True

    def __init__(self, env):
        import httpx

        self.env = env
        # As for HttpxSync: no limit on the wait for a pooled connection (1,000 calls in flight).
        self.c = httpx.AsyncClient(timeout=httpx.Timeout(5.0, pool=None))
        self.headers = None
        self.lock = asyncio.Lock()

    async def _auth(self):
        if self.headers is None:
            async with self.lock:
                if self.headers is None:
                    r = await self.c.post(
                        self.env.base + "/oauth2/token",
                        data=self.env.token_form(),
                        auth=(self.env.client_id, self.env.client_secret),
                    )
                    r.raise_for_status()
                    token = json.loads(r.content)["access_token"]
                    self.headers = {"authorization": "Bearer " + token, "accept": "application/json"}
        return self.headers

    async def get(self, id):
        r = await self.c.get(f"{self.env.api}/applications/{id}", headers=await self._auth())
        r.raise_for_status()
        return len(json.loads(r.content)["application"]["name"])

    async def page(self, limit):
        n, params = 0, {"limit": limit}
        headers = await self._auth()
        while True:
            r = await self.c.get(self.env.api + "/applications", params=params, headers=headers)
            r.raise_for_status()
            page = json.loads(r.content)
            for app in page["items"]:
                n += 1 if app["id"] else 0
            cursor = page.get("nextCursor")
            if not cursor:
                return n
            params = {"limit": limit, "cursor": cursor}

    async def create(self, name):
        headers = dict(await self._auth(), **{"content-type": "application/json"})
        body = json.dumps({"name": name, "oauth": {"redirectUris": [REDIRECT]}})
        r = await self.c.post(self.env.api + "/applications", content=body, headers=headers)
        r.raise_for_status()
        return len(json.loads(r.content)["application"]["id"])

    async def close(self):
        await self.c.aclose()


class Aiohttp:
    name = "aiohttp"
    is_async = True

    def __init__(self, env):
        import aiohttp

        self.aiohttp = aiohttp
        self.env = env
        self.c = None  # a ClientSession must be made inside the running loop
        self.headers = None
        self.lock = asyncio.Lock()

    async def _auth(self):
        if self.c is None:
            self.c = self.aiohttp.ClientSession()
        if self.headers is None:
            async with self.lock:
                if self.headers is None:
                    basic = {"authorization": self.env.basic_header()}
                    async with self.c.post(self.env.base + "/oauth2/token", data=self.env.token_form(), headers=basic) as r:
                        r.raise_for_status()
                        token = json.loads(await r.read())["access_token"]
                    self.headers = {"authorization": "Bearer " + token, "accept": "application/json"}
        return self.headers

    async def get(self, id):
        headers = await self._auth()
        async with self.c.get(f"{self.env.api}/applications/{id}", headers=headers) as r:
            r.raise_for_status()
            return len(json.loads(await r.read())["application"]["name"])

    async def page(self, limit):
        n, params = 0, {"limit": limit}
        headers = await self._auth()
        while True:
            async with self.c.get(self.env.api + "/applications", params=params, headers=headers) as r:
                r.raise_for_status()
                page = json.loads(await r.read())
            for app in page["items"]:
                n += 1 if app["id"] else 0
            cursor = page.get("nextCursor")
            if not cursor:
                return n
            params = {"limit": limit, "cursor": cursor}

    async def create(self, name):
        headers = dict(await self._auth(), **{"content-type": "application/json"})
        body = json.dumps({"name": name, "oauth": {"redirectUris": [REDIRECT]}})
        async with self.c.post(self.env.api + "/applications", data=body, headers=headers) as r:
            r.raise_for_status()
            return len(json.loads(await r.read())["application"]["id"])

    async def close(self):
        if self.c is not None:
            await self.c.close()


CLIENTS = {c.name: c for c in (KontextSync, HttpxSync, KontextAsync, HttpxAsync, Aiohttp)}


# ---------------------------------------------------------------- driving sync and async alike


class Runner:
    """Runs a client's operations to completion, whether it is sync or async."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.pool = None

    def run(self, client, op, *args):
        fn = getattr(client, op)
        if client.is_async:
            return self.loop.run_until_complete(fn(*args))
        return fn(*args)

    def seq_gets(self, client, id, n):
        lat = []
        if client.is_async:

            async def go():
                for _ in range(n):
                    t = now()
                    await client.get(id)
                    lat.append((now() - t) * 1e6)

            self.loop.run_until_complete(go())
        else:
            get = client.get
            for _ in range(n):
                t = now()
                get(id)
                lat.append((now() - t) * 1e6)
        return lat

    def concurrent(self, client, id, n):
        if client.is_async:

            async def go():
                await asyncio.gather(*(client.get(id) for _ in range(n)))

            self.loop.run_until_complete(go())
        else:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=SYNC_THREADS)
            list(self.pool.map(lambda _: client.get(id), range(n)))

    def close(self, clients):
        for c in clients:
            self.run(c, "close")
        if self.pool is not None:
            self.pool.shutdown()
        self.loop.run_until_complete(asyncio.sleep(0.05))  # let transports close
        self.loop.close()


def make(name, env):
    if name not in CLIENTS:
        raise SystemExit(f"bench.py: unknown client {name!r}")
    return CLIENTS[name](env)


# ---------------------------------------------------------------- workloads


def reads(env, a):
    id = a["app-id"]
    gets, conc = int(a.get("gets", 2000)), int(a.get("concurrent", 1000))
    page_items, limit = int(a.get("page-items", 10000)), int(a.get("page-limit", 200))
    rounds, warmup = int(a.get("rounds", 5)), int(a.get("warmup", 200))
    r = Runner()
    clients = [make(n, env) for n in a["clients"]]
    for c in clients:
        r.seq_gets(c, id, warmup)
        r.concurrent(c, id, conc)
    out = []
    # A full collection before each timed segment, as in bench.mjs: the clients share this process.
    for rnd in range(rounds):
        for c in clients:
            gc.collect()
            c0, t = cpu(), now()
            lat = r.seq_gets(c, id, gets)
            total, used = (now() - t) * 1e6, cpu() - c0
            lat.sort()
            out.append({"workload": "get_seq", "client": c.name, "round": rnd, "n": gets,
                        "p50_us": percentile(lat, 50), "p99_us": percentile(lat, 99), "mean_us": total / gets,
                        "cpu_us_per_call": used / gets})
        for c in clients:
            gc.collect()
            t = now()
            r.concurrent(c, id, conc)
            out.append({"workload": "get_concurrent", "client": c.name, "round": rnd, "n": conc,
                        "wall_ms": (now() - t) * 1e3})
        for c in clients:
            gc.collect()
            c0, t = cpu(), now()
            n = r.run(c, "page", limit)
            wall, used = (now() - t) * 1e6, cpu() - c0
            if n != page_items:
                raise SystemExit(f"bench.py: {c.name} paged {n} items, expected {page_items}")
            out.append({"workload": "paging", "client": c.name, "round": rnd, "n": n,
                        "wall_ms": wall / 1e3, "us_per_item": wall / n, "cpu_us_per_item": used / n})
    r.close(clients)
    return out


def creates(env, a):
    n, rounds, prefix = int(a.get("creates", 1000)), int(a.get("rounds", 3)), a.get("prefix", "bench")
    r = Runner()
    clients = [make(x, env) for x in a["clients"]]
    for c in clients:
        r.run(c, "create", f"{prefix} {c.name} warmup")
    out = []
    for rnd in range(rounds):
        for c in clients:
            gc.collect()
            c0, t = cpu(), now()
            if c.is_async:

                async def go(c=c):
                    for i in range(n):
                        await c.create(f"{prefix} {c.name} r{rnd} #{i}")

                r.loop.run_until_complete(go())
            else:
                for i in range(n):
                    c.create(f"{prefix} {c.name} r{rnd} #{i}")
            wall, used = (now() - t) * 1e6, cpu() - c0
            out.append({"workload": "create_seq", "client": c.name, "round": rnd, "n": n,
                        "wall_ms": wall / 1e3, "us_per_call": wall / n, "cpu_us_per_call": used / n})
    r.close(clients)
    return out


IMPORTS = {
    "kontext_sync": "kontext_management",
    "kontext_async": "kontext_management",
    "httpx_sync": "httpx",
    "httpx_async": "httpx",
    "aiohttp": "aiohttp",
}


def cold_once(env, a):
    """In a fresh interpreter: import the library, build a client, make its first call."""
    name = a["client"]
    t = now()
    __import__(IMPORTS[name])
    imported = (now() - t) * 1e3
    r = Runner()
    t = now()
    c = make(name, env)
    init = (now() - t) * 1e3
    t = now()
    r.run(c, "get", a["app-id"])
    first = (now() - t) * 1e3
    r.close([c])
    return [{"workload": "cold", "client": name, "import_ms": imported, "init_ms": init, "first_call_ms": first}]


def cold(env, a):
    out = []
    bare = []
    for rnd in range(int(a.get("rounds", 5))):
        # A bare interpreter start, to show what the import adds to a real process start.
        t = now()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append((now() - t) * 1e3)
        for name in a["clients"]:
            t = now()
            p = subprocess.run(
                [sys.executable, __file__, "cold-once", "--client", name, "--app-id", a["app-id"]],
                check=True, capture_output=True, text=True,
            )
            process = (now() - t) * 1e3
            row = json.loads(p.stdout)["results"][0]
            row.update(round=rnd, process_ms=process)
            out.append(row)
    bare.sort()
    out.append({"workload": "cold", "client": "python_bare", "process_ms": bare[len(bare) // 2]})
    return out


def memory(env, a):
    name, items, limit = a["client"], int(a.get("items", 100000)), int(a.get("page-limit", 200))
    r = Runner()
    c = make(name, env)
    before = proc_status_kb("VmRSS")
    t = now()
    n = r.run(c, "page", limit)
    wall = (now() - t) * 1e3
    if n != items:
        raise SystemExit(f"bench.py: {name} streamed {n} items, expected {items}")
    hwm = proc_status_kb("VmHWM")
    r.close([c])
    return [{"workload": "memory", "client": name, "n": n, "wall_ms": wall, "rss_before_kb": before, "hwm_kb": hwm}]


COMMANDS = {"reads": reads, "creates": creates, "cold": cold, "cold-once": cold_once, "memory": memory}


def parse(argv):
    if not argv or argv[0] not in COMMANDS:
        raise SystemExit("usage: bench.py <" + "|".join(COMMANDS) + "> [--key value]...")
    a = {}
    rest = argv[1:]
    for i in range(0, len(rest), 2):
        if not rest[i].startswith("--") or i + 1 >= len(rest):
            raise SystemExit(f"bench.py: bad argument {rest[i]!r}")
        a[rest[i][2:]] = rest[i + 1]
    a["clients"] = [x for x in a.get("clients", ",".join(SYNC + ASYNC)).split(",") if x]
    return argv[0], a


def main():
    command, a = parse(sys.argv[1:])
    results = COMMANDS[command](Env(), a)
    print(json.dumps({"program": "python", "command": command, "results": results}))


if __name__ == "__main__":
    main()
