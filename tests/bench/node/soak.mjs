// The Node side of `just soak` (driven by tests/bench/soak.py; see BENCHMARKS.md, "Soak").
//
// Sends a steady, realistic mix of calls through one KontextManagementClient of the Node engine
// (`--engine native`, the napi addon, by default; `--engine wasm` for WASM in Node) for a fixed
// time and samples this process's own memory. Prints JSON lines on stdout: {"type": "sample"}
// every --sample-every seconds, then one {"type": "result"}.
//
//   node soak.mjs --duration 600 --rate 200 [--sample-every 5] [--seed 1] [--engine native]
//                 [--gc-before-sample 1]   (with `node --expose-gc`: a full GC before each sample)
//
// The mix (per call, weighted) is the Python side's: get by id 55, one page of applications
// following the cursor 20, create 8, update 5, get of an unknown id (expects a 404 NotFoundError)
// 5, one page of integrations 6, and 1 listAll stream abandoned after 300 items. Credentials:
// KONTEXT_BASE_URL, KONTEXT_CLIENT_ID, KONTEXT_CLIENT_SECRET; the package is loaded from
// packages/npm (or KONTEXT_NPM_DIR).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

const MIX = [['get', 55], ['page', 20], ['create', 8], ['update', 5], ['not_found', 5], ['integrations', 6],
  ['list_all', 1]];
const STREAM_ITEMS = 300;
const PAGE_SIZE = 50;
const REDIRECT = 'https://soak.example.com/oauth/callback';

const here = dirname(fileURLToPath(import.meta.url));
const NPM_DIR = resolve(process.env.KONTEXT_NPM_DIR ?? join(here, '..', '..', '..', 'packages', 'npm'));

function args(argv) {
  const a = { duration: '600', rate: '200', 'sample-every': '5', seed: '1', engine: 'native' };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  return a;
}

/** SplitMix-style PRNG: the same call sequence for the same seed. */
function rng(seed) {
  let s = BigInt(seed) * 0x9e3779b97f4a7c15n;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
  };
}

function procStatusKb(field) {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

async function main() {
  const a = args(process.argv.slice(2));
  const duration = Number(a.duration);
  const rate = Number(a.rate);
  const sampleEvery = Number(a['sample-every']);
  const tLoad = performance.now();
  const sdk = a.engine === 'wasm'
    ? await import(pathToFileURL(join(NPM_DIR, 'wasm.mjs')).href)
    : createRequire(import.meta.url)(join(NPM_DIR, 'index.node.cjs'));
  const c = new sdk.KontextManagementClient({
    baseUrl: process.env.KONTEXT_BASE_URL,
    credentials: { clientId: process.env.KONTEXT_CLIENT_ID, clientSecret: process.env.KONTEXT_CLIENT_SECRET },
  });
  const random = rng(Number(a.seed));
  const pick = (arr) => arr[Math.floor(random() * arr.length)];
  const ops = MIX.flatMap(([op, w]) => Array(w).fill(op));
  const ids = [];
  // Only the latest creates are updated: an ever-growing list would be the harness's own leak.
  const created = [];
  let cursor;
  let n = 0;
  const stats = { calls: 0, errors: 0, expected_errors: 0, by_op: {}, last_error: null };
  for await (const app of c.applications.listAll({ limit: 200 })) {
    ids.push(app.id);
    if (ids.length >= 1000) break;
  }
  emit({ type: 'ready', engine: `node-${a.engine}`, setup_s: +((performance.now() - tLoad) / 1000).toFixed(3),
    ids: ids.length });

  const unknownId = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
  };

  async function run(op) {
    switch (op) {
      case 'get':
        await c.applications.get(pick(ids));
        break;
      case 'page': {
        const page = await c.applications.list(cursor ? { limit: PAGE_SIZE, cursor } : { limit: PAGE_SIZE });
        cursor = page.nextCursor;
        break;
      }
      case 'create': {
        n += 1;
        const r = await c.applications.create({ name: `soak-node-${process.pid}-${n}`, oauth: { redirectUris: [REDIRECT] } });
        created.push(r.application.id);
        if (created.length > 200) created.shift();
        break;
      }
      case 'update':
        await c.applications.update(pick(created.length ? created : ids), { description: `updated ${random()}` });
        break;
      case 'not_found':
        try {
          await c.applications.get(unknownId());
        } catch (e) {
          if (e instanceof sdk.NotFoundError || e?.statusCode === 404) {
            stats.expected_errors += 1;
            return;
          }
          throw e;
        }
        throw new Error('a get of an unknown id did not reject with NotFoundError');
      case 'integrations':
        await c.integrations.list({ limit: PAGE_SIZE });
        break;
      case 'list_all': {
        let i = 0;
        for await (const _ of c.applications.listAll({ limit: 100 })) {
          i += 1;
          if (i >= STREAM_ITEMS) break;
        }
        break;
      }
      default:
        throw new Error(`unknown op ${op}`);
    }
  }

  const forceGc = a['gc-before-sample'] === '1' && typeof globalThis.gc === 'function';
  const sample = (t) => {
    // Diagnosis: with a full GC first, RSS shows only what survives (run node with --expose-gc).
    if (forceGc) globalThis.gc();
    const mu = process.memoryUsage();
    const kb = (v) => Math.round(v / 1024);
    // V8's spaces: the young generation grows (up to 2 × --max-semi-space-size) with the
    // allocation rate, the old one until a full GC; what they hold is in heap_used_kb.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_size]));
    emit({ type: 'sample', t: +t.toFixed(3), rss_kb: kb(mu.rss), rss_anon_kb: procStatusKb('RssAnon'),
      heap_total_kb: kb(mu.heapTotal), heap_used_kb: kb(mu.heapUsed), new_space_kb: kb(spaces.new_space ?? 0),
      old_space_kb: kb(spaces.old_space ?? 0), external_kb: kb(mu.external),
      array_buffers_kb: kb(mu.arrayBuffers), calls: stats.calls, errors: stats.errors,
      expected_errors: stats.expected_errors });
  };

  const interval = 1000 / rate;
  const start = performance.now();
  let nextSample = start;
  let tick = 0;
  let maxLag = 0;
  let skipped = 0;
  for (;;) {
    const now = performance.now();
    if (now >= nextSample) {
      sample((now - start) / 1000);
      nextSample += sampleEvery * 1000;
    }
    if (now - start >= duration * 1000) break;
    const due = start + tick * interval;
    if (due > now) {
      await sleep(due - now);
    } else {
      maxLag = Math.max(maxLag, now - due);
      if (now - due > 1000) {
        // More than a second behind (a stall): skip ahead rather than burst to catch up.
        skipped += Math.floor((now - due) / interval);
        tick = Math.floor((now - start) / interval);
      }
    }
    const op = pick(ops);
    try {
      await run(op);
    } catch (e) {
      stats.errors += 1;
      stats.last_error = `${op}: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 300);
    }
    stats.calls += 1;
    stats.by_op[op] = (stats.by_op[op] ?? 0) + 1;
    tick += 1;
  }
  const elapsed = (performance.now() - start) / 1000;
  emit({ type: 'result', engine: `node-${a.engine}`, calls: stats.calls, errors: stats.errors,
    expected_errors: stats.expected_errors, by_op: stats.by_op, elapsed_s: +elapsed.toFixed(3),
    achieved_rate: +(stats.calls / elapsed).toFixed(1), max_lag_s: +(maxLag / 1000).toFixed(3), skipped,
    last_error: stats.last_error, rss_kb: Math.round(process.memoryUsage().rss / 1024) });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e?.stack ?? String(e));
    process.exit(1);
  },
);
