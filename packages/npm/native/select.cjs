'use strict';
// Which engine backs the Node entries (index.node.cjs/.mjs, and ./native): the native addon, or
// the wasm engine where no addon loads (a platform without a prebuilt addon, a runtime that
// cannot load one). `KONTEXT_ENGINE=native|wasm` forces one. Loading never throws: an engine
// that cannot run is reported by the first client or OAuth call, as a `ConfigError` whose
// `cause` says why.
//
// One API object per engine, so `require` and `import`, `.` and `./native` share one set of
// classes whenever they share an engine.

const { createApi, ...errors } = require('../dist/cjs/index.js');

const apis = new Map();

/** KONTEXT_ENGINE, where the runtime lets us read it (Deno asks for a permission). */
function requested() {
  try {
    const deno = globalThis.Deno?.permissions?.querySync?.({ name: 'env', variable: 'KONTEXT_ENGINE' });
    if (deno && deno.state !== 'granted') return undefined;
    return process.env.KONTEXT_ENGINE || undefined;
  } catch {
    return undefined;
  }
}

const configError = (message, cause) =>
  new errors.ConfigError(message, { kind: 'config', code: 'kontext_config_error' }, { cause });

/** An engine that cannot run: every use reports `failure`. */
function unavailable(failure) {
  class Engine {
    constructor() {
      throw failure;
    }
  }
  const oauthCall = async () => {
    throw failure;
  };
  return { engine: { Engine, oauthCall }, init: () => Promise.resolve() };
}

function native() {
  try {
    return { engine: require('./engine.cjs'), init: () => Promise.resolve() };
  } catch (error) {
    return { failure: error };
  }
}

/**
 * The wasm engine (an ES module, instantiated on import) behind a synchronous `require`: it loads
 * in the background and `await init()` waits for it. The ES-module entry does that before it
 * returns, so only CommonJS code without a native addon has to call `init()` itself.
 */
function wasm(nativeFailure) {
  let module;
  let failure;
  const imported = import('../wasm-engine.mjs').then(
    (loaded) => {
      module = loaded;
    },
    (error) => {
      failure = error;
    },
  );
  const current = () => {
    if (module) return module.engine;
    throw configError(
      failure
        ? `the WebAssembly engine could not be imported: ${failure?.message ?? failure}` +
            (nativeFailure ? ` (nor the native one: ${nativeFailure.message})` : '')
        : 'the WebAssembly engine is loading: call `await init()` before the first client',
      failure,
    );
  };
  class Engine {
    constructor(...args) {
      // The wasm engine's own object stands in for this one.
      return new (current().Engine)(...args);
    }
  }
  const oauthCall = (...args) => imported.then(() => current().oauthCall(...args));
  const init = (source) => imported.then(() => current() && module.init(source));
  return { engine: { Engine, oauthCall }, init };
}

/** The engine for `choice` (`native`, `wasm`, or undefined: native, else wasm). */
function pick(choice) {
  if (choice === 'wasm') return { name: 'wasm', ...wasm() };
  if (choice !== undefined && choice !== 'native') {
    const failure = configError(`KONTEXT_ENGINE must be "native" or "wasm", not ${JSON.stringify(choice)}`);
    return { name: 'none', ...unavailable(failure) };
  }
  const loaded = native();
  if (!loaded.failure) return { name: 'native', ...loaded };
  if (choice === 'native') {
    const failure = configError(`the native engine could not be loaded: ${loaded.failure.message}`, loaded.failure);
    return { name: 'none', ...unavailable(failure) };
  }
  return { name: 'wasm', ...wasm(loaded.failure) };
}

/** The public API over the engine `choice` selects (default: KONTEXT_ENGINE, else automatic). */
function api(choice = requested()) {
  const key = choice ?? 'auto';
  if (!apis.has(key)) {
    const picked = pick(choice);
    // `auto` that found the addon is `native`: one set of classes for `.` and `./native`.
    const shared = picked.name === 'native' || picked.name === 'wasm' ? apis.get(picked.name) : undefined;
    const built = shared ?? Object.freeze({ ...errors, ...createApi(picked.engine), init: picked.init });
    if (picked.name === 'native' || picked.name === 'wasm') apis.set(picked.name, built);
    apis.set(key, built);
  }
  return apis.get(key);
}

module.exports = { api };
