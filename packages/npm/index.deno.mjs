// Deno entry (the `deno` export condition): the wasm engine, unless `KONTEXT_ENGINE=native`
// asks for the native addon (which Deno loads with `--allow-ffi`). Reading the variable needs
// `--allow-env`; without it, this is the wasm engine. Importing never throws.

const forced = (() => {
  try {
    const permission = Deno.permissions.querySync({ name: 'env', variable: 'KONTEXT_ENGINE' });
    return permission.state === 'granted' ? Deno.env.get('KONTEXT_ENGINE') : undefined;
  } catch {
    return undefined;
  }
})();

const api = forced === 'native' ? await import('./index.node.mjs') : await import('./wasm.mjs');

// @generated exports by `just codegen` from index.d.ts: do not edit
export const {
  KontextManagementClient,
  createPkceChallenge,
  buildAuthorizeUrl,
  exchangeCode,
  refresh,
  startDeviceAuthorization,
  pollDeviceToken,
  oauth,
  init,
  KontextError,
  HttpError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  PreconditionFailedError,
  PreconditionRequiredError,
  RateLimitError,
  InternalServerError,
  NetworkError,
  TimeoutError,
  OAuthError,
  ConfigError,
  ValidationError,
  DecodeError,
  AbortError,
  InternalError,
  isKontextError,
  isNetworkError,
  isUnauthorizedError,
} = api;
// @end exports
