// The Node side of `just bench` (driven by tests/bench/run.py; see BENCHMARKS.md).
//
// Runs one workload over several clients against a running emulator and prints exactly one JSON
// object on stdout: {"program": "node", "command": ..., "results": [...]}.
//
// Clients: `native` (kontext-management on the napi addon), `wasm` (kontext-management/wasm in
// Node), and the hand-written baselines doing the same HTTP work: `fetch` (global fetch +
// JSON.parse, what the official TS client does), `node_http` (node:http with a keep-alive
// Agent + JSON.parse) and `fetch_timeout` (`fetch` with a per-request timeout, the baseline of the
// WASM engine's targets for get, paging and create). Baselines mint one token (client-credentials
// grant) and send it as a bearer header; each keeps its library's default connection pool.
//
//   node bench.mjs reads   --clients native,wasm,fetch,node_http,fetch_timeout --app-id ID [--gets 2000]
//                          [--concurrent 1000] [--page-items 10000] [--page-limit 200] [--rounds 5]
//   node bench.mjs creates --clients ... [--creates 1000] [--rounds 3] [--prefix bench]
//   node bench.mjs cold    --clients ... --app-id ID [--rounds 5]     (each sample: a fresh process)
//   node bench.mjs cold-once --client X --app-id ID
//   node bench.mjs memory  --client X [--items 100000] [--page-limit 200]
//   node bench.mjs wasm-size
//
// Credentials: KONTEXT_BASE_URL, KONTEXT_CLIENT_ID, KONTEXT_CLIENT_SECRET. The package is loaded
// from packages/npm (or KONTEXT_NPM_DIR). Only node: built-ins are imported at the top, so
// `cold-once` measures the load of the client library alone.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const NPM_DIR = resolve(process.env.KONTEXT_NPM_DIR ?? join(here, '..', '..', '..', 'packages', 'npm'));
const NATIVE_ENTRY = join(NPM_DIR, 'index.node.cjs');
const WASM_ENTRY = join(NPM_DIR, 'wasm.mjs');
const REDIRECT = 'https://bench.example.com/oauth/callback';
const require = createRequire(import.meta.url);

const env = {
  base: (process.env.KONTEXT_BASE_URL ?? '').replace(/\/+$/, ''),
  clientId: process.env.KONTEXT_CLIENT_ID ?? '',
  clientSecret: process.env.KONTEXT_CLIENT_SECRET ?? '',
};
env.api = `${env.base}/api/v1`;

const now = () => performance.now();
// A full collection before each timed segment (run.py starts node with --expose-gc): clients share
// one process, and the garbage one leaves would otherwise be collected, and timed, in the next
// one's segment.
const collect = globalThis.gc ?? (() => {});
/** CPU time of this process so far (all threads: the addon's I/O threads too), in µs. */
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

