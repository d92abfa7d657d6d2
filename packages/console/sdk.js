// The SDK the console is built on: the npm package's WASM engine. `npm` here is packages/npm (a
// link in the repository). To load the package from elsewhere (a CDN, another folder), change
// this one line; the host must then be allowed by the Content-Security-Policy in index.html.
// (A module instead of an import map: an inline import map is an inline script, which the
// console's CSP does not allow.)
export * from './npm/wasm.mjs';
