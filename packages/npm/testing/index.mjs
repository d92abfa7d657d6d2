// `kontext-management/testing`: a local Kontext Management API for tests (node:test, vitest, ...).
//
// HTTP made by the SDK happens inside its Rust core (or its wasm engine), so nock, msw and
// undici's MockAgent cannot intercept it. The emulator stands in for the API instead: a stateful
// local server with fault injection, a movable clock and a request log. Its binary comes from the
// `kontext-management-emulator` package (`npm install --save-dev kontext-management-emulator`).
//
//     const emulator = await startEmulator();
//     emulator.fault({ status: 503, path: '/api/v1/applications' });
//     await emulator.client().applications.list();   // retried after the 503
//     await emulator.stop();

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

import { KontextManagementClient } from '../index.node.mjs';

const require = createRequire(import.meta.url);
const BINARY = process.platform === 'win32' ? 'kontext-management-emulator.exe' : 'kontext-management-emulator';
const asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose');

/** The emulator could not be found, could not start, or refused a control call. */
export class EmulatorError extends Error {
  constructor(message) {
    super(message);
    this.name = 'EmulatorError';
  }
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The emulator binary: `KONTEXT_EMULATOR_BIN` when set, else the one of the
 * `kontext-management-emulator` package (its per-platform package), else the first on PATH.
 */
export function findEmulatorBinary() {
  const override = process.env.KONTEXT_EMULATOR_BIN;
  if (override) {
    if (!isExecutable(override)) throw new EmulatorError(`KONTEXT_EMULATOR_BIN=${JSON.stringify(override)} is not an executable file`);
    return override;
  }
  let packaged;
  try {
    packaged = require('kontext-management-emulator').binaryPath();
  } catch (error) {
    // Not installed (MODULE_NOT_FOUND), or installed without this platform's package.
    packaged = error?.code === 'KONTEXT_NO_EMULATOR_BINARY' ? error.message : undefined;
  }
  if (packaged && isExecutable(packaged)) return packaged;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, BINARY))) return join(dir, BINARY);
  }
  throw new EmulatorError(
    `the ${BINARY} binary was not found: install it with \`npm install --save-dev kontext-management-emulator\` ` +
      `(or \`cargo install kontext-management-emulator\`), or set KONTEXT_EMULATOR_BIN to its path` +
      (packaged ? ` (${packaged})` : ''),
  );
}

// Emulators not stopped yet: killed when this process exits (a test that never reached stop()).
// Should this process die without running exit handlers, each emulator stops by itself when its
// stdin (a pipe from here) closes.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const OPTION_FLAGS = {
  host: '--host',
  port: '--port',
  seed: '--seed',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  tokenTtl: '--token-ttl',
  rateLimit: '--rate-limit',
  db: '--db',
};

/**
 * Starts an emulator on a free loopback port and resolves once it accepts connections.
 * Options: `host` (default 127.0.0.1; anything else exposes it to the network), `port` (0),
 * `seed`, `clientId`, `clientSecret`, `tokenTtl` (s), `rateLimit` (per minute, 0 = off), `db`,
 * `binary`, `startupTimeoutMs` (10 000). Rejects with an `EmulatorError` saying why it could not
 * start (binary missing, port taken, ...).
 */
