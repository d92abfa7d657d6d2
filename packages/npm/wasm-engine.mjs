// The WebAssembly engine with automatic loading (wasm-engine-core.mjs is the engine itself).
// Used by wasm.mjs (the wasm entry) and by the Node entries where no native addon loads
// (native/select.cjs).
//
// Importing this module instantiates the .wasm (top-level await), fetched next to this file in
// browsers, Deno and workers that can fetch it, read from disk where it lives on a `file:` URL
// (Node, Bun, Deno). Where neither works (e.g. a bundler or an edge runtime that hands out
// compiled modules), call `await init(moduleOrBytesOrUrl)` once before creating a client. No
// Node API is imported unless the .wasm is a local file.

import { engine, init as initCore, initialised, setNotReadyHint } from './wasm-engine-core.mjs';

export { engine };

/**
 * Instantiates the WebAssembly module (idempotent). Without an argument it loads
 * `./wasm/kontext_management_wasm_bg.wasm` next to this file; pass a `WebAssembly.Module`, the
 * bytes, a `Response` or a URL where that file is not reachable.
 */
export async function init(source) {
  if (initialised()) return;
  // Computed here, not at import: a bundle may have no usable `import.meta.url`.
  let input = source ?? new URL('./wasm/kontext_management_wasm_bg.wasm', import.meta.url);
  if (input instanceof URL && input.protocol === 'file:') {
    // fetch() cannot read file: URLs in Node; only here is a Node API (also in Bun and Deno).
    // A specifier in a variable: bundlers for browsers (esbuild, webpack, Vite) leave it alone
    // instead of failing to resolve a Node built-in that this path never needs there.
    const fs = 'node:fs/promises';
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fs);
    input = await readFile(input);
  }
  await initCore(input);
}

// Automatic initialisation. A failure is kept, not thrown, so importing never breaks: the first
// client or OAuth call reports it, and an explicit `await init(source)` can still succeed.
try {
  await init();
} catch (error) {
  setNotReadyHint('call `await init(source)` first', error);
}
