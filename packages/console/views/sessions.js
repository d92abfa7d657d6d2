// Agent sessions of one application, with their derived status; revoke them all.

import { SessionEnded, confirmDialog, empty, errorBox, field, formatNumber, h, loading, mount, statusBadge, time, toast } from '../ui.js';

const FILTERS = [
  { value: 'active', label: 'Live (active and idle)' },
  { value: 'inactive', label: 'Ended (expired and disconnected)' },
  { value: 'all', label: 'All sessions' },
];

const remembered = { status: 'active', limit: 25 };
const LIMITS = [25, 50, 100, 200];

export function render(main, ctx) {
  document.title = 'Sessions · Kontext admin console';
  const picker = h('div', { class: 'toolbar toolbar-wrap' }, loading('Loading applications…'));
  const region = h('div', { class: 'table-region', 'aria-live': 'polite' });
  const result = h('div', { id: 'revoke-result-region' });
  mount(
    main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Agent sessions')),
    h('p', { class: 'muted lead' }, 'Connections of agents through an application. The derived status says what each is doing now.'),
    picker,
    result,
    region,
  );

  let apps = [];
  let appId = ctx.query.get('app') ?? '';

  async function start() {
    try {
      apps = await ctx.call(async (c) => {
        const out = [];
        for await (const app of c.applications.listAll({ limit: 200 })) {
          out.push(app);
          if (out.length >= 2000) break;
        }
        return out;
      });
      if (!ctx.alive()) return;
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive()) return;
      mount(picker, errorBox(error, { context: 'Could not load the applications', onRetry: start }));
      return;
    }
    if (!apps.length) {
      mount(picker);
      mount(region, empty('No applications, so no sessions. Create an application first.', h('a', { class: 'btn', href: '#/applications' }, 'Go to applications')));
      return;
    }
    if (!apps.some((a) => a.id === appId)) appId = (apps.find((a) => a.sessions?.total > 0) ?? apps[0]).id;
    const sorted = [...apps].sort((a, b) => a.name.localeCompare(b.name));
    const appSelect = h(
      'select',
      {
        name: 'application',
        onchange: (e) => {
          appId = e.target.value;
          history.replaceState(null, '', `#/sessions?app=${encodeURIComponent(appId)}`);
          mount(result);
          load();
        },
      },
      sorted.map((a) => h('option', { value: a.id, selected: a.id === appId }, `${a.name}${a.sessions ? ` (${formatNumber(a.sessions.live)} live)` : ''}`)),
    );
    const statusSelect = h(
      'select',
      {
        name: 'status',
        onchange: (e) => {
          remembered.status = e.target.value;
          mount(result);
          load();
        },
      },
      FILTERS.map((f) => h('option', { value: f.value, selected: f.value === remembered.status }, f.label)),
    );
    const limitSelect = h(
      'select',
      {
        name: 'limit',
        onchange: (e) => {
          remembered.limit = Number(e.target.value);
          load();
        },
      },
      LIMITS.map((n) => h('option', { value: String(n), selected: n === remembered.limit }, `${n} sessions`)),
    );
    const revoke = h('button', { type: 'button', class: 'btn btn-danger', id: 'revoke-all', onclick: () => revokeAll() }, 'Revoke all sessions…');
    mount(picker, field('Application', appSelect), field('Show', statusSelect), field('At most', limitSelect), h('div', { class: 'toolbar-end' }, revoke));
    load();
  }

  let latest = 0;
  async function load() {
    const ticket = ++latest;
    region.setAttribute('aria-busy', 'true');
    mount(region, loading('Loading sessions…'));
    try {
      const { limit, status } = remembered;
      const { items } = await ctx.call((c) => c.agentSessions.list(appId, { status, limit }));
      if (!ctx.alive() || ticket !== latest) return;
      const app = apps.find((a) => a.id === appId);
      const more = app?.sessions && status === 'active' && app.sessions.live > items.length ? ` of ${formatNumber(app.sessions.live)} live` : '';
      mount(
        region,
        items?.length
          ? [h('p', { class: 'muted small', id: 'sessions-count' }, `Showing ${formatNumber(items.length)} session${items.length === 1 ? '' : 's'}${more}.`), table(items)]
          : empty(status === 'active' ? 'No live sessions for this application.' : 'No sessions match.'),
      );
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive() || ticket !== latest) return;
      mount(region, errorBox(error, { context: 'Could not load the sessions', onRetry: load }));
    } finally {
      if (ticket === latest) region.removeAttribute('aria-busy');
    }
  }

  async function revokeAll() {
    const app = apps.find((a) => a.id === appId);
    const ok = await confirmDialog({
      title: 'Revoke every session?',
      body: h('p', {}, 'Every agent connected through ', h('strong', {}, app?.name ?? 'this application'), ' is disconnected now and must authorize again.'),
      confirmLabel: 'Revoke all sessions',
      danger: true,
    });
    if (!ok) return;
    mount(result, loading('Revoking…'));
    try {
      const { disconnectedCount } = await ctx.call((c) => c.agentSessions.revokeAll(appId));
      const words = `${formatNumber(disconnectedCount)} session${disconnectedCount === 1 ? '' : 's'} disconnected.`;
      mount(result, h('p', { class: 'notice notice-ok', role: 'status', id: 'revoke-result' }, words));
      toast(words);
      load();
      // The live count in the application picker is stale now.
      ctx
        .call((c) => c.applications.get(appId))
        .then(({ application }) => {
          const option = [...(picker.querySelector('select[name=application]')?.options ?? [])].find((o) => o.value === application.id);
          if (option && application.sessions) option.textContent = `${application.name} (${formatNumber(application.sessions.live)} live)`;
          const index = apps.findIndex((a) => a.id === application.id);
          if (index >= 0) apps[index] = application;
        })
        .catch(() => {});
    } catch (error) {
      if (error instanceof SessionEnded) return;
      mount(result, errorBox(error, { context: 'Could not revoke the sessions' }));
    }
  }

  start();
}

function table(items) {
  return h(
    'table',
    { class: 'data-table', id: 'sessions-table' },
    h('caption', { class: 'visually-hidden' }, 'Agent sessions'),
    h(
      'thead',
      {},
      h('tr', {}, ['Session', 'Status', 'Client', 'Last active', 'Token expires', 'Connected'].map((t) => h('th', { scope: 'col' }, t))),
    ),
    h(
      'tbody',
      {},
      items.map((s) =>
        h(
          'tr',
          { 'data-id': s.id },
          h('th', { scope: 'row', 'data-label': 'Session' }, s.name || s.id, s.hostname ? h('div', { class: 'muted small' }, s.hostname) : null),
          h('td', { 'data-label': 'Status' }, statusBadge(s.derivedStatus)),
          h('td', { 'data-label': 'Client' }, s.clientInfo?.name ? `${s.clientInfo.name}${s.clientInfo.version ? ` ${s.clientInfo.version}` : ''}` : s.userAgent ?? '—'),
          h('td', { 'data-label': 'Last active' }, time(s.lastActiveAt)),
          h('td', { 'data-label': 'Token expires' }, time(s.tokenExpiresAt)),
          h('td', { 'data-label': 'Connected' }, time(s.connectedAt)),
        ),
      ),
    ),
  );
}
