// Integrations: paged list, create (fields per auth mode), validate, attach to / detach from an
// application.

import { CursorPager, SessionEnded, badge, busy, empty, errorBox, field, h, loading, mount, nextId, openDialog, pagerBar, radioGroup, statusBadge, time, toast, words } from '../ui.js';

const list = { pager: new CursorPager(25) };

const AUTH_MODES = [
  { value: 'none', label: 'None', hint: 'the server needs no credentials' },
  { value: 'oauth', label: 'OAuth', hint: 'each user consents; Kontext refreshes their tokens' },
  { value: 'user_token', label: 'User token', hint: 'each user stores a personal token or API key' },
  { value: 'server_token', label: 'Server token', hint: 'one organization-wide token for every user' },
];

const MODE_LABELS = Object.fromEntries(AUTH_MODES.map((m) => [m.value, m.label]));

export function render(main, ctx) {
  document.title = 'Integrations · Kontext admin console';
  const region = h('div', { class: 'table-region', 'aria-live': 'polite' });
  mount(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Integrations'),
      h('button', { type: 'button', class: 'btn btn-primary', id: 'new-integration', onclick: () => createIntegration(ctx, load) }, 'New integration'),
    ),
    h('p', { class: 'muted lead' }, 'MCP servers your agents may use. Attach an integration to an application to give its agents the tools.'),
    region,
  );

  async function load() {
    const { pager } = list;
    region.setAttribute('aria-busy', 'true');
    mount(region, loading('Loading integrations…'));
    try {
      const page = await ctx.call((c) => c.integrations.list({ limit: pager.limit, ...(pager.cursor ? { cursor: pager.cursor } : {}) }));
      if (!ctx.alive()) return;
      pager.nextCursor = page.nextCursor ?? undefined;
      const items = page.items ?? [];
      mount(
        region,
        items.length ? table(ctx, items) : empty(pager.page > 1 ? 'This page is empty.' : 'No integrations yet. Add the MCP servers your agents need.'),
        pager.page > 1 || pager.hasNext || items.length ? pagerBar(pager, { count: items.length, onChange: load, label: 'integrations' }) : null,
      );
    } catch (error) {
      if (error instanceof SessionEnded || !ctx.alive()) return;
      mount(region, errorBox(error, { context: 'Could not load the integrations', onRetry: load }));
    } finally {
      region.removeAttribute('aria-busy');
    }
  }

  load();
}

function table(ctx, items) {
  return h(
    'table',
    { class: 'data-table', id: 'integrations-table' },
    h('caption', { class: 'visually-hidden' }, 'Integrations'),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Auth mode'), h('th', { scope: 'col' }, 'Validation'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions'))),
    ),
    h('tbody', {}, items.map((i) => row(ctx, i))),
  );
}

function row(ctx, integration) {
  const validation = h('div', { class: 'validation' }, validationView(integration.validationStatus, integration.validationMessage, integration.validatedAt));
  const validate = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-small',
      'data-action': 'validate',
      'aria-label': `Validate ${integration.name}`,
      onclick: async () => {
        validate.disabled = true;
        mount(validation, loading('Checking…'));
        try {
          const v = await ctx.call((c) => c.integrations.validate(integration.id));
          mount(validation, validationView(v.status, v.message, v.checkedAt));
          toast(`${integration.name}: validation ${v.status}${v.message ? ` — ${v.message}` : ''}`, v.status === 'ok' ? 'ok' : 'warn');
        } catch (error) {
          if (error instanceof SessionEnded) return;
          mount(validation, errorBox(error, { context: 'Validation failed to run' }));
        } finally {
          validate.disabled = false;
        }
      },
    },
    'Validate',
  );
  const attach = h(
    'button',
    { type: 'button', class: 'btn btn-small', 'data-action': 'attach', 'aria-label': `Attach ${integration.name} to an application`, onclick: () => attachDialog(ctx, integration) },
    'Attach…',
  );
  return h(
    'tr',
    { 'data-id': integration.id },
    h(
      'th',
      { scope: 'row', 'data-label': 'Name' },
      h('span', { class: 'row-title' }, integration.name),
      integration.archivedAt ? [' ', badge('archived')] : null,
      h('div', { class: 'muted small mono clamp' }, integration.url),
    ),
    h('td', { 'data-label': 'Auth mode' }, MODE_LABELS[integration.authMode] ?? integration.authMode, integration.category === 'internal_mcp_credentials' ? h('div', { class: 'muted small' }, 'internal MCP') : null),
    h('td', { 'data-label': 'Validation' }, validation),
    h('td', { 'data-label': 'Actions', class: 'actions' }, validate, attach),
  );
}

