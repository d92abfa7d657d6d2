// One application: rename, OAuth settings (view/edit), integrations (attach/detach), rotate the
// secret and archive (both confirmed).

import { SessionEnded, badge, busy, checkbox, confirmDialog, errorBox, field, formatNumber, h, lines, loading, mount, nextId, openDialog, radioGroup, secretPanel, time, toast, words } from '../ui.js';

export function render(main, ctx) {
  const [id] = ctx.params;
  document.title = 'Application · Kontext admin console';
  mount(main, backLink(), loading('Loading the application…'));

  async function load() {
    try {
      const [{ application }, { oauth }] = await ctx.call((c) => Promise.all([c.applications.get(id), c.applications.getOAuth(id)]));
      if (!ctx.alive()) return;
      show(application, oauth);
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive()) return;
      mount(main, backLink(), h('h1', {}, 'Application'), errorBox(error, { context: 'Could not load the application', onRetry: load }));
    }
  }

  function show(app, oauth) {
    document.title = `${app.name} · Kontext admin console`;
    const archived = Boolean(app.archivedAt);
    mount(
      main,
      backLink(),
      h(
        'div',
        { class: 'page-head' },
        h('h1', { id: 'application-name' }, app.name),
        h('div', { class: 'badges' }, archived ? badge('archived', 'neutral') : badge('active', 'ok'), badge(oauth.type, 'info')),
      ),
      archived ? h('p', { class: 'notice notice-info' }, `Archived ${new Date(app.archivedAt).toLocaleString()}. Its OAuth client no longer signs anyone in.`) : null,
      h(
        'dl',
        { class: 'meta' },
        h('dt', {}, 'Application id'),
        h('dd', {}, h('code', { class: 'mono' }, app.id)),
        h('dt', {}, 'Client id'),
        h('dd', {}, h('code', { class: 'mono', id: 'application-client-id' }, app.clientId ?? oauth.clientId)),
        h('dt', {}, 'Created'),
        h('dd', {}, time(app.createdAt)),
        h('dt', {}, 'Updated'),
        h('dd', {}, time(app.updatedAt)),
      ),
      h(
        'div',
        { class: 'grid' },
        detailsCard(ctx, app, archived, load),
        oauthCard(ctx, app, oauth, archived, load),
        integrationsCard(ctx, app, archived),
        sessionsCard(app),
        dangerCard(ctx, app, oauth, archived),
      ),
    );
  }

  load();
}

function backLink() {
  return h('p', { class: 'breadcrumbs' }, h('a', { href: '#/applications' }, '← Applications'));
}

function card(title, ...children) {
  const id = nextId('card');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

// ---- rename --------------------------------------------------------------------------------

function detailsCard(ctx, app, archived, reload) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', value: app.name, disabled: archived });
  const description = h('textarea', { name: 'description', rows: '2', maxlength: '1000', disabled: archived }, app.description ?? '');
  const status = h('div', {});
  const form = h(
    'form',
    {
      class: 'form',
      id: 'rename-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const patch = {};
        if (name.value.trim() !== app.name) patch.name = name.value.trim();
        if (description.value.trim() !== (app.description ?? '')) patch.description = description.value.trim();
        mount(status);
        if (!Object.keys(patch).length) {
          mount(status, h('p', { class: 'muted', role: 'status' }, 'Nothing changed.'));
          return;
        }
        try {
          const { application } = await busy(form, () => ctx.call((c) => c.applications.update(app.id, patch)));
          toast(`Saved “${application.name}”`);
          reload();
        } catch (error) {
          if (error instanceof SessionEnded) return;
          mount(status, errorBox(error, { context: 'Could not save' }));
        }
      },
    },
    field('Name', name),
    field('Description', description),
    status,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary', disabled: archived }, 'Save')),
  );
  return card('Name and description', form);
}

// ---- OAuth settings --------------------------------------------------------------------------

