// Results that hold credentials print them as "[redacted]", as the Python package's reprs do:
// `console.log(created)`, `util.inspect`, `JSON.stringify` (and so most loggers) show
// `clientSecret: '[redacted]'`, while `created.oauth.clientSecret` still reads the string, the
// field stays enumerable (`Object.keys`, destructuring, `{...spread}`) and the result keeps the
// official client's shape.
//
// How: every object of a result with a secret field gets two non-enumerable methods, `toJSON`
// and Node's `util.inspect.custom`, that render a copy with those fields replaced. Nothing else
// changes: `structuredClone(result)` (or a spread) is a plain copy with the values, for code that
// must store them. Browser devtools honour neither hook and show the live object.
//
// The SDK's own serialization (`toJson` in options.js) sends the real values when a result is
// passed back as an argument, through `rawForJson`.

/** Wire names whose values are secrets: the Python package's `SECRET_FIELDS` (`_model.py`). */
export const SECRET_FIELDS = Object.freeze([
  'clientSecret',
  'serverToken',
  'token',
  'accessToken',
  'refreshToken',
  'codeVerifier',
  'deviceCode',
  'partnerApiKey',
]);

const SECRET = new Set(SECRET_FIELDS);
const REDACTED = '[redacted]';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
/** A cheap pre-check on the JSON text: most results hold no secret and are not walked. */
const MAY_HOLD_SECRET = new RegExp(`"(?:${SECRET_FIELDS.join('|')})"\\s*:`);
/** The objects given the hooks (see `rawForJson`). */
const guarded = new WeakSet();

/** `JSON.parse(text)`, with every object holding a secret field guarded. */
export function parseResult(text) {
  const value = JSON.parse(text);
  if (MAY_HOLD_SECRET.test(text)) guard(value);
  return value;
}

const hasSecret = (object) =>
  Object.keys(object).some((key) => SECRET.has(key) && object[key] !== null && object[key] !== undefined);

function guard(value) {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) guard(item);
    return;
  }
  for (const key of Object.keys(value)) if (!SECRET.has(key)) guard(value[key]);
  if (!hasSecret(value)) return;
  guarded.add(value);
  Object.defineProperties(value, {
    toJSON: { value: redactedCopy, enumerable: false, writable: true, configurable: true },
    // Node formats what this returns at the same depth and indentation, with the same options.
    [INSPECT]: { value: redactedCopy, enumerable: false, writable: true, configurable: true },
  });
}

/** A shallow copy of `this` with its secret fields replaced (nested objects have their own hooks). */
function redactedCopy() {
  const copy = {};
  for (const [key, item] of Object.entries(this)) {
    copy[key] = SECRET.has(key) && item !== null && item !== undefined ? REDACTED : item;
  }
  return copy;
}

/**
 * For a `JSON.stringify` replacer: `holder[key]` itself when it is a guarded result, so that its
 * real values are serialized (the replacer sees what `toJSON` returned); else `value`.
 */
export function rawForJson(holder, key, value) {
  const raw = holder[key];
  return raw !== value && guarded.has(raw) ? raw : value;
}