function procStatusKb(field) {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------ the SDK, both engines

/** Loads an engine's entry; returns the module's exports. */
async function loadSdk(kind) {
  if (kind === 'native') return require(NATIVE_ENTRY);
  if (!existsSync(WASM_ENTRY)) throw new Error(`the WASM engine is not built (${WASM_ENTRY} is missing)`);
  return import(pathToFileURL(WASM_ENTRY).href);
}

class Sdk {
  constructor(name, sdk) {
    this.name = name;
    this.c = new sdk.KontextManagementClient({
      baseUrl: env.base,
      credentials: { clientId: env.clientId, clientSecret: env.clientSecret },
    });
  }
  async get(id) {
    return (await this.c.applications.get(id)).application.name.length;
  }
  async page(limit) {
    let n = 0;
    for await (const app of this.c.applications.listAll({ limit })) n += app.id ? 1 : 0;
    return n;
  }
  async create(name) {
    const created = await this.c.applications.create({ name, oauth: { redirectUris: [REDIRECT] } });
    return created.application.id.length;
  }
  close() {}
}

// ------------------------------------------------------------------ the baselines

function tokenForm() {
  return new URLSearchParams({ grant_type: 'client_credentials', scope: 'management:all', audience: env.api }).toString();
}
const basic = () => `Basic ${Buffer.from(`${encodeURIComponent(env.clientId)}:${encodeURIComponent(env.clientSecret)}`).toString('base64')}`;

class Fetch {
  name = 'fetch';
  #headers;
  async auth() {
    this.#headers ??= (async () => {
      const r = await fetch(`${env.base}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
        body: tokenForm(),
      });
      if (!r.ok) throw new Error(`token: HTTP ${r.status}`);
      const { access_token: token } = JSON.parse(await r.text());
      return { authorization: `Bearer ${token}`, accept: 'application/json' };
    })();
    return this.#headers;
  }
  async json(url, init) {
    const r = await fetch(url, init);
    const text = await r.text();
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return JSON.parse(text);
  }
  async get(id) {
    const body = await this.json(`${env.api}/applications/${id}`, { headers: await this.auth() });
    return body.application.name.length;
  }
  async page(limit) {
    const headers = await this.auth();
    let n = 0;
    let cursor;
    for (;;) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (cursor) q.set('cursor', cursor);
      const page = await this.json(`${env.api}/applications?${q}`, { headers });
      for (const app of page.items) n += app.id ? 1 : 0;
      cursor = page.nextCursor;
      if (!cursor) return n;
    }
  }
  async create(name) {
    const headers = { ...(await this.auth()), 'content-type': 'application/json' };
    const body = JSON.stringify({ name, oauth: { redirectUris: [REDIRECT] } });
    const created = await this.json(`${env.api}/applications`, { method: 'POST', headers, body });
    return created.application.id.length;
  }
  close() {}
}

// What any `fetch` client with a per-request timeout pays (the SDK's default: 60 s): an
// `AbortController` and a timer per request, the signal followed by undici. The WASM engine needs
// both (every SDK call can time out and be cancelled, and `fetch` offers that only through a
// signal), so its targets for get, paging and create are measured against this client, not
// against bare `fetch`.
class FetchWithTimeout extends Fetch {
  name = 'fetch_timeout';
  async json(url, init) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      return await super.json(url, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  }
}

class NodeHttp {
  name = 'node_http';
  #headers;
  constructor(http) {
    this.http = http;
    this.agent = new http.Agent({ keepAlive: true });
  }
  request(method, url, headers, body) {
    return new Promise((resolvePromise, reject) => {
      const req = this.http.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode < 200 || res.statusCode >= 300) reject(new Error(`${url}: HTTP ${res.statusCode}`));
          else resolvePromise(JSON.parse(text));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  async auth() {
    this.#headers ??= (async () => {
      const form = tokenForm();
      const headers = {
        authorization: basic(),
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(form),
      };
      const { access_token: token } = await this.request('POST', `${env.base}/oauth2/token`, headers, form);
      return { authorization: `Bearer ${token}`, accept: 'application/json' };
    })();
    return this.#headers;
  }
  async get(id) {
    const body = await this.request('GET', `${env.api}/applications/${id}`, await this.auth());
    return body.application.name.length;
  }
  async page(limit) {
    const headers = await this.auth();
    let n = 0;
    let cursor;
    for (;;) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (cursor) q.set('cursor', cursor);
      const page = await this.request('GET', `${env.api}/applications?${q}`, headers);
      for (const app of page.items) n += app.id ? 1 : 0;
      cursor = page.nextCursor;
      if (!cursor) return n;
    }
  }
  async create(name) {
    const body = JSON.stringify({ name, oauth: { redirectUris: [REDIRECT] } });
    const headers = { ...(await this.auth()), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const created = await this.request('POST', `${env.api}/applications`, headers, body);
    return created.application.id.length;
  }
  close() {
    this.agent.destroy();
  }
}

async function make(name) {
  switch (name) {
    case 'native':
    case 'wasm':
      return new Sdk(name, await loadSdk(name));
    case 'fetch':
      return new Fetch();
    case 'fetch_timeout':
      return new FetchWithTimeout();
    case 'node_http':
      return new NodeHttp(await import('node:http'));
    default:
      throw new Error(`unknown client ${name}`);
  }
}

// ------------------------------------------------------------------ workloads

async function seqGets(c, id, n) {
  const lat = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = now();
    await c.get(id);
    lat[i] = (now() - t) * 1e3;
  }
  return lat;
}

const concurrent = (c, id, n) => Promise.all(Array.from({ length: n }, () => c.get(id)));

async function reads(a) {
  const id = a['app-id'];
  const gets = Number(a.gets ?? 2000);
  const conc = Number(a.concurrent ?? 1000);
  const pageItems = Number(a['page-items'] ?? 10000);
  const limit = Number(a['page-limit'] ?? 200);
  const rounds = Number(a.rounds ?? 5);
  const warmup = Number(a.warmup ?? 200);
  const clients = [];
  for (const name of a.clients) {
    const c = await make(name);
    await seqGets(c, id, warmup);
    await concurrent(c, id, conc);
    clients.push(c);
  }
  const out = [];
  for (let round = 0; round < rounds; round++) {
    for (const c of clients) {
      collect();
      const c0 = cpu();
      const t = now();
      const lat = await seqGets(c, id, gets);
      const total = (now() - t) * 1e3;
      const used = cpu() - c0;
      lat.sort((x, y) => x - y);
      out.push({ workload: 'get_seq', client: c.name, round, n: gets,
        p50_us: percentile(lat, 50), p99_us: percentile(lat, 99), mean_us: total / gets, cpu_us_per_call: used / gets });
    }
    for (const c of clients) {
      collect();
      const t = now();
      await concurrent(c, id, conc);
      out.push({ workload: 'get_concurrent', client: c.name, round, n: conc, wall_ms: now() - t });
    }
    for (const c of clients) {
      collect();
      const c0 = cpu();
      const t = now();
      const n = await c.page(limit);
      const wall = (now() - t) * 1e3;
      const used = cpu() - c0;
      if (n !== pageItems) throw new Error(`${c.name} paged ${n} items, expected ${pageItems}`);
      out.push({ workload: 'paging', client: c.name, round, n, wall_ms: wall / 1e3, us_per_item: wall / n, cpu_us_per_item: used / n });
    }
  }
  for (const c of clients) c.close();
  return out;
}

async function creates(a) {
  const n = Number(a.creates ?? 1000);
  const rounds = Number(a.rounds ?? 3);
  const prefix = a.prefix ?? 'bench';
  const clients = [];
  for (const name of a.clients) {
    const c = await make(name);
    await c.create(`${prefix} ${c.name} warmup`);
    clients.push(c);
  }
  const out = [];
  for (let round = 0; round < rounds; round++) {
    for (const c of clients) {
      collect();
      const c0 = cpu();
      const t = now();
      for (let i = 0; i < n; i++) await c.create(`${prefix} ${c.name} r${round} #${i}`);
      const wall = (now() - t) * 1e3;
      const used = cpu() - c0;
      out.push({ workload: 'create_seq', client: c.name, round, n, wall_ms: wall / 1e3, us_per_call: wall / n, cpu_us_per_call: used / n });
    }
  }
  for (const c of clients) c.close();
  return out;
}

/** In a fresh process: load the library (require / import + instantiate), build a client, make its first call. */
async function coldOnce(a) {
  const name = a.client;
  let t = now();
  if (name === 'native' || name === 'wasm') await loadSdk(name);
  else if (name === 'node_http') await import('node:http');
  const loaded = now() - t;
  t = now();
  const c = await make(name);
  const init = now() - t;
  t = now();
  await c.get(a['app-id']);
  const first = now() - t;
  c.close();
  return [{ workload: 'cold', client: name, import_ms: loaded, init_ms: init, first_call_ms: first }];
}

function cold(a) {
  const rounds = Number(a.rounds ?? 5);
  const out = [];
  const bare = [];
  for (let round = 0; round < rounds; round++) {
    let t = now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(now() - t);
    for (const name of a.clients) {
      t = now();
      const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'cold-once', '--client', name, '--app-id', a['app-id']],
        { encoding: 'utf8' });
      const processMs = now() - t;
      if (p.status !== 0) throw new Error(`cold-once ${name} failed: ${p.stderr}`);
      const row = JSON.parse(p.stdout).results[0];
      out.push({ ...row, round, process_ms: processMs });
    }
  }
  bare.sort((x, y) => x - y);
  out.push({ workload: 'cold', client: 'node_bare', process_ms: bare[Math.floor(bare.length / 2)] });
  return out;
}