function validationView(status, message, checkedAt) {
  return h('span', { class: 'validation-result' }, statusBadge(status), message ? h('span', { class: 'small' }, ` ${message}`) : null, checkedAt ? h('div', { class: 'muted small' }, 'checked ', time(checkedAt)) : null);
}

// ---- create -------------------------------------------------------------------------------------

async function createIntegration(ctx, reload) {
  const created = await openDialog(
    'New integration',
    (close) => {
      let mode = 'none';
      const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
      const url = h('input', { type: 'url', name: 'url', required: true, placeholder: 'https://mcp.example.com/mcp', spellcheck: 'false' });
      const category = h(
        'select',
        { name: 'category' },
        h('option', { value: 'gateway_remote_mcp' }, 'Remote MCP, through the gateway'),
        h('option', { value: 'internal_mcp_credentials' }, 'Internal MCP, credentials only'),
      );
      const provider = h('input', { type: 'text', name: 'provider', placeholder: 'github', spellcheck: 'false' });
      const issuer = h('input', { type: 'url', name: 'issuer', placeholder: 'https://github.com', spellcheck: 'false' });
      const oauthScopes = h('input', { type: 'text', name: 'oauthScopes', placeholder: 'repo read:user', spellcheck: 'false' });
      const serverToken = h('input', { type: 'password', name: 'serverToken', autocomplete: 'off', spellcheck: 'false' });
      const modeFields = h('div', { class: 'mode-fields', 'aria-live': 'polite' });
      const showModeFields = () => {
        serverToken.required = mode === 'server_token';
        if (mode === 'oauth') {
          mount(modeFields, h('fieldset', {}, h('legend', {}, 'OAuth provider'), field('Provider', provider, 'The identity provider, e.g. github, google, atlassian.'), field('Issuer (optional)', issuer), field('Scopes (optional)', oauthScopes, 'Space separated scopes to request from the provider.')));
        } else if (mode === 'server_token') {
          mount(modeFields, h('fieldset', {}, h('legend', {}, 'Server token'), field('Token', serverToken, 'Stored encrypted; never shown again. Every user of attached applications uses it.')));
        } else if (mode === 'user_token') {
          mount(modeFields, h('p', { class: 'notice notice-info' }, 'Each user adds their own token when they first use the integration. Nothing else is needed now.'));
        } else {
          mount(modeFields, h('p', { class: 'muted small' }, 'The MCP server is called without user credentials.'));
        }
      };
      showModeFields();
      const status = h('div', {});
      const form = h(
        'form',
        {
          class: 'form',
          id: 'create-integration-form',
          onsubmit: async (event) => {
            event.preventDefault();
            const body = { name: name.value.trim(), url: url.value.trim(), category: category.value, authMode: mode };
            if (mode === 'oauth') {
              const oauth = {};
              if (provider.value.trim()) oauth.provider = provider.value.trim();
              if (issuer.value.trim()) oauth.issuer = issuer.value.trim();
              if (words(oauthScopes.value).length) oauth.scopes = words(oauthScopes.value);
              body.oauth = oauth;
            }
            if (mode === 'server_token') body.serverToken = serverToken.value;
            mount(status);
            try {
              const result = await busy(form, () => ctx.call((c) => c.integrations.create(body)));
              close(result);
            } catch (error) {
              if (error instanceof SessionEnded) return close();
              mount(status, errorBox(error, { context: 'Could not create the integration' }));
            }
          },
        },
        field('Name', name),
        field('MCP server URL', url),
        field('Category', category, 'Remote servers are called through the Kontext gateway; internal ones only fetch credentials from Kontext.'),
        radioGroup('Authentication', 'authMode', AUTH_MODES, mode, (e) => {
          mode = e.target.value;
          showModeFields();
        }),
        modeFields,
        status,
        h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, 'Cancel'), h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create integration')),
      );
      return form;
    },
    { wide: true },
  );
  if (!created) return;
  toast(`Integration “${created.integration.name}” created`);
  list.pager.reset();
  reload();
}

