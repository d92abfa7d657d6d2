// WebAssembly entry: the same public API as the Node entry (index.node.mjs), built over the wasm
// engine (wasm-engine.mjs). Picked by the `browser`, `worker` and `default` export conditions, by
// the Deno entry (index.deno.mjs), and by `kontext-management/wasm` anywhere. Importing it
// instantiates the .wasm; where that cannot work (a bundler that hands out compiled modules),
// call `await init(moduleOrBytesOrUrl)` once before creating a client. Cloudflare Workers and
// Vercel Edge get wasm-init.mjs instead, which loads nothing by itself.

import { init } from './wasm-engine.mjs';

export * from './wasm-surface.mjs';
export { init };
