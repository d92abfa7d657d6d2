'use strict';
// Node and Bun entry (CommonJS): the public API over the native addon, or over the wasm engine
// where no addon loads; `KONTEXT_ENGINE=native|wasm` forces one (native/select.cjs). Requiring
// it never throws. On the wasm engine, `await init()` once before the first client (the ES-module
// entry, index.node.mjs, does that itself). index.node.mjs re-exports this very object, so
// `import` and `require` in one process share one set of classes.

module.exports = require('./native/select.cjs').api();
