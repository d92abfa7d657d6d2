// The public API over one engine. Entry points (index.node.cjs over the native addon, wasm.mjs
// over the wasm module) call `createApi(engine)` and export its members with the error classes,
// under the names listed in index.node.mjs (the unit tests check every name of index.d.ts).
//
// An engine is `{ Engine, oauthCall }` as in bindings/ENGINE.md:
//   new Engine(optionsJson, logLevel?, logSink?)  throws an error carrying `kind: "config"`, …
//                                                logSink(recordJson) gets each log record at logLevel
//                                                ('error' … 'debug') or above; none: no logging
//   engine.call(method, argsJson, optionsJson?, signal?)  → Promise<string>  ("null" = void)
//   engine.listAll(method, argsJson, optionsJson?)        → { nextPage(signal?), close?() }
//   paginator.nextPage(signal?)                  → Promise<string | null>
//   engine.userAgent()                           → string
//   oauthCall(method, argsJson, signal?)         → Promise<string>
// Rejections carry the `kontext_management::ErrorDetails` fields as properties; an aborted call may reject
// with anything named `AbortError` (the JS layer checks `signal.aborted` first anyway).

import { createClientClass, createOAuth } from './client.js';

// @generated errors by `just codegen` from index.d.ts: do not edit
export {
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
} from './errors.js';
// @end errors

/** Everything engine-dependent: the client class and the OAuth helpers. */
export function createApi(engine) {
  const oauth = createOAuth(engine);
  return {
    KontextManagementClient: createClientClass(engine),
    oauth,
    createPkceChallenge: oauth.createPkceChallenge,
    buildAuthorizeUrl: oauth.buildAuthorizeUrl,
    exchangeCode: oauth.exchangeCode,
    refresh: oauth.refresh,
    startDeviceAuthorization: oauth.startDeviceAuthorization,
    pollDeviceToken: oauth.pollDeviceToken,
  };
}
