// Small DOM helpers shared by the views: an element builder (text only, never HTML strings, so
// API data cannot inject markup), error boxes that name the request id, dialogs, toasts, a
// pager and a copy button.

/** `h('button', {class: 'x', onclick}, 'text', child)`: attributes, `on*` listeners, children. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' && 'value' in el) el.value = value;
    else if (key === 'checked' && 'checked' in el) el.checked = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for label/aria wiring. */
export const nextId = (prefix = 'id') => `${prefix}-${++uid}`;

/** A labelled form field: `<div class=field><label for>…</label><input id>…<p hint></div>`. */
export function field(label, control, hint) {
  const id = control.id || nextId('f');
  control.id = id;
  let hintEl;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint);
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${hintEl.id}` : hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** A checkbox with its label after it. */
export function checkbox(label, attrs = {}) {
  const input = h('input', { type: 'checkbox', id: nextId('c'), ...attrs });
  return h('div', { class: 'field field-check' }, input, h('label', { for: input.id }, label));
}

/** Radio group in a fieldset: options `[{value, label, hint?}]`. */
export function radioGroup(legend, name, options, selected, onchange) {
  return h(
    'fieldset',
    { class: 'radio-group' },
    h('legend', {}, legend),
    options.map((o) => {
      const id = nextId('r');
      return h(
        'div',
        { class: 'radio' },
        h('input', { type: 'radio', name, id, value: o.value, checked: o.value === selected, onchange }),
        h('label', { for: id }, o.label, o.hint ? h('span', { class: 'hint-inline' }, ` — ${o.hint}`) : null),
      );
    }),
  );
}

export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `<time>` with the full timestamp as title. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: iso }, formatDate(iso));
}

export function formatNumber(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}

export function formatBytes(n) {
  if (typeof n !== 'number') return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

/** Thrown into a view's pending call when the session ended (the sign-in screen is up). */
export class SessionEnded extends Error {
  constructor(cause) {
    super('The session ended', { cause });
    this.name = 'SessionEnded';
  }
}

// ---- errors -------------------------------------------------------------------------------

const KIND_WORDS = {
  bad_request: 'The request was rejected',
  authentication: 'You are not signed in (or your session expired)',
  permission_denied: 'You do not have permission to do this',
  not_found: 'It was not found',
  conflict: 'It conflicts with something that already exists',
  precondition_failed: 'It was changed by someone else in the meantime',
  rate_limited: 'Too many requests',
  server_error: 'The server had a problem',
  api_error: 'The API answered with an error',
  oauth: 'Sign-in was refused',
  connection: 'The API could not be reached',
  timeout: 'The API did not answer in time',
  decode: 'The API answered with something unexpected',
  invalid_input: 'A value is not valid',
  config: 'The console is configured wrongly',
  aborted: 'The request was cancelled',
  internal: 'The SDK failed unexpectedly',
};

/** `{title, detail, requestId, status, code}` of any thrown value, in words. */
export function describeError(error) {
  if (typeof error?.kind !== 'string') {
    return { title: 'Something went wrong in the console', detail: String(error?.message ?? error ?? 'Unknown error'), requestId: null, status: null, code: null };
  }
  const kind = error.kind;
  const title = KIND_WORDS[kind] ?? 'Something went wrong';
  // The SDK's message repeats the status and request id, which the box shows on their own.
  let detail = String(error?.message ?? error ?? 'Unknown error')
    .replace(/^HTTP \d{3}:\s*/, '')
    .replace(/\s*\[request id [^\]]*\]\s*$/, '');
  if (kind === 'rate_limited' && error?.retryAfter != null) detail += ` Try again in ${error.retryAfter} s.`;
  if (kind === 'permission_denied' && Array.isArray(error?.missingScopes) && error.missingScopes.length) {
    detail += ` Missing scopes: ${error.missingScopes.join(', ')}.`;
  }
  if (kind === 'oauth' && error?.errorDescription) detail = `${error.errorCode ?? 'oauth error'}: ${error.errorDescription}`;
  return {
    title,
    detail,
    requestId: error?.requestId ?? null,
    status: error?.statusCode ?? error?.status ?? null,
    code: error?.code ?? null,
  };
}

/** A `role=alert` box describing the error, naming its request id. */
export function errorBox(error, { onRetry, context } = {}) {
  const d = describeError(error);
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('p', { class: 'error-title' }, context ? `${context}: ${d.title}` : d.title, d.status ? ` (HTTP ${d.status})` : ''),
    h('p', { class: 'error-detail' }, d.detail),
    h(
      'p',
      { class: 'error-meta' },
      d.requestId ? ['Request id: ', h('code', { class: 'request-id' }, d.requestId)] : 'No request id (the request never got an answer).',
      d.code ? [' · ', h('code', {}, d.code)] : null,
    ),
    onRetry ? h('button', { type: 'button', class: 'btn', onclick: onRetry }, 'Try again') : null,
  );
}

// ---- states -------------------------------------------------------------------------------

export function loading(label = 'Loading…') {
  return h('div', { class: 'loading', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}

export function empty(text, action) {
  return h('div', { class: 'empty' }, h('p', {}, text), action ?? null);
}

// ---- toasts -------------------------------------------------------------------------------

export function toast(message, kind = 'ok') {
  const region = document.getElementById('toasts');
  if (!region) return;
  const el = h('div', { class: `toast toast-${kind}` }, message);
  region.append(el);
  while (region.children.length > 3) region.firstElementChild.remove();
  setTimeout(() => el.remove(), 5000);
}

// ---- dialogs ------------------------------------------------------------------------------

/**
 * A modal `<dialog>` (focus is trapped and Escape closes it natively). `build(close)` returns the
 * body; resolves with what `close(value)` was given (undefined on Escape/cancel).
 */
export function openDialog(title, build, { wide = false, labelledBy } = {}) {
  return new Promise((resolve) => {
    const titleId = nextId('dlg');
    const dialog = h('dialog', { class: wide ? 'dialog dialog-wide' : 'dialog', 'aria-labelledby': labelledBy ?? titleId });
    let result;
    const close = (value) => {
      result = value;
      dialog.close();
    };
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    mount(dialog, h('h2', { id: titleId, class: 'dialog-title' }, title), build(close));
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector('[autofocus], input:not([type=hidden]), select, textarea, button');
    first?.focus();
  });
}

/** Confirmation dialog; resolves true when confirmed. */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false }) {
  return openDialog(title, (close) =>
    h(
      'div',
      {},
      h('div', { class: 'dialog-body' }, body),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => close(false), autofocus: true }, 'Cancel'),
        h('button', { type: 'button', class: danger ? 'btn btn-danger' : 'btn btn-primary', onclick: () => close(true) }, confirmLabel),
      ),
    ),
  ).then(Boolean);
}

/**
 * Shows a secret once: the value, a copy button, and the warning that it cannot be shown again.
 */
export function secretPanel(label, secret) {
  const id = nextId('secret');
  return h(
    'div',
    { class: 'secret-panel' },
    h('p', { class: 'warning', role: 'note' }, h('strong', {}, 'Copy this secret now. '), 'It is shown only once and cannot be retrieved later; store it in a secret manager.'),
    h('label', { for: id }, label),
    h(
      'div',
      { class: 'copy-row' },
      h('input', { id, class: 'mono secret-value', type: 'text', readonly: true, value: secret, onfocus: (e) => e.target.select() }),
      copyButton(secret, `Copy ${label.toLowerCase()}`),
    ),
  );
}

export function copyButton(text, label = 'Copy') {
  const btn = h('button', { type: 'button', class: 'btn btn-small copy-button', 'aria-label': label }, 'Copy');
  btn.addEventListener('click', async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      // Clipboard API unavailable (insecure origin, permissions): select and copy instead.
      const ta = h('textarea', { class: 'visually-hidden', readonly: true }, text);
      document.body.append(ta);
      ta.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      ta.remove();
    }
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    toast(ok ? 'Copied to the clipboard' : 'Could not copy: select the text and copy it by hand', ok ? 'ok' : 'warn');
    setTimeout(() => {
      btn.textContent = 'Copy';
    }, 2000);
  });
  return btn;
}

// ---- status badges ------------------------------------------------------------------------

export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

const STATUS_TONES = {
  active: 'ok',
  ok: 'ok',
  connected: 'ok',
  idle: 'info',
  warn: 'warn',
  expired: 'warn',
  disconnected: 'neutral',
  failed: 'bad',
  archived: 'neutral',
};

export function statusBadge(status) {
  if (!status) return badge('not checked', 'neutral');
  return badge(String(status).replaceAll('_', ' '), STATUS_TONES[status] ?? (String(status).startsWith('error') ? 'bad' : 'neutral'));
}

// ---- cursor pager -------------------------------------------------------------------------

/**
 * Cursor paging state: `cursors[i]` is the cursor of page i (page 0: none). `next(nextCursor)`
 * and `prev()` move; the page size resets it.
 */
export class CursorPager {
  constructor(limit = 25) {
    this.limit = limit;
    this.cursors = [undefined];
    this.index = 0;
    this.nextCursor = undefined;
  }

  get cursor() {
    return this.cursors[this.index];
  }

  get page() {
    return this.index + 1;
  }

  get hasPrev() {
    return this.index > 0;
  }

  get hasNext() {
    return Boolean(this.nextCursor);
  }

  next() {
    if (!this.nextCursor) return;
    this.cursors[this.index + 1] = this.nextCursor;
    this.cursors.length = this.index + 2;
    this.index += 1;
  }

  prev() {
    if (this.index > 0) this.index -= 1;
  }

  reset(limit = this.limit) {
    this.limit = limit;
    this.cursors = [undefined];
    this.index = 0;
    this.nextCursor = undefined;
  }
}

/** The pager bar: previous/next, page number, page-size select. */
export function pagerBar(pager, { count, onChange, label = 'items', sizes = [10, 25, 50, 100] }) {
  const sizeSelect = h(
    'select',
    {
      id: nextId('size'),
      onchange: (e) => {
        pager.reset(Number(e.target.value));
        onChange();
      },
    },
    sizes.map((s) => h('option', { value: String(s), selected: s === pager.limit }, String(s))),
  );
  const first = (pager.page - 1) * pager.limit + 1;
  const range = count ? `${first}–${first + count - 1}` : 'none';
  return h(
    'nav',
    { class: 'pager', 'aria-label': `Pages of ${label}` },
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        disabled: !pager.hasPrev,
        'data-action': 'prev-page',
        onclick: () => {
          pager.prev();
          onChange();
        },
      },
      '← Previous',
    ),
    h('span', { class: 'pager-status', 'aria-live': 'polite' }, `Page ${pager.page} · ${label} ${range}`),
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        disabled: !pager.hasNext,
        'data-action': 'next-page',
        onclick: () => {
          pager.next();
          onChange();
        },
      },
      'Next →',
    ),
    h('span', { class: 'pager-size' }, h('label', { for: sizeSelect.id }, 'Page size'), sizeSelect),
  );
}

/** Lines of a textarea → trimmed non-empty strings. */
export function lines(text) {
  return String(text ?? '')
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Space/comma separated words → strings. */
export function words(text) {
  return String(text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Disables a form's controls while `task` runs; returns the task's result. */
export async function busy(form, task) {
  const controls = [...form.querySelectorAll('button, input, select, textarea')].filter((c) => !c.disabled);
  controls.forEach((c) => {
    c.disabled = true;
  });
  form.setAttribute('aria-busy', 'true');
  try {
    return await task();
  } finally {
    controls.forEach((c) => {
      c.disabled = false;
    });
    form.removeAttribute('aria-busy');
  }
}
