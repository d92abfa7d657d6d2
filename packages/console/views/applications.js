// Applications: the paged table and the "new application" dialog (its secret shown once).

import { CursorPager, SessionEnded, badge, busy, checkbox, empty, errorBox, field, formatNumber, h, lines, loading, mount, openDialog, pagerBar, radioGroup, secretPanel, time, toast, words } from '../ui.js';

// Kept across visits so "back to the list" returns to the same page.
const list = { pager: new CursorPager(25), includeArchived: false };

export function render(main, ctx) {
  document.title = 'Applications · Kontext admin console';
  const region = h('div', { class: 'table-region', 'aria-live': 'polite' });
  const archived = checkbox('Include archived applications', {
    checked: list.includeArchived,
    onchange: (e) => {
      list.includeArchived = e.target.checked;
      list.pager.reset();
      load();
    },
  });
  mount(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Applications'),
      h('button', { type: 'button', class: 'btn btn-primary', id: 'new-application', onclick: () => createApplication(ctx, load) }, 'New application'),
    ),
    h('p', { class: 'muted lead' }, 'Each application is an AI agent with its own OAuth client. Open one to manage its OAuth settings, integrations, secret and sessions.'),
    h('div', { class: 'toolbar' }, archived),
    region,
  );

  async function load() {
    region.setAttribute('aria-busy', 'true');
    mount(region, loading('Loading applications…'));
    const { pager } = list;
    try {
      const page = await ctx.call((c) =>
        c.applications.list({ limit: pager.limit, ...(pager.cursor ? { cursor: pager.cursor } : {}), ...(list.includeArchived ? { all: true } : {}) }),
      );
      if (!ctx.alive()) return;
      pager.nextCursor = page.nextCursor ?? undefined;
      const items = page.items ?? [];
      mount(
        region,
        items.length
          ? table(items)
          : empty(pager.page > 1 ? 'This page is empty.' : 'No applications yet. Create the first one for your agent.'),
        pager.page > 1 || pager.hasNext || items.length ? pagerBar(pager, { count: items.length, onChange: load, label: 'applications' }) : null,
      );
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive()) return;
      mount(region, errorBox(error, { context: 'Could not load the applications', onRetry: load }));
    } finally {
      region.removeAttribute('aria-busy');
    }
  }

  load();
}

function table(items) {
  return h(
    'table',
    { class: 'data-table', id: 'applications-table' },
    h('caption', { class: 'visually-hidden' }, 'Applications'),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Client id'), h('th', { scope: 'col' }, 'Live sessions'), h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, 'Status')),
    ),
    h(
      'tbody',
      {},
      items.map((app) =>
        h(
          'tr',
          { 'data-id': app.id },
          h(
            'th',
            { scope: 'row', 'data-label': 'Name' },
            h('a', { href: `#/applications/${encodeURIComponent(app.id)}`, class: 'row-link' }, app.name),
            app.description ? h('div', { class: 'muted small clamp' }, app.description) : null,
          ),
          h('td', { 'data-label': 'Client id' }, h('code', { class: 'mono small' }, app.clientId ?? '—')),
          h('td', { 'data-label': 'Live sessions' }, app.sessions ? `${formatNumber(app.sessions.live)} of ${formatNumber(app.sessions.total)}` : '—'),
          h('td', { 'data-label': 'Created' }, time(app.createdAt)),
          h('td', { 'data-label': 'Status' }, app.archivedAt ? badge('archived', 'neutral') : badge('active', 'ok')),
        ),
      ),
    ),
  );
}

/** The create dialog; on success shows the client id and (confidential) the secret, once. */
async function createApplication(ctx, reload) {
  const created = await openDialog('New application', (close) => {
    let type = 'confidential';
    const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
    const description = h('input', { type: 'text', name: 'description', maxlength: '1000', autocomplete: 'off' });
    const redirects = h('textarea', { name: 'redirectUris', rows: '3', spellcheck: 'false', class: 'mono', placeholder: 'https://agent.example.com/oauth/callback' });
    const scopes = h('input', { type: 'text', name: 'scopes', spellcheck: 'false', placeholder: 'mcp:invoke' });
    const pkce = checkbox('Require PKCE', { name: 'pkceRequired', checked: true });
    const status = h('div', {});
    const form = h(
      'form',
      {
        class: 'form',
        id: 'create-application-form',
        onsubmit: async (event) => {
          event.preventDefault();
          const body = {
            name: name.value.trim(),
            ...(description.value.trim() ? { description: description.value.trim() } : {}),
            oauth: {
              type,
              redirectUris: lines(redirects.value),
              pkceRequired: pkce.querySelector('input').checked,
              ...(words(scopes.value).length ? { scopes: words(scopes.value) } : {}),
            },
          };
          mount(status);
          try {
            const result = await busy(form, () => ctx.call((c) => c.applications.create(body)));
            close(result);
          } catch (error) {
            if (error instanceof SessionEnded) return close();
            mount(status, errorBox(error, { context: 'Could not create the application' }));
          }
        },
      },
      field('Name', name, 'Shown to users on the consent screen. Must be unique.'),
      field('Description (optional)', description),
      radioGroup(
        'Client type',
        'type',
        [
          { value: 'confidential', label: 'Confidential', hint: 'a server-side agent; gets a client secret' },
          { value: 'public', label: 'Public', hint: 'a browser, CLI or desktop agent; PKCE, no secret' },
        ],
        type,
        (e) => {
          type = e.target.value;
        },
      ),
      field('Redirect URIs', redirects, 'One per line. Where users return after consenting.'),
      field('Scopes (optional)', scopes, 'Space separated.'),
      pkce,
      status,
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create application'),
      ),
    );
    return form;
  });
  if (!created) return;
  toast(`Application “${created.application.name}” created`);
  await openDialog('Application created', (close) =>
    h(
      'div',
      { class: 'created', id: 'application-created' },
      h('p', {}, h('strong', {}, created.application.name), ' is ready. Its OAuth client id:'),
      h('p', {}, h('code', { class: 'mono', id: 'created-client-id' }, created.oauth?.clientId ?? created.application.clientId)),
      created.oauth?.clientSecret
        ? secretPanel('Client secret', created.oauth.clientSecret)
        : h('p', { class: 'notice notice-info' }, 'This is a public client: it has no secret and must use PKCE.'),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', onclick: () => close('list') }, 'Back to the list'),
        h('button', { type: 'button', class: 'btn btn-primary', onclick: () => close('open') }, 'Open application'),
      ),
    ),
  ).then((choice) => {
    if (choice === 'open') ctx.navigate(`#/applications/${encodeURIComponent(created.application.id)}`);
    else reload();
  });
}
