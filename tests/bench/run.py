#!/usr/bin/env python3
"""Runs every benchmark of the Kontext SDK side by side against ONE emulator on 127.0.0.1.

Standard library only. Builds nothing (``just bench`` builds first): it starts the emulator
binary, seeds it through the control API, runs each engine's bench program as a subprocess
(``kontext-management-bench`` for Rust, ``python/bench.py`` for Python, ``node/bench.mjs`` for Node and WASM),
collects the one JSON object each prints, takes the median over rounds, computes every figure as
a ratio to its baseline from the same run, prints the tables and reports each target (issue 21)
as met or missed. A missed target never fails a run; a failed bench program does.

    run.py                 full run: writes tests/bench/results/latest.json and the results
                           section of BENCHMARKS.md (between the bench:begin/end markers)
    run.py --smoke         tiny sizes, one round, writes nothing; exits non-zero only if a bench
                           program fails (an engine that is not built is reported as unavailable);
                           also runs ``soak.py --smoke`` (5 s through the Python and Node engines)
    run.py --smoke --require rust,python,node,wasm   ... and fails if one of these is unavailable

Engines that are not built are reported as "unavailable" and their rows say so; nothing fails.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TARGET = os.path.join(ROOT, "target", "bench")

FULL = dict(gets=2000, concurrent=1000, page_items=10_000, page_limit=200, creates=1000, mem_items=100_000,
            rounds=7, create_rounds=3, cold_rounds=7, mem_rounds=3, warmup=200, lg_seconds=5, lg_rounds=3,
            lg_connections=32, micro_iters=20_000)
SMOKE = dict(gets=20, concurrent=10, page_items=50, page_limit=20, creates=5, mem_items=200,
             rounds=1, create_rounds=1, cold_rounds=1, mem_rounds=1, warmup=5, lg_seconds=1, lg_rounds=1,
             lg_connections=4, micro_iters=100)

# Every client, the program that runs it, and its engine.
CLIENTS = {
    # name: (program, engine, label)
    "kontext": ("rust", "rust", "Rust `kontext-management`"),
    "reqwest": ("rust", "rust", "raw reqwest + serde"),
    "vendor": ("rust", "rust", "`kontext-dev-sdk` 0.2.1"),
    "kontext_dispatch": ("rust", "rust", "Rust core via `kontext_management::dispatch` (JSON text out, no FFI)"),
    "kontext_sync": ("python", "python", "Python `kontext_management.ManagementClient`"),
    "httpx_sync": ("python", "python", "`httpx.Client` + json.loads"),
    "kontext_async": ("python", "python", "Python `kontext_management.AsyncManagementClient`"),
    "httpx_async": ("python", "python", "`httpx.AsyncClient` + json.loads"),
    "aiohttp": ("python", "python", "`aiohttp` + json.loads"),
    "native": ("node", "node", "Node native `kontext-management`"),
    "wasm": ("node", "wasm", "WASM in Node `kontext-management/wasm`"),
    "fetch": ("node", "node", "global `fetch` + JSON.parse"),
    "node_http": ("node", "node", "`node:http` keep-alive + JSON.parse"),
    "fetch_timeout": ("node", "node", "`fetch` with a per-request timeout + JSON.parse"),
}
# Reference clients, and the workloads (bench program commands) each takes part in; none takes
# part in the memory workload. `kontext_dispatch`: the core through `kontext_management::dispatch`
# (not an engine; analysis only, no target). `fetch_timeout`: `fetch` with the timeout every SDK
# call has (an `AbortController` and a timer per request), the baseline of the WASM engine's
# targets for get, paging and create: an engine whose calls can time out against a `fetch`
# client whose calls can too.
REFERENCE_CLIENTS = {
    "kontext_dispatch": {"reads", "cold"},
    "fetch_timeout": {"reads", "creates", "cold"},
}
ENGINE_CLIENTS = ["kontext", "kontext_sync", "kontext_async", "native", "wasm"]
# The engines that run on the native core (reqwest under tokio), as opposed to WASM on `fetch`.
NATIVE_ENGINES = ["kontext", "kontext_sync", "kontext_async", "native"]
# Each engine against its baselines; the first is the "language baseline" of the paging target.
PAIRS = [
    ("kontext", ["reqwest", "vendor"]),
    ("kontext_sync", ["httpx_sync"]),
    ("kontext_async", ["httpx_async", "aiohttp"]),
    ("native", ["fetch", "node_http"]),
    ("wasm", ["fetch", "fetch_timeout", "node_http"]),
]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class ProgramFailed(Exception):
    pass


# ------------------------------------------------------------------ emulator


class Emulator:
    def __init__(self, binary: str):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--json", "--rate-limit", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the emulator ({binary}) exited before printing its address")
        info = json.loads(line)
        self.base, self.client_id, self.client_secret = info["baseUrl"], info["clientId"], info["clientSecret"]

    def control(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + "/_emulator/" + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            text = r.read()
        return json.loads(text) if text else None

    def reset_and_seed(self, applications: int) -> list:
        self.control("POST", "reset", {})
        self.control("POST", "config", {"rateLimitPerMinute": 0})
        ids = self.control("POST", "seed", {"applications": applications})["applicationIds"]
        return ids[len(ids) // 2] if ids else None

    def env(self) -> dict:
        return dict(os.environ, KONTEXT_BASE_URL=self.base, KONTEXT_CLIENT_ID=self.client_id,
                    KONTEXT_CLIENT_SECRET=self.client_secret)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ------------------------------------------------------------------ programs


class Programs:
    def __init__(self, args):
        self.bench_bin = args.bench_bin
        self.python = args.python
        self.node = args.node
        self.available: dict = {}  # client -> True | reason

    def argv(self, program: str, command: str, opts: dict) -> list:
        flat = [x for k, v in opts.items() for x in (f"--{k}", str(v))]
        if program == "rust":
            return [self.bench_bin, command, *flat]
        if program == "python":
            return [self.python, os.path.join(HERE, "python", "bench.py"), command, *flat]
        return [self.node, "--expose-gc", os.path.join(HERE, "node", "bench.mjs"), command, *flat]

    def run(self, program: str, command: str, opts: dict, env: dict, timeout: float = 600) -> tuple:
        """Runs one bench program; returns (parsed JSON, peak RSS in kB of that process alone)."""
        argv = self.argv(program, command, opts)
        log(" ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv)))
        # Output goes to files (not pipes), so the child never blocks while we wait4 for it.
        with tempfile.TemporaryFile("w+") as fout, tempfile.TemporaryFile("w+") as ferr:
            proc = subprocess.Popen(argv, env=env, stdout=fout, stderr=ferr, text=True)
            deadline = time.monotonic() + timeout
            # wait4 gives this child's own rusage (ru_maxrss: its peak RSS in kB on Linux).
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    raise ProgramFailed(f"{program} {command}: timed out after {timeout:.0f} s")
                time.sleep(0.01)
            proc.returncode = os.waitstatus_to_exitcode(status)
            fout.seek(0)
            ferr.seek(0)
            out, err = fout.read(), ferr.read()
        if proc.returncode != 0:
            raise ProgramFailed(f"{program} {command} exited with {proc.returncode}:\n{err.strip()[-3000:]}")
        lines = [l for l in out.splitlines() if l.strip()]
        try:
            return json.loads(lines[-1]), usage.ru_maxrss
        except (IndexError, json.JSONDecodeError) as e:
            raise ProgramFailed(f"{program} {command}: no JSON on stdout ({e}): {out[-500:]!r}") from None

    def probe(self, env: dict) -> None:
        """Finds which clients can run here; records the reason for those that cannot."""
        def check(argv, clients, what):
            try:
                p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
                lines = p.stderr.strip().splitlines() or ["failed"]
                ok, reason = p.returncode == 0, next((l.strip() for l in lines if "Error" in l), lines[-1])
            except OSError as e:
                ok, reason = False, str(e)
            for c in clients:
                self.available[c] = True if ok else f"{what}: {reason}"
            return ok

        # Rust
        if os.path.exists(self.bench_bin):
            p = subprocess.run([self.bench_bin, "clients"], env=env, capture_output=True, text=True)
            have = json.loads(p.stdout)["clients"] if p.returncode == 0 else []
            for c in ("kontext", "reqwest", "vendor", "kontext_dispatch"):
                self.available[c] = True if c in have else "built without `--features vendor`"
        else:
            for c in ("kontext", "reqwest", "vendor", "kontext_dispatch"):
                self.available[c] = f"{self.bench_bin} is not built"
        # Python
        py = self.python
        check([py, "-c", "import kontext_management; kontext_management.ManagementClient"], ["kontext_sync", "kontext_async"],
              "the Python engine (`just build-python`)")
        check([py, "-c", "import httpx"], ["httpx_sync", "httpx_async"], "httpx is not installed")
        check([py, "-c", "import aiohttp"], ["aiohttp"], "aiohttp is not installed")
        # Node
        npm = os.path.join(ROOT, "packages", "npm")
        check([self.node, "-e", f"require({json.dumps(os.path.join(npm, 'index.node.cjs'))}).KontextManagementClient"],
              ["native"], "the Node engine (`just build-node`)")
        check([self.node, "--input-type=module", "-e",
               f"const m = await import({json.dumps('file://' + os.path.join(npm, 'wasm.mjs'))}); "
               "if (!m.KontextManagementClient) throw new Error('no KontextManagementClient export');"],
              ["wasm"], "the WASM engine (`just build-wasm`)")
        check([self.node, "-e", "if (typeof fetch !== 'function') process.exit(1)"], ["fetch", "fetch_timeout", "node_http"],
              "this Node has no global fetch")

    def clients_of(self, program: str, command: str) -> list:
        """The available clients of a program for one command; a reference client only where
        `REFERENCE_CLIENTS` lists that command."""
        return [c for c, (p, _, _) in CLIENTS.items()
                if p == program and self.available.get(c) is True
                and (c not in REFERENCE_CLIENTS or command in REFERENCE_CLIENTS[c])]


# ------------------------------------------------------------------ the run


def machine(python: str) -> dict:
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""

    cpu = next((l.split(":", 1)[1].strip() for l in read("/proc/cpuinfo").splitlines() if l.startswith("model name")),
               platform.processor() or "unknown")
    mem_kb = next((int(l.split()[1]) for l in read("/proc/meminfo").splitlines() if l.startswith("MemTotal:")), 0)

    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    commit = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "git_commit": commit + ("+dirty" if dirty else ""),
        "rustc": version(["rustc", "--version"]),
        "python": version([python, "--version"]),
        "node": version(["node", "--version"]),
        "load_avg_start": round(os.getloadavg()[0], 2),
    }


def run_all(args, sizes: dict) -> dict:
    progs = Programs(args)
    emu = Emulator(args.emulator)
    started = time.monotonic()
    raw: list = []
    failures: list = []
    passed: list = []
    try:
        env = emu.env()
        progs.probe(env)
        for c, ok in progs.available.items():
            if ok is not True:
                log(f"{c}: unavailable ({ok})")

        def attempt(program, command, opts, extra=None):
            try:
                out, maxrss = progs.run(program, command, opts, env)
            except ProgramFailed as e:
                log(f"FAILED: {e}")
                failures.append(str(e))
                return
            passed.append(f"{program} {command}")
            for row in out["results"]:
                # The memory figure is the program's own VmHWM (peak RSS since its exec). wait4's
                # ru_maxrss rides along but can't be used alone: Linux carries the parent's RSS at
                # fork into the child's maxrss across exec, so it never reads below this process.
                row.update(extra or {}, **({"wait4_maxrss_kb": maxrss} if command == "memory" else {}))
                raw.append(row)

        only = set(args.only.split(",")) if args.only else None
        programs = [p for p in ("rust", "python", "node") if only is None or p in only]

        # 1–3: reads over exactly `page_items` applications.
        app_id = emu.reset_and_seed(sizes["page_items"])
        for program in programs:
            clients = progs.clients_of(program, "reads")
            if clients:
                attempt(program, "reads", {
                    "clients": ",".join(clients), "app-id": app_id, "gets": sizes["gets"],
                    "concurrent": sizes["concurrent"], "page-items": sizes["page_items"],
                    "page-limit": sizes["page_limit"], "rounds": sizes["rounds"], "warmup": sizes["warmup"]})
        # Where the time goes: decode/encode costs in the core, without HTTP.
        if progs.available.get("kontext") is True and "rust" in programs:
            attempt("rust", "micro", {"app-id": app_id, "iters": sizes["micro_iters"]})
        # 4: creates (unique names per client and round).
        prefix = f"bench{int(time.time())}"
        for program in programs:
            clients = progs.clients_of(program, "creates")
            if clients:
                attempt(program, "creates", {"clients": ",".join(clients), "creates": sizes["creates"],
                                             "rounds": sizes["create_rounds"], "prefix": prefix})
        # 5: cold start (fresh processes for Python and Node).
        for program in programs:
            clients = progs.clients_of(program, "cold")
            if clients:
                attempt(program, "cold", {"clients": ",".join(clients), "app-id": app_id,
                                          "rounds": sizes["cold_rounds"]})
        # 7: WASM size.
        if progs.available.get("wasm") is True and "node" in programs:
            attempt("node", "wasm-size", {})
        # 8: the emulator's throughput.
        if progs.available.get("kontext") is True and "rust" in programs:
            attempt("rust", "loadgen", {"app-id": app_id, "connections": sizes["lg_connections"],
                                        "seconds": sizes["lg_seconds"], "rounds": sizes["lg_rounds"], "threads": 1})
        # 6: memory, one process per client and round, over `mem_items` applications.
        emu.reset_and_seed(sizes["mem_items"])
        for rnd in range(sizes["mem_rounds"]):
            for program in programs:
                for client in progs.clients_of(program, "memory"):
                    attempt(program, "memory", {"client": client, "items": sizes["mem_items"],
                                                "page-limit": sizes["page_limit"]}, {"round": rnd})
    finally:
        emu.stop()
    return {"raw": raw, "available": progs.available, "failures": failures, "passed": passed,
            "elapsed_s": round(time.monotonic() - started, 1)}


# ------------------------------------------------------------------ aggregation


def medians(raw: list) -> dict:
    """(workload, client) -> {metric: median over rounds}."""
    groups: dict = {}
    for r in raw:
        groups.setdefault((r["workload"], r["client"]), []).append(r)
    out = {}
    for key, rows in groups.items():
        agg = {"rounds": len(rows)}
        for metric in rows[0]:
            vals = [r[metric] for r in rows if isinstance(r.get(metric), (int, float)) and metric not in ("round",)]
            if vals and metric not in ("round",):
                agg[metric] = statistics.median(vals)
            elif isinstance(rows[0].get(metric), str) and metric not in ("workload", "client"):
                agg[metric] = rows[0][metric]
        out[key] = agg
    return out


def ratio(engine, baseline):
    if engine is None or baseline is None or baseline == 0:
        return None
    return engine / baseline


def summarize(res: dict, sizes: dict) -> dict:
    m = medians(res["raw"])
    avail = res["available"]

    def get(workload, client, metric):
        return m.get((workload, client), {}).get(metric)

    comparisons = []
    for engine, baselines in PAIRS:
        for i, base in enumerate(baselines):
            row = {"engine": engine, "baseline": base, "primary": i == 0}
            for workload, metric in (("get_seq", "p50_us"), ("get_seq", "p99_us"), ("get_seq", "mean_us"),
                                     ("get_seq", "cpu_us_per_call"), ("get_concurrent", "wall_ms"),
                                     ("paging", "wall_ms"), ("paging", "cpu_us_per_item"),
                                     ("create_seq", "us_per_call"), ("create_seq", "cpu_us_per_call"),
                                     ("cold", "first_call_ms"), ("memory", "hwm_kb")):
                e, b = get(workload, engine, metric), get(workload, base, metric)
                row[f"{workload}.{metric}"] = {"engine": e, "baseline": b, "ratio": ratio(e, b)}
            comparisons.append(row)

    def cmp(engine, base, key):
        for row in comparisons:
            if row["engine"] == engine and row["baseline"] == base:
                return row[key]["ratio"]
        return None

    def unavailable(*clients):
        missing = [c for c in clients if avail.get(c) is not True]
        return f"unavailable: {', '.join(missing)}" if missing else None

    targets = []

    def target(name, clients, value, ok, shown):
        why = unavailable(*clients)
        if why or value is None:
            targets.append({"target": name, "status": "UNAVAILABLE", "value": why or "not measured"})
        else:
            targets.append({"target": name, "status": "met" if ok(value) else "MISSED", "value": shown(value)})

    # The targets of issue 21 (item 5). Each is a ratio of medians from this run, engine ÷ baseline;
    # "CPU" is the client process's CPU time (all threads) per call, or per item when paging;
    # "wall" is elapsed time. `just bench-smoke` computes and prints them like a full run, but
    # only a failed bench program fails a run (smoke or full): at smoke sizes the ratios mean
    # nothing, and on a full run a miss is reported with its cause in BENCHMARKS.md.
    def label(c):
        return CLIENTS[c][2]

    times = lambda r: f"{r:.3f}×"  # noqa: E731
    ms = lambda v: f"{v:.1f} ms"  # noqa: E731
    cpu_call = "get_seq.cpu_us_per_call"
    for engine, base, limit in (("kontext_sync", "httpx_sync", 0.35), ("kontext_async", "httpx_async", 0.25),
                                ("kontext_async", "aiohttp", 1.25), ("native", "fetch", 0.5),
                                ("native", "node_http", 1.25), ("kontext", "reqwest", 1.1),
                                ("kontext", "vendor", 1.0)):
        target(f"`applications.get`, client CPU per call: {label(engine)} ≤ {limit}× {label(base)}", [engine, base],
               cmp(engine, base, cpu_call), lambda r, limit=limit: r <= limit, times)
    # WASM against `fetch` with the same per-request timeout, in the three workloads the issue names.
    for what, key in (("`applications.get`, client CPU per call", cpu_call),
                      (f"paging {sizes['page_items']:,} items, client CPU per item", "paging.cpu_us_per_item"),
                      ("`applications.create`, client CPU per call", "create_seq.cpu_us_per_call")):
        target(f"{what}: {label('wasm')} ≤ 1.15× {label('fetch_timeout')}", ["wasm", "fetch_timeout"],
               cmp("wasm", "fetch_timeout", key), lambda r: r <= 1.15, times)
    # Paging, wall time: each native engine against its language baseline (the first of its PAIRS).
    for engine, baselines in PAIRS:
        if engine in NATIVE_ENGINES:
            base = baselines[0]
            target(f"Paging {sizes['page_items']:,} items, wall time: {label(engine)} ≤ 1.1× {label(base)}",
                   [engine, base], cmp(engine, base, "paging.wall_ms"), lambda r: r <= 1.1, times)
    target("Cold start: Python `import kontext_management` ≤ 30 ms", ["kontext_sync"],
           get("cold", "kontext_sync", "import_ms"), lambda v: v <= 30, ms)
    target("Cold start: Node `require('kontext-management')` ≤ 15 ms", ["native"],
           get("cold", "native", "import_ms"), lambda v: v <= 15, ms)
    wi, wc = get("cold", "wasm", "import_ms"), get("cold", "wasm", "init_ms")
    target("Cold start: WASM `import('kontext-management/wasm')` + client construction ≤ 30 ms", ["wasm"],
           None if wi is None or wc is None else wi + wc, lambda v: v <= 30, ms)
    for engine, baselines in PAIRS:
        base = baselines[0]
        target(f"Memory, {sizes['mem_items']:,} items streamed: {label(engine)} peak RSS ≤ 1.2× {label(base)} "
               "one page at a time", [engine, base], cmp(engine, base, "memory.hwm_kb"), lambda r: r <= 1.2,
               lambda r: f"{r:.2f}× the peak RSS")
    # The bytes a browser downloads: every .wasm the package ships, gzip -9 (as `just wasm-size`
    # counts it; 200 KB = 200,000 bytes).
    gz = [r["gzip_bytes"] for r in res["raw"] if r["workload"] == "wasm_size"]
    target("WASM ≤ 200 KB gzipped (200,000 bytes, gzip -9)", ["wasm"], sum(gz) if gz else None,
           lambda v: v <= 200_000, lambda v: f"{v:,} bytes")
    rps = get("emulator_rps", "loadgen", "rps")
    target("Emulator ≥ 10,000 authenticated GETs/s", [], rps, lambda v: v >= 10_000, lambda v: f"{v:,.0f} requests/s")
    return {"medians": {f"{w}/{c}": v for (w, c), v in m.items()}, "comparisons": comparisons, "targets": targets}


# ------------------------------------------------------------------ rendering


def fmt(v, digits=1, unit=""):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    return f"{v:,}{unit}"


def render(res: dict, summ: dict, info: dict, sizes: dict) -> str:
    med = summ["medians"]
    avail = res["available"]

    def val(workload, client, metric):
        return med.get(f"{workload}/{client}", {}).get(metric)

    def name(c):
        label = CLIENTS[c][2]
        return label if avail.get(c) is True else f"{label} (unavailable)"

    def ratio_cell(workload, metric, engine, base, digits=2):
        e, b = val(workload, engine, metric), val(workload, base, metric)
        r = ratio(e, b)
        return "–" if r is None else f"{r:.{digits}f}×"

    lines = []
    add = lines.append
    add(f"Measured {info['date']} on {info['nproc']} × {info['cpu']}, {info['memory_gib']} GiB, Linux "
        f"{info['kernel']}; commit `{info['git_commit']}`; {info['rustc']}, Python {info['python'].split()[-1]}, "
        f"Node {info['node']}. Load average {info['load_avg_start']} at the start, {info.get('load_avg_end', '?')} at the end "
        f"(the machine is shared: absolute times are noisy, ratios within one run are what count). "
        f"Every figure is the median of {sizes['rounds']} rounds (creates {sizes['create_rounds']}, cold starts "
        f"{sizes['cold_rounds']}, memory {sizes['mem_rounds']}); ratio = engine ÷ baseline of the same run "
        f"(below 1 = the engine is faster / smaller). Whole run: {res['elapsed_s']:.0f} s.")
    add("")

    def table(title, workload, cols, note=""):
        add(f"### {title}")
        add("")
        if note:
            add(note)
            add("")
        header = ["Engine", "Baseline"] + [c[0] for c in cols]
        add("| " + " | ".join(header) + " |")
        add("|" + "---|" * len(header))
        seen = set()
        for engine, baselines in PAIRS:
            for base in baselines:
                if base in REFERENCE_CLIENTS and f"{workload}/{base}" not in med:
                    continue
                cells = []
                for label, metric, digits, is_ratio in cols:
                    if is_ratio:
                        cells.append(ratio_cell(workload, metric, engine, base))
                    else:
                        e = fmt(val(workload, engine, metric), digits)
                        b = fmt(val(workload, base, metric), digits)
                        cells.append(f"{e} vs {b}")
                add(f"| {name(engine)} | {name(base)} | " + " | ".join(cells) + " |")
                seen.add(engine)
        add("")

    table(f"1. Sequential `applications.get` ({sizes['gets']:,} calls per round)", "get_seq",
          [("p50 µs", "p50_us", 1, False), ("p50 ratio", "p50_us", 2, True),
           ("p99 µs", "p99_us", 1, False), ("p99 ratio", "p99_us", 2, True), ("mean ratio", "mean_us", 2, True),
           ("client CPU µs/call", "cpu_us_per_call", 1, False), ("CPU ratio", "cpu_us_per_call", 2, True)],
          "p50/p99: wall time per call. *Client CPU*: CPU time the client's process used per call (all its "
          "threads), which the other load on the machine disturbs much less than wall time.")
    table(f"2. {sizes['concurrent']:,} concurrent GETs (wall time)", "get_concurrent",
          [("ms", "wall_ms", 1, False), ("ratio", "wall_ms", 2, True)],
          "Async clients: all in flight at once on one client (each HTTP library's default pool); Python sync "
          f"clients: {32} threads sharing one client.")
    table(f"3. Paging {sizes['page_items']:,} applications (limit {sizes['page_limit']}) to the last item", "paging",
          [("ms", "wall_ms", 1, False), ("µs/item", "us_per_item", 2, False), ("ratio", "wall_ms", 2, True),
           ("client CPU µs/item", "cpu_us_per_item", 2, False), ("CPU ratio", "cpu_us_per_item", 2, True)])
    table(f"4. {sizes['creates']:,} sequential `applications.create`", "create_seq",
          [("µs/call", "us_per_call", 1, False), ("ratio", "us_per_call", 2, True),
           ("client CPU µs/call", "cpu_us_per_call", 1, False), ("CPU ratio", "cpu_us_per_call", 2, True)])

    add("### 5. Cold start")
    add("")
    add("Fresh process per sample (Rust: a fresh client in a running process). *Load*: `import kontext_management` / "
        "`require('kontext-management')` / `import('kontext-management/wasm')` (`import httpx`, `import aiohttp`, "
        "`import('node:http')` for the baselines; `fetch` is built in). *Client*: constructing the client "
        "(WASM: includes instantiating the module if the package does it lazily). *First call*: the first "
        "`applications.get`, including the token request and the connection.")
    add("")
    add("| Client | load ms | client ms | first call ms | whole process ms |")
    add("|---|---|---|---|---|")
    for c in CLIENTS:
        if (f"cold/{c}") in med or avail.get(c) is not True:
            add(f"| {name(c)} | {fmt(val('cold', c, 'import_ms'), 1)} | {fmt(val('cold', c, 'init_ms'), 2)} | "
                f"{fmt(val('cold', c, 'first_call_ms'), 2)} | {fmt(val('cold', c, 'process_ms'), 1)} |")
    for bare, label in (("python_bare", "`python -c pass`"), ("node_bare", "`node -e 0`")):
        if f"cold/{bare}" in med:
            add(f"| {label} (reference) | – | – | – | {fmt(val('cold', bare, 'process_ms'), 1)} |")
    add("")

    add(f"### 6. Memory: peak RSS streaming {sizes['mem_items']:,} items")
    add("")
    add("Each client in a process of its own; peak RSS = the process's `VmHWM` after streaming (the whole "
        "process: interpreter, runtime, libraries). The engines use `list_all` / `listAll`; the baselines hold "
        "one page at a time. *Growth* = peak − RSS just before streaming.")
    add("")
    add("| Engine | Baseline | peak MiB | growth MiB | ratio (peak) |")
    add("|---|---|---|---|---|")
    for engine, baselines in PAIRS:
        for base in baselines:
            if base in REFERENCE_CLIENTS:
                continue

            def mib(c, metric):
                v = val("memory", c, metric)
                return None if v is None else v / 1024

            def growth(c):
                hwm, before = val("memory", c, "hwm_kb"), val("memory", c, "rss_before_kb")
                return None if hwm is None or before is None else (hwm - before) / 1024

            add(f"| {name(engine)} | {name(base)} | {fmt(mib(engine, 'hwm_kb'), 1)} vs {fmt(mib(base, 'hwm_kb'), 1)} | "
                f"{fmt(growth(engine), 1)} vs {fmt(growth(base), 1)} | {ratio_cell('memory', 'hwm_kb', engine, base)} |")
    add("")

    add("### 7. WASM size")
    add("")
    sizes_rows = [r for r in res["raw"] if r["workload"] == "wasm_size"]
    if sizes_rows:
        add("| File | raw bytes | gzip -9 bytes |")
        add("|---|---|---|")
        for r in sizes_rows:
            add(f"| `{r['file']}` | {r['raw_bytes']:,} | {r['gzip_bytes']:,} |")
    else:
        add(f"WASM engine unavailable ({avail.get('wasm')}).")
    add("")

    add("### 8. The emulator")
    add("")
    rps = val("emulator_rps", "loadgen", "rps")
    conn = val("emulator_rps", "loadgen", "connections")
    add(f"Authenticated `GET /api/v1/applications/{{id}}` per second, {fmt(conn, 0)} keep-alive connections from a "
        f"minimal HTTP/1.1 load generator (one thread) on loopback: **{fmt(rps, 0)} requests/s** "
        f"(median of {sizes['lg_rounds']} × {sizes['lg_seconds']} s).")
    add("")

    add("### Where the time goes")
    add("")
    add("The same call through each layer: the typed Rust API; the core through `kontext_management::dispatch` (JSON "
        "arguments in, the result re-encoded to JSON text: what every binding runs under its FFI); then each "
        "binding (FFI crossing + JSON.parse/json.loads + the language layer).")
    add("")
    add("| Layer | GET p50 µs | GET client CPU µs | paging client CPU µs/item |")
    add("|---|---|---|---|")
    for c in ("reqwest", "kontext", "kontext_dispatch", "kontext_sync", "kontext_async", "native", "wasm"):
        if f"get_seq/{c}" in med:
            add(f"| {CLIENTS[c][2]} | {fmt(val('get_seq', c, 'p50_us'), 1)} | {fmt(val('get_seq', c, 'cpu_us_per_call'), 1)} | "
                f"{fmt(val('paging', c, 'cpu_us_per_item'), 2)} |")
    add("")
    micro_rows = [(c.split("/", 1)[1], v) for c, v in med.items() if c.startswith("micro/")]
    if micro_rows:
        first = micro_rows[0][1]
        add(f"CPU cost inside the core, no HTTP (one `GET` answer is {fmt(first.get('get_bytes'), 0)} bytes, a page "
            f"of 200 applications {fmt(first.get('page_bytes'), 0)} bytes):")
        add("")
        add("| Operation | µs |")
        add("|---|---|")
        for op, v in micro_rows:
            add(f"| {op} | {fmt(v['ns_per_op'] / 1000, 2)} |")
        add("")

    add("### Targets")
    add("")
    add("| Target | Status | Measured |")
    add("|---|---|---|")
    for t in summ["targets"]:
        status = {"met": "met", "MISSED": "**MISSED**", "UNAVAILABLE": "unavailable"}[t["status"]]
        add(f"| {t['target']} | {status} | {t['value']} |")
    add("")
    unavailable = {c: why for c, why in avail.items() if why is not True}
    if unavailable:
        add("Unavailable in this run: " + "; ".join(f"`{c}` ({why})" for c, why in unavailable.items()) + ".")
        add("")
    if res["failures"]:
        add("Failed programs: " + "; ".join(f.splitlines()[0] for f in res["failures"]) + ".")
        add("")
    return "\n".join(lines)


def soak_smoke(args, res: dict) -> None:
    """`soak.py --smoke` (5 s through the Python and Node engines on their own emulator), so the
    soak driver cannot rot either; counted like one more bench program."""
    only = set(args.only.split(",")) if args.only else {"python", "node"}
    engines = [e for e in ("python", "node") if e in only]
    if not engines:
        return
    argv = [sys.executable, os.path.join(HERE, "soak.py"), "--smoke", "--engines", ",".join(engines),
            "--emulator", args.emulator, "--python", args.python, "--node", args.node]
    log("soak.py --smoke --engines " + ",".join(engines))
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=180)
        ok, detail = p.returncode == 0, p.stderr.strip()
    except subprocess.TimeoutExpired:
        ok, detail = False, "timed out after 180 s"
    for line in detail.splitlines():
        print(f"  {line}", file=sys.stderr)
    if ok:
        res["passed"].append("soak --smoke")
    else:
        msg = f"soak --smoke failed: {detail[-1500:]}"
        log(f"FAILED: {msg}")
        res["failures"].append(msg)


BEGIN, END = "<!-- bench:begin (written by tests/bench/run.py) -->", "<!-- bench:end -->"


def update_benchmarks_md(path: str, body: str) -> None:
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n`just bench` rewrites the section below.\n\n"
    block = f"{BEGIN}\n\n{body}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one round, no file writes")
    ap.add_argument("--rounds", type=int, help="rounds of the read workloads (default 5)")
    ap.add_argument("--only", help="comma-separated programs: rust,python,node")
    ap.add_argument("--require", default="", help="comma-separated engines that must be available: "
                    "rust,python,node,wasm (for CI)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--emulator", default=os.path.join(TARGET, "release", "kontext-management-emulator"))
    ap.add_argument("--bench-bin", default=os.path.join(TARGET, "release", "kontext-management-bench"))
    ap.add_argument("--python", default=os.path.join(ROOT, ".venv", "bin", "python"))
    ap.add_argument("--node", default=shutil.which("node") or "node")
    ap.add_argument("--json-out", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--markdown", default=os.path.join(ROOT, "BENCHMARKS.md"))
    args = ap.parse_args()
    if not os.path.exists(args.python):
        args.python = sys.executable
    sizes = dict(SMOKE if args.smoke else FULL)
    if args.rounds:
        sizes["rounds"] = args.rounds
    # Thousands of pooled keep-alive sockets across the clients: lift the soft limit on open files.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536,) * 2)
    if not os.path.exists(args.emulator):
        print(f"the emulator binary {args.emulator} is not built (just bench builds it)", file=sys.stderr)
        return 2

    info = machine(args.python)
    res = run_all(args, sizes)
    if args.smoke:
        soak_smoke(args, res)
    info["load_avg_end"] = round(os.getloadavg()[0], 2)
    summ = summarize(res, sizes)
    body = render(res, summ, info, sizes)
    print(body)
    required = {"rust": ["kontext", "reqwest"], "python": ["kontext_sync", "kontext_async"], "node": ["native"],
                "wasm": ["wasm"]}
    missing = [e for e in filter(None, args.require.split(",")) for c in required.get(e, [e])
               if res["available"].get(c) is not True]
    if not args.smoke and not args.no_write:
        os.makedirs(os.path.dirname(args.json_out), exist_ok=True)
        with open(args.json_out, "w") as f:
            json.dump({"machine": info, "sizes": sizes, "available": res["available"], "failures": res["failures"],
                       "elapsed_s": res["elapsed_s"], "targets": summ["targets"], "medians": summ["medians"],
                       "comparisons": summ["comparisons"], "raw": res["raw"]}, f, indent=1, ensure_ascii=False)
            f.write("\n")
        update_benchmarks_md(args.markdown, body)
        # The Soak section (`just soak`) lives outside the bench markers and survives the rewrite;
        # if the file lost it, it comes back from the last soak's results.
        import soak
        if soak.restore_section(args.markdown, os.path.join(HERE, "results", "soak.json")):
            log("restored the Soak section of BENCHMARKS.md from tests/bench/results/soak.json")
        log(f"wrote {os.path.relpath(args.json_out, ROOT)} and {os.path.relpath(args.markdown, ROOT)}")
    status = 0
    if res["failures"]:
        log(f"{len(res['failures'])} bench program(s) failed")
        status = 1
    if missing:
        log(f"required but unavailable: {', '.join(sorted(set(missing)))}")
        status = 1
    log(f"done in {res['elapsed_s']:.0f} s")
    if args.smoke:
        # Last, as the plain closing line test harnesses read: one "test" per bench program run.
        sys.stderr.flush()
        print(f"\nbench-smoke: {len(res['passed'])} passed, {len(res['failures'])} failed", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
