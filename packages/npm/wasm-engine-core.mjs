// The WebAssembly engine (bindings/wasm → ./wasm/, see bindings/ENGINE.md) behind the interface
// the shared JS layer expects: `engine` (`{ Engine, oauthCall }`) and `init(source)`. Nothing
// here runs at import and nothing imports a Node API, so edge runtimes and their bundlers
// (Cloudflare Workers, Vercel Edge) can take this module as it is: wasm-init.mjs, the entry of
// the `workerd` and `edge-light` conditions, is built on it alone. wasm-engine.mjs adds the
// automatic loading the other runtimes get.

import { initSync as initWasmSync } from './wasm/kontext_management_wasm.js';
import initWasm, * as wasm from './wasm/kontext_management_wasm.js';

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
/** Why the engine is not ready yet: set by the entry that tried to load it (or says how to). */
let notReadyHint = 'call `await init()` first';
let notReadyCause;

/**
 * Instantiates the WebAssembly module (idempotent; concurrent calls share one instantiation).
 * `source`: a `WebAssembly.Module` (what Workers and Vercel Edge hand out for an imported
 * `.wasm`: instantiated synchronously, with no code generation from bytes, which Workers forbid),
 * the bytes, or a URL, `Request` or `Response` (fetched, compiled while streaming).
 */
export function init(source) {
  if (ready) return Promise.resolve();
  if (source === undefined || source === null) {
    return Promise.reject(
      Object.assign(new TypeError('init(source): pass the WebAssembly module, its bytes or its URL'), {
        kind: 'config',
        code: 'kontext_config_error',
      }),
    );
  }
  pending ??= (async () => {
    if (source instanceof WebAssembly.Module || source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
      // Compiled off the main thread, instantiated without the fetch path (in Node the first touch
      // of the `Response` global loads the fetch implementation: ~20 ms at import for nothing).
      const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
      initWasmSync({ module });
    } else {
      // A URL, Request or Response: streaming compilation where the runtime has it.
      await initWasm({ module_or_path: source });
    }
    ready = true;
    notReadyCause = undefined;
  })().catch((error) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** Whether `init` has finished. */
export const initialised = () => ready;

/** What the "not initialised" error says (and its `cause`): set by the entries. */
export function setNotReadyHint(hint, cause) {
  notReadyHint = hint;
  notReadyCause = cause;
}

function notReady() {
  const why = notReadyCause ? ` (loading it automatically failed: ${notReadyCause?.message ?? notReadyCause})` : '';
  return Object.assign(new Error(`the WebAssembly engine is not initialised: ${notReadyHint}${why}`), {
    kind: 'config',
    code: 'kontext_config_error',
    cause: notReadyCause,
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