// ---- attach / detach --------------------------------------------------------------------------

async function attachDialog(ctx, integration) {
  await openDialog(`Attach ${integration.name}`, (close) => {
    const body = h('div', { 'aria-live': 'polite' }, loading('Loading applications…'));
    const wrapper = h(
      'div',
      { id: 'attach-dialog' },
      h('p', { class: 'muted' }, 'Agents of the chosen application can use this integration\'s tools once it is attached.'),
      body,
      h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'btn', onclick: () => close() }, 'Close')),
    );
    (async () => {
      try {
        const apps = await ctx.call(async (c) => {
          const out = [];
          for await (const app of c.applications.listAll({ limit: 200 })) {
            out.push(app);
            if (out.length >= 2000) break;
          }
          return out;
        });
        apps.sort((a, b) => a.name.localeCompare(b.name));
        const select = h('select', { id: nextId('app'), name: 'applicationId' }, h('option', { value: '' }, 'Choose an application…'), apps.map((a) => h('option', { value: a.id }, a.name)));
        const state = h('div', { class: 'attach-state' });
        const refresh = async () => {
          mount(state);
          const appId = select.value;
          if (!appId) return;
          mount(state, loading('Checking…'));
          try {
            const { integrationIds } = await ctx.call((c) => c.applications.listIntegrations(appId));
            const attached = (integrationIds ?? []).includes(integration.id);
            const appName = select.selectedOptions[0]?.textContent;
            const button = h(
              'button',
              {
                type: 'button',
                class: attached ? 'btn' : 'btn btn-primary',
                id: attached ? 'detach-integration' : 'attach-integration',
                onclick: async () => {
                  button.disabled = true;
                  try {
                    await ctx.call((c) => (attached ? c.applications.detachIntegration(appId, integration.id) : c.applications.attachIntegration(appId, integration.id)));
                    toast(attached ? `Detached ${integration.name} from ${appName}` : `Attached ${integration.name} to ${appName}`);
                    await refresh();
                  } catch (error) {
                    button.disabled = false;
                    if (error instanceof SessionEnded) return close();
                    state.append(errorBox(error, { context: attached ? 'Could not detach' : 'Could not attach' }));
                  }
                },
              },
              attached ? `Detach from ${appName}` : `Attach to ${appName}`,
            );
            mount(state, h('p', { role: 'status' }, attached ? badge('attached', 'ok') : badge('not attached'), ' ', `${integration.name} is ${attached ? '' : 'not '}attached to ${appName}.`), button);
          } catch (error) {
            if (error instanceof SessionEnded) return close();
            mount(state, errorBox(error, { context: 'Could not read the application\'s integrations' }));
          }
        };
        select.addEventListener('change', refresh);
        mount(body, field('Application', select), state);
        select.focus();
      } catch (error) {
        if (error instanceof SessionEnded) return close();
        mount(body, errorBox(error, { context: 'Could not load the applications' }));
      }
    })();
    return wrapper;
  });
}
