// What crosses into the engine: JSON text. Checks here only guard what JSON would silently
// lose (NaN, functions, undefined-vs-null); every real rule lives in the Rust core.

import { ConfigError, ValidationError } from './errors.js';
import { rawForJson } from './secrets.js';

/**
 * JSON text of `value`; non-finite numbers and unserializable values are refused, not dropped.
 * A result passed back as an argument is sent with its real values, not the "[redacted]" its
 * `toJSON` prints (secrets.js).
 */
export function toJson(value, fail) {
  // Most argument lists are ids and absent params: nothing the checks below could refuse.
  if (Array.isArray(value) && value.every(isPlainArgument)) return JSON.stringify(value);
  try {
    return JSON.stringify(value ?? null, function replace(key, redacted) {
      const v = rawForJson(this, key, redacted);
      if (typeof v === 'number' && !Number.isFinite(v)) throw fail(key, `must be a finite number, not ${v}`);
      if (typeof v === 'bigint') throw fail(key, 'must be a number, not a bigint');
      if (typeof v === 'function' || typeof v === 'symbol') throw fail(key, `must be JSON data, not a ${typeof v}`);
      return v;
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ValidationError) throw error;
    throw fail('', `cannot be serialized: ${error.message}`);
  }
}

const isPlainArgument = (v) => typeof v === 'string' || v === undefined || v === null;

export const configFailure = (key, reason) =>
  new ConfigError(`invalid client configuration: ${key ? `${key} ` : ''}${reason}`, {
    kind: 'config',
    code: 'kontext_config_error',
  });

export const argumentFailure = (name) => (key, reason) =>
  new ValidationError(`invalid argument \`${key || name}\`: ${reason}`, {
    kind: 'invalid_input',
    code: 'kontext_invalid_argument',
    argument: key || name,
  });

/** Client config → the engine's options JSON. */
export function configJson(config) {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw configFailure('', 'expected an object: new KontextManagementClient({ baseUrl, credentials })');
  }
  // The logger stays in JS (see logging.js); only data crosses into the engine.
  const { logger, logLevel, ...options } = config;
  return toJson(options, configFailure);
}

/**
 * Per-call options merged over the client's defaults, split into the engine's JSON and the
 * signal (which cannot cross as JSON).
 */
export function callOptions(defaults, options) {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw argumentFailure('options')('options', 'must be an object like { timeoutMs, maxRetries, signal }');
  }
  const { signal, ...rest } = options ?? {};
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw argumentFailure('signal')('signal', 'must be an AbortSignal');
  }
  const merged = { ...defaults, ...rest };
  if (defaults.headers || rest.headers) merged.headers = { ...defaults.headers, ...rest.headers };
  const keys = Object.keys(merged).filter((k) => merged[k] !== undefined);
  return { json: keys.length ? toJson(merged, argumentFailure('options')) : undefined, signal };
}

function isAbortSignal(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function'
  );
}
