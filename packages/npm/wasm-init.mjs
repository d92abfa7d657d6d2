// Edge entry: the WebAssembly engine, loaded by you. Picked by the `workerd` (Cloudflare Workers)
// and `edge-light` (Vercel Edge) export conditions and by `kontext-management/wasm/init`
// anywhere. These runtimes forbid I/O at global scope and hand out an imported `.wasm` as a
// compiled `WebAssembly.Module`, so nothing loads at import; instead, once, before the first
// client:
//
//     import wasm from 'kontext-management/wasm/kontext.wasm';
//     import { init, KontextManagementClient } from 'kontext-management';
//     await init(wasm);
//
// Nothing here imports a Node API, so bundlers need no Node polyfills or externals.

import { init, setNotReadyHint } from './wasm-engine-core.mjs';

export * from './wasm-surface.mjs';
export { init };

setNotReadyHint(
  "call `await init(wasm)` first, with `import wasm from 'kontext-management/wasm/kontext.wasm'` (a WebAssembly.Module)",
);
