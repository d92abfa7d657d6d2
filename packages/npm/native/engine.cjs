'use strict';
// The native engine: the napi addon behind the interface of bindings/ENGINE.md. The addon
// cancels through a one-shot CancelToken; this file wires an AbortSignal to it, so aborting
// drops the Rust future (and its HTTP request) while the listener never outlives the call.

const binding = require('./loader.cjs');

// The JS runtime, for the user agent: Bun and Deno run this file too (they load Node-API addons).
const RUNTIME = globalThis.Deno?.version?.deno
  ? `deno/${globalThis.Deno.version.deno}`
  : globalThis.Bun?.version
    ? `bun/${globalThis.Bun.version}`
    : `node/${process.version}`;

function withSignal(signal, start) {
  if (!signal) return start(undefined);
  const token = new binding.CancelToken();
  const onAbort = () => token.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  const done = () => signal.removeEventListener('abort', onAbort);
  if (signal.aborted) token.cancel();
  try {
    return start(token).finally(done);
  } catch (error) {
    done();
    throw error;
  }
}

class Paginator {
  #raw;
  constructor(raw) {
    this.#raw = raw;
  }
  nextPage(signal) {
    return withSignal(signal, (token) => this.#raw.nextPage(token));
  }
  close() {
    this.#raw.close();
  }
}

class Engine {
  #raw;
  constructor(optionsJson, logLevel, logSink) {
    this.#raw = new binding.Engine(optionsJson, RUNTIME, logLevel, logSink);
  }
  call(method, argsJson, optionsJson, signal) {
    return withSignal(signal, (token) => this.#raw.call(method, argsJson, optionsJson, token));
  }
  listAll(method, argsJson, optionsJson) {
    return new Paginator(this.#raw.listAll(method, argsJson, optionsJson));
  }
  userAgent() {
    return this.#raw.userAgent();
  }
}

const oauthCall = (method, argsJson, signal) =>
  withSignal(signal, (token) => binding.oauthCall(method, argsJson, token));

module.exports = { Engine, oauthCall, binding };
