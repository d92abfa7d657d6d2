'use strict';
// Node entry (CommonJS): the public API over the native addon. index.node.mjs re-exports this
// very object, so `import` and `require` in one process share one set of classes.

const { createApi, ...errors } = require('./dist/cjs/index.js');
const engine = require('./native/engine.cjs');

// `init` loads the wasm engine in wasm.mjs; the addon is ready once required.
const init = () => Promise.resolve();

module.exports = Object.freeze({ ...errors, ...createApi(engine), init });
