'use strict';
// `kontext-management/native` (CommonJS): the native addon and nothing else, in any runtime that
// loads Node-API addons (Deno too, with `--allow-ffi`). Requiring it never throws; where the
// addon cannot load, the first client or OAuth call throws a `ConfigError` saying why.

module.exports = require('./select.cjs').api('native');