function oauthCard(ctx, app, oauth, archived, reload) {
  const body = h('div', {});
  const list = (values) => (values?.length ? h('ul', { class: 'plain-list' }, values.map((v) => h('li', {}, h('code', { class: 'mono' }, v)))) : h('span', { class: 'muted' }, 'none'));

  function view() {
    mount(
      body,
      h(
        'dl',
        { class: 'kv', id: 'oauth-settings' },
        h('dt', {}, 'Client type'),
        h('dd', {}, oauth.type),
        h('dt', {}, 'PKCE required'),
        h('dd', {}, oauth.pkceRequired ? 'yes' : 'no'),
        h('dt', {}, 'Redirect URIs'),
        h('dd', {}, list(oauth.redirectUris)),
        h('dt', {}, 'Scopes'),
        h('dd', {}, list(oauth.scopes)),
        h('dt', {}, 'Allowed resources'),
        h('dd', {}, list(oauth.allowedResources)),
        h('dt', {}, 'Authorization URL'),
        h('dd', {}, h('code', { class: 'mono small' }, oauth.authorizationUrl || '—')),
        h('dt', {}, 'Token URL'),
        h('dd', {}, h('code', { class: 'mono small' }, oauth.tokenUrl || '—')),
        h('dt', {}, 'Gateway URL'),
        h('dd', {}, h('code', { class: 'mono small' }, oauth.gatewayUrl || '—')),
      ),
      h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'btn', id: 'edit-oauth', disabled: archived, onclick: edit }, 'Edit OAuth settings')),
    );
  }

  function edit() {
    let type = oauth.type;
    const redirects = h('textarea', { name: 'redirectUris', rows: '3', class: 'mono', spellcheck: 'false' }, (oauth.redirectUris ?? []).join('\n'));
    const scopes = h('input', { type: 'text', name: 'scopes', spellcheck: 'false', value: (oauth.scopes ?? []).join(' ') });
    const resources = h('input', { type: 'text', name: 'allowedResources', spellcheck: 'false', value: (oauth.allowedResources ?? []).join(' ') });
    const pkce = checkbox('Require PKCE', { name: 'pkceRequired', checked: oauth.pkceRequired });
    const status = h('div', {});
    const form = h(
      'form',
      {
        class: 'form',
        id: 'oauth-form',
        onsubmit: async (event) => {
          event.preventDefault();
          const patch = {
            type,
            pkceRequired: pkce.querySelector('input').checked,
            redirectUris: lines(redirects.value),
            scopes: words(scopes.value),
            allowedResources: words(resources.value),
          };
          mount(status);
          try {
            const result = await busy(form, () => ctx.call((c) => c.applications.updateOAuth(app.id, patch)));
            toast('OAuth settings saved');
            if (result.oauth?.clientSecret) {
              await openDialog('New client secret', (close) =>
                h('div', {}, h('p', {}, 'The application became confidential and received a client secret.'), secretPanel('Client secret', result.oauth.clientSecret), h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn btn-primary', onclick: () => close() }, 'Done'))),
              );
            }
            reload();
          } catch (error) {
            if (error instanceof SessionEnded) return;
            mount(status, errorBox(error, { context: 'Could not save the OAuth settings' }));
          }
        },
      },
      radioGroup(
        'Client type',
        'oauth-type',
        [
          { value: 'confidential', label: 'Confidential', hint: 'has a client secret' },
          { value: 'public', label: 'Public', hint: 'PKCE, no secret' },
        ],
        type,
        (e) => {
          type = e.target.value;
        },
      ),
      pkce,
      field('Redirect URIs', redirects, 'One per line.'),
      field('Scopes', scopes, 'Space separated.'),
      field('Allowed resources', resources, 'Space separated resource indicators (RFC 8707).'),
      status,
      h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'btn', onclick: view }, 'Cancel'), h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save OAuth settings')),
    );
    mount(body, form);
    redirects.focus();
  }

  view();
  return card('OAuth settings', body);
}

// ---- integrations ------------------------------------------------------------------------------

/** Every integration (for names and the attach list); a few pages at most in practice. */
async function allIntegrations(ctx) {
  return ctx.call(async (c) => {
    const out = [];
    for await (const item of c.integrations.listAll({ limit: 200 })) {
      out.push(item);
      if (out.length >= 2000) break;
    }
    return out;
  });
}

function integrationsCard(ctx, app, archived) {
  const body = h('div', { 'aria-live': 'polite' }, loading('Loading integrations…'));

  async function load() {
    try {
      const [{ integrationIds }, all] = await Promise.all([ctx.call((c) => c.applications.listIntegrations(app.id)), allIntegrations(ctx)]);
      if (!ctx.alive()) return;
      show(integrationIds ?? [], all);
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive()) return;
      mount(body, errorBox(error, { context: 'Could not load the integrations', onRetry: load }));
    }
  }

  function show(attachedIds, all) {
    const byId = new Map(all.map((i) => [i.id, i]));
    const available = all.filter((i) => !attachedIds.includes(i.id) && !i.archivedAt).sort((a, b) => a.name.localeCompare(b.name));
    const select = h(
      'select',
      { name: 'integrationId', id: nextId('attach'), disabled: archived || !available.length },
      available.length ? h('option', { value: '' }, 'Choose an integration…') : h('option', { value: '' }, 'Every integration is attached'),
      available.map((i) => h('option', { value: i.id }, `${i.name} (${i.authMode})`)),
    );
    const status = h('div', {});
    const form = h(
      'form',
      {
        class: 'inline-form',
        id: 'attach-form',
        onsubmit: async (event) => {
          event.preventDefault();
          if (!select.value) {
            mount(status, h('p', { class: 'notice notice-warn', role: 'alert' }, 'Choose an integration to attach.'));
            select.focus();
            return;
          }
          const integration = byId.get(select.value);
          try {
            await busy(form, () => ctx.call((c) => c.applications.attachIntegration(app.id, select.value)));
            toast(`Attached ${integration?.name ?? 'the integration'}`);
            load();
          } catch (error) {
            if (error instanceof SessionEnded) return;
            mount(status, errorBox(error, { context: 'Could not attach the integration' }));
          }
        },
      },
      h('label', { for: select.id }, 'Attach integration'),
      select,
      h('button', { type: 'submit', class: 'btn btn-primary', disabled: archived || !available.length }, 'Attach'),
    );
    mount(
      body,
      attachedIds.length
        ? h(
            'ul',
            { class: 'attached-list', id: 'attached-integrations' },
            attachedIds.map((iid) => {
              const i = byId.get(iid);
              return h(
                'li',
                { 'data-id': iid },
                h('span', {}, h('strong', {}, i?.name ?? iid), i ? h('span', { class: 'muted small' }, ` · ${i.authMode} · ${i.url}`) : null),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn btn-small',
                    disabled: archived,
                    'aria-label': `Detach ${i?.name ?? iid}`,
                    onclick: async (e) => {
                      try {
                        e.target.disabled = true;
                        await ctx.call((c) => c.applications.detachIntegration(app.id, iid));
                        toast(`Detached ${i?.name ?? 'the integration'}`);
                        load();
                      } catch (error) {
                        e.target.disabled = false;
                        if (error instanceof SessionEnded) return;
                        mount(status, errorBox(error, { context: 'Could not detach the integration' }));
                      }
                    },
                  },
                  'Detach',
                ),
              );
            }),
          )
        : h('p', { class: 'muted', id: 'attached-integrations-empty' }, 'No integrations attached: this agent cannot use any tools yet.'),
      form,
      status,
    );
  }

  load();
  return card('Integrations', body);
}

