// `KontextManagementClient` over an engine (`{ Engine, oauthCall }`: the native addon or the wasm
// module, see bindings/ENGINE.md). The same code serves both; only the engine differs.

import { abortError, fromEngineError } from './errors.js';
import { argumentFailure, callOptions, configJson, toJson } from './options.js';
import { loggingOptions } from './logging.js';
import { listing } from './paging.js';
import { createOAuthHelpers, createResources } from './resources.js';
import { parseResult } from './secrets.js';

const ARGS_FAILURE = argumentFailure('args');

export function createClientClass(engine) {
  // Lets `withOptions` build a client around an existing engine without a second constructor.
  class Derived {
    constructor(parent, defaults) {
      this.parent = parent;
      this.defaults = defaults;
    }
  }

  class KontextManagementClient {
    // The engine holds the credentials and token cache; private so they never print or serialize.
    #engine;
    #defaults;
    /** `callOptions(defaults)` of a call without options (most calls), worked out once. */
    #plain;
    #summary;

    constructor(config) {
      if (config instanceof Derived) {
        this.#engine = config.parent.#engine;
        this.#defaults = config.defaults;
        this.#summary = config.parent.#summary;
      } else {
        const json = configJson(config);
        const log = loggingOptions(config);
        try {
          this.#engine = new engine.Engine(json, log?.level, log?.sink);
        } catch (error) {
          throw fromEngineError(error);
        }
        this.#defaults = {};
        this.#summary = { baseUrl: typeof config.baseUrl === 'string' ? config.baseUrl : undefined };
      }
      this.#plain = callOptions(this.#defaults, undefined);
      const resources = createResources(
        (method, args, options) => this.#call(method, args, options),
        (method, args, options) => this.#list(method, args, options),
      );
      Object.assign(this, resources);
    }

    async #call(method, args, options) {
      const { json, signal } = options === undefined ? this.#plain : callOptions(this.#defaults, options);
      const argsJson = toJson(args, ARGS_FAILURE);
      if (signal?.aborted) throw abortError(signal);
      let text;
      try {
        text = await this.#engine.call(method, argsJson, json, signal);
      } catch (error) {
        throw fromEngineError(error, signal);
      }
      // "null" is what no-content calls resolve with; they are `Promise<void>`. Secrets in the
      // result print as "[redacted]" (secrets.js).
      return text === 'null' ? undefined : parseResult(text);
    }

    #list(method, args, options) {
      const { json, signal } = options === undefined ? this.#plain : callOptions(this.#defaults, options);
      const argsJson = toJson(args, ARGS_FAILURE);
      const start = () => {
        if (signal?.aborted) throw abortError(signal);
        return this.#engine.listAll(method, argsJson, json);
      };
      return listing(start, signal, (error) => fromEngineError(error, signal));
    }

    /** Mints a new access token now (client credentials only). */
    refreshToken(options) {
      return this.#call('client.refreshToken', [], options);
    }

    /** Forgets the cached access token; the next call mints a new one. */
    clearToken() {
      return this.#call('client.clearToken', []);
    }

    /**
     * A client that applies `options` ({ timeoutMs, maxRetries, idempotencyKey, headers }) to
     * every call and shares this client's token cache and connections.
     */
    withOptions(options) {
      if (options?.signal !== undefined) throw argumentFailure('signal')('signal', 'is per call; pass it to each call');
      const { json } = callOptions(this.#defaults, options);
      return new KontextManagementClient(new Derived(this, json ? JSON.parse(json) : {}));
    }

    /** The effective user agent (diagnostics). */
    get userAgent() {
      return this.#engine.userAgent();
    }

    toString() {
      return `KontextManagementClient(${this.#summary.baseUrl ?? ''})`;
    }

    toJSON() {
      return { ...this.#summary };
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return this.toString();
    }
  }

  return KontextManagementClient;
}

/** The `oauth.*` helpers: user tokens through Authorization Code + PKCE. */
export function createOAuth(engine) {
  async function oauthCall(method, args, options) {
    const { signal } = callOptions({}, options);
    const argsJson = toJson(args, argumentFailure('request'));
    if (signal?.aborted) throw abortError(signal);
    try {
      // Tokens and the PKCE verifier print as "[redacted]" (secrets.js).
      return parseResult(await engine.oauthCall(method, argsJson, signal));
    } catch (error) {
      throw fromEngineError(error, signal);
    }
  }
  return createOAuthHelpers(oauthCall);
}
