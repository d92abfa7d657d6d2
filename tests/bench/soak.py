#!/usr/bin/env python3
"""Soak: a steady request rate through the Python and Node engines for a long time (default
10 minutes), watching each process's memory. Standard library only; builds nothing
(``just soak`` builds the release emulator and the engines first).

One emulator (``--port 0 --json --rate-limit 0``, seeded with 1,000 applications and 50
integrations) serves a Python-engine process (``python/soak.py``: a ``ManagementClient`` and an
``AsyncManagementClient`` taking turns) and a Node-engine process (``node/soak.mjs``: the native
addon) running side by side, each at ``--rate`` calls per second with the same realistic mix
(gets, cursor pages, creates, updates, 404s, an occasional ``list_all`` stream abandoned midway).
Each process samples its own RSS every ``--sample-every`` seconds. After the warm-up (the first
10 % of the run, 60 s of the default 600 s) the RSS must grow by less than 10 % to the end.

    soak.py                       10 minutes: writes tests/bench/results/soak.json and the Soak
                                  section of BENCHMARKS.md (between the soak:begin/end markers)
    soak.py --duration 120        a shorter run (still written)
    soak.py --smoke               5 s at 50 calls/s, writes nothing, fails only if a process fails
                                  or a call fails unexpectedly (part of `just bench-smoke`)

Engines that are not built are reported as unavailable (``--require python,node`` makes that an
error). Exit status: 0 when every available engine met the target with no unexpected errors.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import Emulator  # noqa: E402  (the bench's emulator wrapper: one place)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TARGET_GROWTH_PCT = 10.0
BEGIN, END = "<!-- soak:begin (written by tests/bench/soak.py) -->", "<!-- soak:end -->"
ENGINES = {
    # name: (label, worker program)
    "python": ("Python `ManagementClient` + `AsyncManagementClient`", "python"),
    "node": ("Node native `kontext-management`", "node"),
    "node-wasm": ("WASM in Node `kontext-management/wasm`", "node"),
}
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def log(msg: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rss_kb_of(pid: int):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_BYTES // 1024
    except (OSError, ValueError, IndexError):
        return None


# ------------------------------------------------------------------ processes


class Worker:
    """One engine's soak process; a thread collects the JSON lines it prints."""

    def __init__(self, engine: str, argv: list, env: dict):
        self.engine = engine
        self.stderr = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.ready = None
        self.samples: list = []
        self.result = None
        self.garbage: list = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                self.garbage.append(line.rstrip()[:200])
                continue
            kind = obj.pop("type", None)
            if kind == "sample":
                self.samples.append(obj)
            elif kind == "result":
                self.result = obj
            elif kind == "ready":
                self.ready = obj

    def wait(self, timeout: float) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.thread.join(timeout=10)
        return code

    def err_tail(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().strip()[-2000:]


def probe(engine: str, python: str, node: str, env: dict):
    """True, or why the engine cannot run here."""
    npm = env["KONTEXT_NPM_DIR"]
    if engine == "python":
        argv, what = [python, "-c", "import kontext_management; kontext_management.ManagementClient"], "the Python engine (`just build-python`)"
    elif engine == "node":
        argv = [node, "-e", f"require({json.dumps(os.path.join(npm, 'index.node.cjs'))}).KontextManagementClient"]
        what = "the Node engine (`just build-node`)"
    else:
        argv = [node, "--input-type=module", "-e",
                f"const m = await import({json.dumps('file://' + os.path.join(npm, 'wasm.mjs'))}); "
                "if (!m.KontextManagementClient) throw new Error('no KontextManagementClient export');"]
        what = "the WASM engine (`just build-wasm`)"
    try:
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{what}: {e}"
    if p.returncode == 0:
        return True
    lines = p.stderr.strip().splitlines() or ["failed"]
    return f"{what}: " + next((l.strip() for l in lines if "Error" in l), lines[-1])


def worker_argv(engine: str, a) -> list:
    opts = ["--duration", str(a.duration), "--rate", str(a.rate), "--sample-every", str(a.sample_every)]
    if a.gc_before_sample:
        opts += ["--gc-before-sample", "1"]
    if engine == "python":
        return [a.python, os.path.join(HERE, "python", "soak.py"), *opts]
    node_flags = ["--expose-gc"] if a.gc_before_sample else []
    return [a.node, *node_flags, os.path.join(HERE, "node", "soak.mjs"), *opts,
            "--engine", "wasm" if engine == "node-wasm" else "native"]


# ------------------------------------------------------------------ analysis


def slope_kb_per_min(samples: list):
    """Least-squares slope of RSS over time, in kB per minute."""
    if len(samples) < 2:
        return None
    xs = [s["t"] / 60 for s in samples]
    ys = [s["rss_kb"] for s in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return None if den == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den


def analyse(samples: list, warmup: float) -> dict:
    after = [s for s in samples if s["t"] >= warmup]
    if not after:
        return {"samples_after_warmup": 0}
    base, end = after[0]["rss_kb"], after[-1]["rss_kb"]
    peak = max(s["rss_kb"] for s in after)
    # What else the process reported (Node heap and external memory, Python's object count), at the
    # same two points: where a growth would come from.
    other = {k: {"warm": after[0].get(k), "end": after[-1].get(k)} for k in after[0]
             if k not in ("t", "rss_kb", "calls", "errors", "expected_errors")}
    split = {}
    if "heap_total_kb" in after[0]:
        # Node: RSS outside V8's heap is the addon, its runtime and Node itself; V8's heap grows and
        # shrinks with its GC cycle (young generation sizing, old space until a full GC).
        outside = [s["rss_kb"] - s["heap_total_kb"] for s in (after[0], after[-1])]
        split = {
            "outside_js_heap_warm_kb": outside[0],
            "outside_js_heap_end_kb": outside[1],
            "outside_js_heap_growth_pct": round((outside[1] - outside[0]) / outside[0] * 100, 2) if outside[0] else None,
            "js_heap_total_warm_kb": after[0]["heap_total_kb"],
            "js_heap_total_end_kb": after[-1]["heap_total_kb"],
            "js_heap_total_max_kb": max(s["heap_total_kb"] for s in after),
        }
    return {
        **split,
        "samples_after_warmup": len(after),
        "rss_start_kb": samples[0]["rss_kb"],
        "rss_warm_kb": base,
        "rss_warm_t": after[0]["t"],
        "rss_end_kb": end,
        "rss_max_kb": peak,
        "growth_pct": round((end - base) / base * 100, 2) if base else None,
        "max_growth_pct": round((peak - base) / base * 100, 2) if base else None,
        "slope_kb_per_min": None if (s := slope_kb_per_min(after)) is None else round(s, 1),
        "other": other,
    }


def machine(python: str, node: str) -> dict:
    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unknown"

    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "unknown")
    except OSError:
        cpu = platform.processor() or "unknown"
    commit = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
        "git_commit": commit + ("+dirty" if dirty else ""),
        "python": version([python, "--version"]), "node": version([node, "--version"]),
        "load_avg_start": round(os.getloadavg()[0], 2),
    }