export async function startEmulator(options = {}) {
  const { binary = findEmulatorBinary(), startupTimeoutMs = 10_000, ...flags } = options;
  const args = ['--host', '127.0.0.1', '--port', '0', '--json', '--exit-on-stdin-close'];
  for (const [key, value] of Object.entries(flags)) {
    const flag = OPTION_FLAGS[key];
    if (!flag) throw new EmulatorError(`unknown option ${JSON.stringify(key)} (known: ${Object.keys(OPTION_FLAGS).join(', ')})`);
    if (value !== undefined && value !== null) args.push(flag, String(value));
  }
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (stderr.length < 16_384) stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  let timer;
  try {
    const line = await new Promise((resolve, reject) => {
      lines.once('line', resolve);
      child.once('error', (e) => reject(new EmulatorError(`could not run the emulator ${binary}: ${e.message}`)));
      child.once('exit', (code, signal) => {
        // Let the last of stderr arrive before quoting it.
        setImmediate(() =>
          reject(new EmulatorError(`the emulator exited with ${signal ?? `code ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`)),
        );
      });
      timer = setTimeout(
        () => reject(new EmulatorError(`the emulator was not ready after ${startupTimeoutMs} ms${stderr.trim() ? `: ${stderr.trim()}` : ''}`)),
        startupTimeoutMs,
      );
    });
    const announced = JSON.parse(line);
    lines.close();
    // A forgotten emulator must not keep the test process alive: neither it nor its pipes count.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream.unref?.();
    return new Emulator(child, announced);
  } catch (error) {
    child.kill('SIGKILL');
    throw error instanceof EmulatorError ? error : new EmulatorError(`the emulator did not start: ${error.message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A running emulator process and its control API (`/_emulator/*`). */
export class Emulator {
  #child;
  #exited;

  constructor(child, announced) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    /** `http://127.0.0.1:PORT`. */
    this.baseUrl = announced.baseUrl;
    /** The bootstrap service account (`sa_local_dev` by default). */
    this.clientId = announced.clientId;
    this.clientSecret = announced.clientSecret;
    /** `KONTEXT_BASE_URL`, `KONTEXT_CLIENT_ID`, `KONTEXT_CLIENT_SECRET` (e.g. for a child process). */
    this.env = {
      KONTEXT_BASE_URL: this.baseUrl,
      KONTEXT_CLIENT_ID: this.clientId,
      KONTEXT_CLIENT_SECRET: this.clientSecret,
    };
  }

  get pid() {
    return this.#child.pid;
  }

  get running() {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** A `KontextManagementClient` for this emulator; `config` adds or overrides settings (`{ maxRetries: 0 }`). */
  client(config = {}) {
    return new KontextManagementClient({
      baseUrl: this.baseUrl,
      credentials: { clientId: this.clientId, clientSecret: this.clientSecret },
      ...config,
    });
  }

  /** Ends the process (SIGTERM, SIGKILL after 5 s); resolves once it is gone. Safe to call twice. */
  async stop() {
    if (this.running) {
      // Counted again while it stops, so the process waits for the exit.
      this.#child.ref();
      this.#child.kill('SIGTERM');
      const kill = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
      await this.#exited;
      clearTimeout(kill);
    }
    running.delete(this.#child);
  }

  /** `await using emulator = await startEmulator()` stops it at the end of the block. */
  [asyncDispose]() {
    return this.stop();
  }

  /** A fresh organization, the start settings, no fault rules, an empty log, the clock at wall time. */
  async reset({ seed } = {}) {
    await this.#control('POST', '/_emulator/reset', seed === undefined ? {} : { seed });
  }

  /** Adds deterministic records: `{ applications, integrations, serviceAccounts, sessions, traces, decisions, applicationId }`; resolves with their ids. */
  seed(counts = {}) {
    return this.#control('POST', '/_emulator/seed', counts);
  }

  /**
   * Adds a fault rule and resolves with its id: `{ status, action, method, path, times, skip,
   * headers, body, delayMs }` (e.g. `{ status: 429, path: '/api/v1/*', headers: { 'retry-after': '1' } }`).
   */
  async fault(rule) {
    return (await this.#control('POST', '/_emulator/faults', rule)).id;
  }

  async clearFaults() {
    await this.#control('DELETE', '/_emulator/faults');
  }

  /** Moves the emulator's clock forward (token and session expiry); resolves with its new time. */
  async advanceClock(seconds) {
    if (!Number.isInteger(seconds) || seconds < 0) throw new TypeError(`seconds must be a non-negative integer, not ${seconds}`);
    return (await this.#control('POST', '/_emulator/clock', { advanceSeconds: seconds })).now;
  }

  /** The request log, oldest first: `{ method, path, query, headers, status, at, fault }` each. */
  async requests() {
    return (await this.#control('GET', '/_emulator/requests')).items;
  }

  async clearRequests() {
    await this.#control('DELETE', '/_emulator/requests');
  }

  /** `{ rateLimitPerMinute, tokenTtlSeconds, omitExpiresIn }` until the next reset. */
  configure(settings) {
    return this.#control('POST', '/_emulator/config', settings);
  }

  /** Every access token issued so far stops working; resolves with how many. */
  async revokeTokens() {
    return (await this.#control('POST', '/_emulator/tokens/revoke', {})).revoked;
  }

  /** Approves (or denies) an authorization URL as the local user: `{ redirectUrl, code?, state?, error? }`. */
  authorize(url, { approve = true } = {}) {
    return this.#control('POST', '/_emulator/authorize', { url, approve });
  }

  async #control(method, path, body) {
    if (!this.running) throw new EmulatorError(`the emulator at ${this.baseUrl} is not running`);
    let response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new EmulatorError(`${method} ${path}: the emulator at ${this.baseUrl} did not answer: ${error.cause?.message ?? error.message}`);
    }
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw new EmulatorError(`${method} ${path} refused (${response.status}): ${parsed?.message ?? text}`);
    return parsed;
  }
}
