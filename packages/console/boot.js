// Loads the app; if the SDK (its WASM engine) cannot load, says so instead of hanging. A file of
// its own, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
import('./app.js').catch((error) => {
  const main = document.getElementById('main');
  main.replaceChildren();
  const h1 = document.createElement('h1');
  h1.textContent = 'The console could not start';
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.textContent =
    `Loading the SDK's WASM engine failed: ${error && error.message ? error.message : error}. ` +
    'Build it with `just build-wasm`, or serve the console with `just console`.';
  main.append(h1, p);
});