# ------------------------------------------------------------------ rendering


def mib(kb):
    return "–" if kb is None else f"{kb / 1024:,.1f}"


def pct(v):
    return "–" if v is None else f"{v:+.1f} %"


def trend(m: dict) -> str:
    v = m.get("slope_kb_per_min")
    return "–" if v is None else f"{v:+,.0f}"


def render(res: dict) -> str:
    """The whole "## Soak" section (what goes between the markers)."""
    cfg, info = res["config"], res["machine"]
    lines = []
    add = lines.append
    add("## Soak")
    add("")
    add("`just soak` (`tests/bench/soak.py`; `just soak --duration 120` for a shorter run, `--rate N` per "
        "engine): one release emulator seeded with 1,000 applications, and beside each other a Python-engine "
        "process (one `ManagementClient` and one `AsyncManagementClient` taking turns on one asyncio loop) and "
        "a Node-engine process (the native addon), each at a steady rate with the same mix per call: get by id "
        "55 %, a page of 50 applications following the cursor 20 %, create 8 %, update 5 %, a get of an "
        "unknown id (a 404, expected) 5 %, a page of integrations 6 %, a `list_all` / `listAll` stream "
        "abandoned after 300 items 1 %. Each process samples its own RSS; after the warm-up, RSS must grow by "
        f"less than {TARGET_GROWTH_PCT:.0f} % to the end. *Trend* is the least-squares slope of RSS over the "
        "samples after warm-up. The emulator's RSS is shown for context (it keeps every created record).")
    add("")
    add(f"Measured {info['date']} on {info['nproc']} × {info['cpu']}, Linux {info['kernel']}; commit "
        f"`{info['git_commit']}`; Python {info['python'].split()[-1]}, Node {info['node']}. "
        f"{cfg['duration']:.0f} s at {cfg['rate']:g} calls/s per engine, warm-up {cfg['warmup']:.0f} s, "
        f"RSS sampled every {cfg['sample_every']:g} s"
        f"{' after a full garbage collection (diagnosis run)' if cfg.get('gc_before_sample') else ''}. Load average {info['load_avg_start']} at the start, "
        f"{info.get('load_avg_end', '?')} at the end.")
    add("")
    add("| Engine | calls | calls/s | unexpected errors | 404s (expected) | RSS after warm-up MiB | RSS at end MiB "
        "| max MiB | growth | max growth | trend kB/min | < 10 % |")
    add("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, e in res["engines"].items():
        label = ENGINES.get(name, (name,))[0]
        if e.get("status") == "unavailable":
            add(f"| {label} | unavailable: {e.get('reason')} |" + " |" * 10)
            continue
        r, m = e.get("result") or {}, e.get("memory") or {}
        verdict = {"met": "met", "MISSED": "**MISSED**"}.get(e.get("target"), e.get("target") or "–")
        calls = "–" if r.get("calls") is None else f"{r['calls']:,}"
        expected = "–" if r.get("expected_errors") is None else f"{r['expected_errors']:,}"
        rate = "–" if r.get("achieved_rate") is None else f"{r['achieved_rate']:,.1f}"
        add(f"| {label} | {calls} | {rate} | {r.get('errors', '–')} | "
            f"{expected} | {mib(m.get('rss_warm_kb'))} | {mib(m.get('rss_end_kb'))} | "
            f"{mib(m.get('rss_max_kb'))} | {pct(m.get('growth_pct'))} | {pct(m.get('max_growth_pct'))} | "
            f"{trend(m)} | {verdict} |")
    emu = res.get("emulator") or {}
    if emu.get("memory"):
        m = emu["memory"]
        add(f"| Emulator (context) | – | – | – | – | {mib(m.get('rss_warm_kb'))} | {mib(m.get('rss_end_kb'))} | "
            f"{mib(m.get('rss_max_kb'))} | {pct(m.get('growth_pct'))} | {pct(m.get('max_growth_pct'))} | "
            f"{trend(m)} | – |")
    add("")
    for name, e in res["engines"].items():
        m = e.get("memory") or {}
        if "outside_js_heap_warm_kb" in m:
            add(f"{ENGINES.get(name, (name,))[0]}: RSS outside the JS heap (RSS − V8's committed heap: the addon, its "
                f"runtime and Node itself) {mib(m['outside_js_heap_warm_kb'])} → {mib(m['outside_js_heap_end_kb'])} MiB "
                f"({pct(m['outside_js_heap_growth_pct'])}); V8's committed heap {mib(m['js_heap_total_warm_kb'])} → "
                f"{mib(m['js_heap_total_end_kb'])} MiB (max {mib(m['js_heap_total_max_kb'])}).")
            add("")
    # RSS over time, at tenths of the run.
    series = {n: e.get("samples") or [] for n, e in res["engines"].items() if e.get("samples")}
    if emu.get("samples"):
        series["emulator"] = emu["samples"]
    if series:
        marks = [cfg["duration"] * i / 10 for i in range(11)]
        add("RSS (MiB) over the run:")
        add("")
        add("| | " + " | ".join(f"{t:.0f} s" for t in marks) + " |")
        add("|---|" + "---|" * len(marks))
        for n, samples in series.items():
            cells = []
            for t in marks:
                near = min(samples, key=lambda s: abs(s["t"] - t))
                cells.append(mib(near["rss_kb"]))
            add(f"| {ENGINES.get(n, ('Emulator',))[0]} | " + " | ".join(cells) + " |")
        add("")
    if res.get("notes"):
        for note in res["notes"]:
            add(note)
            add("")
    return "\n".join(lines).rstrip("\n") + "\n"


def update_markdown(path: str, body: str) -> None:
    """Writes the section between the soak markers (appended at the end when they are missing);
    everything else in the file, the `just bench` results included, is kept."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    block = f"{BEGIN}\n\n{body}\n{END}"
    if BEGIN not in text and END in text and "\n## Soak\n" in text.split(END, 1)[0]:
        # The begin marker was lost in a hand edit: the section starts at its heading.
        head, rest = text.split(END, 1)
        head = head.rsplit("\n## Soak\n", 1)[0]
        text = head + "\n" + BEGIN + "\n## Soak\n" + END + rest
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def restore_section(markdown: str, json_path: str) -> bool:
    """For run.py: puts the Soak section back from results/soak.json if BENCHMARKS.md lost it."""
    try:
        with open(markdown) as f:
            if END in f.read():
                return False
        with open(json_path) as f:
            res = json.load(f)
    except (OSError, json.JSONDecodeError):
        return False
    update_markdown(markdown, render(res))
    return True


# ------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, help="seconds (default 600; 5 with --smoke)")
    ap.add_argument("--rate", type=float, help="calls per second per engine (default 200; 50 with --smoke)")
    ap.add_argument("--warmup", type=float, help="seconds not counted in the growth (default 10 %% of the run)")
    ap.add_argument("--sample-every", type=float, help="seconds between RSS samples (default 5, at most 1/20 of the run)")
    ap.add_argument("--engines", default="python,node", help="comma-separated: python,node,node-wasm")
    ap.add_argument("--require", default="", help="comma-separated engines that must be available")
    ap.add_argument("--smoke", action="store_true", help="5 s at 50 calls/s; writes nothing; no growth target")
    ap.add_argument("--no-write", action="store_true", help="print only")
    ap.add_argument("--gc-before-sample", action="store_true",
                    help="diagnosis: a full garbage collection in each process before each sample (Node: --expose-gc)")
    ap.add_argument("--note", action="append", default=[], help="a sentence for the report (repeatable)")
    ap.add_argument("--emulator", default=os.path.join(ROOT, "target", "release", "kontext-management-emulator"))
    ap.add_argument("--python", default=os.path.join(ROOT, ".venv", "bin", "python"))
    ap.add_argument("--node", default=shutil.which("node") or "node")
    ap.add_argument("--npm-dir", default=os.environ.get("KONTEXT_NPM_DIR") or os.path.join(ROOT, "packages", "npm"),
                    help="the kontext-management package to load (default packages/npm)")
    ap.add_argument("--json-out", default=os.path.join(HERE, "results", "soak.json"))
    ap.add_argument("--markdown", default=os.path.join(ROOT, "BENCHMARKS.md"))
    a = ap.parse_args()
    a.duration = a.duration or (5.0 if a.smoke else 600.0)
    a.rate = a.rate or (50.0 if a.smoke else 200.0)
    a.warmup = a.warmup if a.warmup is not None else a.duration * 0.1
    a.sample_every = a.sample_every or min(5.0, a.duration / 20)
    if not os.path.exists(a.python):
        a.python = sys.executable
    if not os.path.exists(a.emulator):
        print(f"the emulator binary {a.emulator} is not built (just soak builds it)", file=sys.stderr)
        return 2
    engines = [e for e in a.engines.split(",") if e]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        print(f"unknown engine(s): {', '.join(unknown)}", file=sys.stderr)
        return 2

    info = machine(a.python, a.node)
    emu = Emulator(a.emulator)
    res = {"config": {"duration": a.duration, "rate": a.rate, "warmup": a.warmup, "sample_every": a.sample_every,
                      "smoke": a.smoke, "target_growth_pct": TARGET_GROWTH_PCT,
                      "gc_before_sample": a.gc_before_sample},
           "machine": info, "engines": {}, "emulator": {}, "notes": a.note}
    failures = []
    try:
        seeded = emu.control("POST", "seed", {"applications": 1000, "integrations": 50})
        log(f"emulator at {emu.base}, seeded {len(seeded.get('applicationIds', []))} applications")
        env = dict(emu.env(), KONTEXT_NPM_DIR=os.path.abspath(a.npm_dir))
        workers = {}
        for engine in engines:
            ok = probe(engine, a.python, a.node, env)
            if ok is not True:
                log(f"{engine}: unavailable ({ok})")
                res["engines"][engine] = {"status": "unavailable", "reason": ok}
                if engine in a.require.split(","):
                    failures.append(f"{engine}: required but unavailable")
                continue
            workers[engine] = Worker(engine, worker_argv(engine, a), env)
            log(f"{engine}: started ({a.duration:.0f} s at {a.rate:g} calls/s)")
        emu_samples = []
        started = time.monotonic()
        next_sample, next_report = started, started + 60
        while any(w.proc.poll() is None for w in workers.values()):
            now = time.monotonic()
            if now >= next_sample:
                rss = rss_kb_of(emu.proc.pid)
                if rss is not None:
                    emu_samples.append({"t": round(now - started, 3), "rss_kb": rss})
                next_sample += a.sample_every
            if now >= next_report:
                parts = [f"{n}: {w.samples[-1]['rss_kb'] / 1024:.1f} MiB, {w.samples[-1]['calls']:,} calls, "
                         f"{w.samples[-1]['errors']} errors" for n, w in workers.items() if w.samples]
                log(f"{now - started:.0f} s: " + "; ".join(parts))
                next_report += 60
            if now - started > a.duration + 180:
                log("the workers overran their duration by 3 minutes; stopping them")
                break
            time.sleep(0.1)
        for engine, w in workers.items():
            code = w.wait(timeout=30)
            entry = {"status": "ran", "exit_code": code, "ready": w.ready, "result": w.result,
                     "samples": w.samples, "memory": analyse(w.samples, a.warmup)}
            res["engines"][engine] = entry
            if code != 0 or w.result is None:
                entry["status"] = "failed"
                failures.append(f"{engine}: exited with {code}{'' if w.result else ' without a result'}: "
                                f"{w.err_tail()[-1500:]}")
                continue
            if w.result.get("errors"):
                failures.append(f"{engine}: {w.result['errors']} unexpected error(s), the last: "
                                f"{w.result.get('last_error')}")
            growth = entry["memory"].get("growth_pct")
            if not a.smoke:
                entry["target"] = "met" if growth is not None and growth < TARGET_GROWTH_PCT else "MISSED"
                if entry["target"] != "met":
                    failures.append(f"{engine}: RSS grew {growth} % after warm-up (target < {TARGET_GROWTH_PCT} %)")
        res["emulator"] = {"samples": emu_samples, "memory": analyse(emu_samples, a.warmup)}
    finally:
        emu.stop()
    info["load_avg_end"] = round(os.getloadavg()[0], 2)

    for engine, e in res["engines"].items():
        if e.get("status") == "unavailable":
            continue
        r, m = e.get("result") or {}, e.get("memory") or {}
        log(f"{engine}: {r.get('calls', 0):,} calls at {r.get('achieved_rate', 0)}/s, {r.get('errors', '?')} "
            f"unexpected errors, {r.get('expected_errors', '?')} expected 404s; RSS {mib(m.get('rss_warm_kb'))} → "
            f"{mib(m.get('rss_end_kb'))} MiB after warm-up ({pct(m.get('growth_pct'))}, max "
            f"{mib(m.get('rss_max_kb'))} MiB, trend {m.get('slope_kb_per_min')} kB/min)"
            + (f": target {e['target']}" if e.get("target") else ""))
    m = res["emulator"].get("memory") or {}
    log(f"emulator: RSS {mib(m.get('rss_warm_kb'))} → {mib(m.get('rss_end_kb'))} MiB after warm-up")
    if not a.smoke and not a.no_write:
        os.makedirs(os.path.dirname(a.json_out), exist_ok=True)
        with open(a.json_out, "w") as f:
            json.dump(res, f, indent=1, ensure_ascii=False)
            f.write("\n")
        update_markdown(a.markdown, render(res))
        log(f"wrote {os.path.relpath(a.json_out, ROOT)} and the Soak section of {os.path.relpath(a.markdown, ROOT)}")
    elif not a.smoke:
        print(render(res))
    for f in failures:
        log(f"FAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