async function memory(a) {
  const name = a.client;
  const items = Number(a.items ?? 100000);
  const limit = Number(a['page-limit'] ?? 200);
  const c = await make(name);
  const before = procStatusKb('VmRSS');
  const t = now();
  const n = await c.page(limit);
  const wall = now() - t;
  if (n !== items) throw new Error(`${name} streamed ${n} items, expected ${items}`);
  const hwm = procStatusKb('VmHWM');
  c.close();
  return [{ workload: 'memory', client: name, n, wall_ms: wall, rss_before_kb: before, hwm_kb: hwm }];
}

/** Workload 7: raw and gzipped bytes of every `.wasm` the package ships. */
function wasmSize() {
  const dir = join(NPM_DIR, 'wasm');
  if (!existsSync(dir)) throw new Error(`the WASM engine is not built (${dir} is missing)`);
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.wasm'));
  if (files.length === 0) throw new Error(`no .wasm file in ${dir}`);
  return files.map((f) => {
    const path = join(dir, String(f));
    // `gzip -9`, as the build's budget check counts (bindings/wasm/wasm.just): Node's zlib at
    // level 9 makes a stream about 1.4 KB longer for the same file.
    const gzip = spawnSync('gzip', ['-9', '-c', path], { maxBuffer: 1 << 26 });
    const gzipBytes = gzip.status === 0 ? gzip.stdout.length : gzipSync(readFileSync(path), { level: 9 }).length;
    return { workload: 'wasm_size', client: 'wasm', file: `packages/npm/wasm/${f}`, raw_bytes: statSync(path).size,
      gzip_bytes: gzipBytes };
  });
}

const COMMANDS = { reads, creates, cold, 'cold-once': coldOnce, memory, 'wasm-size': wasmSize };

function parse(argv) {
  const [command, ...rest] = argv;
  if (!COMMANDS[command]) throw new Error(`usage: bench.mjs <${Object.keys(COMMANDS).join('|')}> [--key value]...`);
  const a = {};
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--') || i + 1 >= rest.length) throw new Error(`bad argument ${rest[i]}`);
    a[rest[i].slice(2)] = rest[i + 1];
  }
  a.clients = (a.clients ?? 'native,wasm,fetch,node_http').split(',').filter(Boolean);
  return [command, a];
}

try {
  const [command, a] = parse(process.argv.slice(2));
  const results = await COMMANDS[command](a);
  process.stdout.write(`${JSON.stringify({ program: 'node', command, results })}\n`);
  // Keep-alive sockets (fetch's pool, the addon's runtime) must not hold the process open.
  process.exit(0);
} catch (error) {
  process.stderr.write(`bench.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
}