// ---- sessions summary -----------------------------------------------------------------------

function sessionsCard(app) {
  const s = app.sessions;
  return card(
    'Agent sessions',
    s
      ? h(
          'dl',
          { class: 'kv kv-compact' },
          h('dt', {}, 'Live'),
          h('dd', {}, formatNumber(s.live)),
          h('dt', {}, 'Active'),
          h('dd', {}, formatNumber(s.active)),
          h('dt', {}, 'Idle'),
          h('dd', {}, formatNumber(s.idle)),
          h('dt', {}, 'Total'),
          h('dd', {}, formatNumber(s.total)),
        )
      : h('p', { class: 'muted' }, 'No session counts.'),
    h('div', { class: 'form-actions' }, h('a', { class: 'btn', href: `#/sessions?app=${encodeURIComponent(app.id)}` }, 'View and revoke sessions')),
  );
}

// ---- rotate secret, archive ---------------------------------------------------------------------

function dangerCard(ctx, app, oauth, archived) {
  const status = h('div', {});
  const confidential = oauth.type === 'confidential';
  return h(
    'section',
    { class: 'card card-danger', 'aria-labelledby': 'danger-title' },
    h('h2', { id: 'danger-title' }, 'Secret and lifecycle'),
    h(
      'div',
      { class: 'danger-row' },
      h('div', {}, h('h3', {}, 'Rotate client secret'), h('p', { class: 'muted small' }, confidential ? 'Issues a new secret; the current one stops working immediately.' : 'Public applications have no client secret.')),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-danger-outline',
          id: 'rotate-secret',
          disabled: archived || !confidential,
          onclick: async () => {
            const ok = await confirmDialog({
              title: 'Rotate the client secret?',
              body: h('p', {}, 'The current secret of ', h('strong', {}, app.name), ' stops working immediately. Every deployment that uses it must be updated with the new one.'),
              confirmLabel: 'Rotate secret',
              danger: true,
            });
            if (!ok) return;
            mount(status, loading('Rotating…'));
            try {
              const { oauth: rotated } = await ctx.call((c) => c.applications.rotateSecret(app.id));
              mount(status);
              toast('Client secret rotated');
              await openDialog('New client secret', (close) =>
                h('div', { id: 'rotated-secret' }, secretPanel('Client secret', rotated.clientSecret ?? ''), h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn btn-primary', onclick: () => close() }, 'Done'))),
              );
            } catch (error) {
              if (error instanceof SessionEnded) return;
              mount(status, errorBox(error, { context: 'Could not rotate the secret' }));
            }
          },
        },
        'Rotate secret…',
      ),
    ),
    h(
      'div',
      { class: 'danger-row' },
      h('div', {}, h('h3', {}, 'Archive application'), h('p', { class: 'muted small' }, 'Its OAuth client stops working and it leaves the list. Archived applications can be listed with “Include archived”.')),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-danger',
          id: 'archive-application',
          disabled: archived,
          onclick: async () => {
            const ok = await confirmDialog({
              title: `Archive “${app.name}”?`,
              body: h('p', {}, 'Users can no longer sign in to ', h('strong', {}, app.name), ' and its agents lose access. This cannot be undone from the console.'),
              confirmLabel: 'Archive application',
              danger: true,
            });
            if (!ok) return;
            mount(status, loading('Archiving…'));
            try {
              await ctx.call((c) => c.applications.archive(app.id));
              toast(`Archived “${app.name}”`);
              ctx.navigate('#/applications');
            } catch (error) {
              if (error instanceof SessionEnded) return;
              mount(status, errorBox(error, { context: 'Could not archive the application' }));
            }
          },
        },
        'Archive…',
      ),
    ),
    status,
  );
}
