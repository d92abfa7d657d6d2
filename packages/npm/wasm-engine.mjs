// The WebAssembly engine (bindings/wasm → ./wasm/, see bindings/ENGINE.md) behind the interface
// the shared JS layer expects: `engine` (`{ Engine, oauthCall }`) and `init`. Used by wasm.mjs
// (the wasm entry) and by the Node entries where no native addon loads (native/select.cjs).
//
// Initialisation is automatic: importing this module instantiates the .wasm (top-level await),
// fetched next to this file in browsers, Deno and workers that can fetch it, read from disk
// where it lives on a `file:` URL (Node, Bun, Deno). Where neither works (e.g. a bundler or an
// edge runtime that hands out compiled modules), call `await init(moduleOrBytesOrUrl)` once
// before creating a client. No Node API is imported unless the .wasm is a local file.

import initWasm, { initSync as initWasmSync } from './wasm/kontext_management_wasm.js';
import * as wasm from './wasm/kontext_management_wasm.js';

const WASM_URL = new URL('./wasm/kontext_management_wasm_bg.wasm', import.meta.url);

/** The JS runtime, for the user agent (`node/v20.11.0` like the native engine). */
function runtimeName() {
  const g = globalThis;
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  if (g.Bun?.version) return `bun/${g.Bun.version}`;
  if (g.process?.versions?.node) return `node/${g.process.version}`;
  const agent = g.navigator?.userAgent;
  if (typeof agent === 'string' && agent && !agent.startsWith('Mozilla/')) return agent.split(/\s+/)[0];
  return 'browser';
}
const RUNTIME = runtimeName();

let ready = false;
let pending;
let autoInitFailure;

/**
 * Instantiates the WebAssembly module (idempotent; concurrent calls share one instantiation).
 * Without an argument it loads `./wasm/kontext_management_wasm_bg.wasm` next to this file; pass a
 * `WebAssembly.Module`, the bytes, a `Response`, or a URL where that file is not reachable.
 */
export function init(source) {
  if (ready) return Promise.resolve();
  pending ??= (async () => {
    let input = source ?? WASM_URL;
    if (input instanceof URL && input.protocol === 'file:') {
      // fetch() cannot read file: URLs in Node; only here is a Node API (also in Bun and Deno).
      const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
      input = await readFile(input);
    }
    if (input instanceof WebAssembly.Module || input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
      // Compiled off the main thread, instantiated without the fetch path (in Node the first touch
      // of the `Response` global loads the fetch implementation: ~20 ms at import for nothing).
      const module = input instanceof WebAssembly.Module ? input : await WebAssembly.compile(input);
      initWasmSync({ module });
    } else {
      // A URL, Request or Response: streaming compilation where the runtime has it.
      await initWasm({ module_or_path: input });
    }
    ready = true;
    autoInitFailure = undefined;
  })().catch((error) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

function notReady() {
  const why = autoInitFailure ? ` (loading it automatically failed: ${autoInitFailure?.message ?? autoInitFailure})` : '';
  return Object.assign(new Error(`the WebAssembly engine is not initialised: call \`await init()\` first${why}`), {
    kind: 'config',
    code: 'kontext_config_error',
    cause: autoInitFailure,
  });
}

/** The wasm engine behind the interface the shared JS layer expects (`{ Engine, oauthCall }`). */
class Engine {
  #raw;
  constructor(optionsJson, logLevel, logSink) {
    if (!ready) throw notReady();
    this.#raw = new wasm.Engine(optionsJson, RUNTIME, logLevel, logSink);
  }
  call(method, argsJson, optionsJson, signal) {
    return this.#raw.call(method, argsJson, optionsJson, signal);
  }
  listAll(method, argsJson, optionsJson) {
    return this.#raw.listAll(method, argsJson, optionsJson);
  }
  userAgent() {
    return this.#raw.userAgent();
  }
}

function oauthCall(method, argsJson, signal) {
  if (!ready) return Promise.reject(notReady());
  return wasm.oauthCall(method, argsJson, signal);
}

/** The engine object the shared layer is built over (`{ Engine, oauthCall }`). */
export const engine = Object.freeze({ Engine, oauthCall });

// Automatic initialisation. A failure is kept, not thrown, so importing never breaks: the first
// client or OAuth call reports it, and an explicit `await init(source)` can still succeed.
try {
  await init();
} catch (error) {
  autoInitFailure = error;
}
