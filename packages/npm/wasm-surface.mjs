// The public API over the WebAssembly engine, written once for its two entries: wasm.mjs (which
// loads the .wasm by itself) and wasm-init.mjs (Workers and Vercel Edge, where the caller passes
// the module to `init`). Both export this module's names plus their own `init`. Imports no Node
// API, so edge bundles need no polyfills.

import { engine } from './wasm-engine-core.mjs';
import { createApi } from './src/index.js';

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
} from './src/index.js';
// @end errors

// @generated engine by `just codegen` from index.d.ts: do not edit
export const {
  KontextManagementClient,
  createPkceChallenge,
  buildAuthorizeUrl,
  exchangeCode,
  refresh,
  startDeviceAuthorization,
  pollDeviceToken,
  oauth,
} = createApi(engine);
// @end engine
