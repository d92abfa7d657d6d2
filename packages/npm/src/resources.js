// The resources of the official client, method by method: each one names its dispatch method
// (tests/scenarios/SCHEMA.md) and passes its arguments positionally. Validation, defaults and
// HTTP all happen in the Rust core.

/**
 * @param {(method: string, args: unknown[], options?: object) => Promise<unknown>} call
 * @param {(method: string, args: unknown[], options?: object) => AsyncIterable<unknown>} list
 */
export function createResources(call, list) {
  const applications = {
    list: (params, options) => call('applications.list', [params], options),
    listAll: (params, options) => list('applications.listAll', [params], options),
    get: (id, options) => call('applications.get', [id], options),
    create: (data, options) => call('applications.create', [data], options),
    update: (id, data, options) => call('applications.update', [id, data], options),
    archive: (id, options) => call('applications.archive', [id], options),
    rotateSecret: (id, options) => call('applications.rotateSecret', [id], options),
    getOAuth: (id, options) => call('applications.getOAuth', [id], options),
    getOAuthConfig: (id, options) => call('applications.getOAuth', [id], options),
    updateOAuth: (id, data, options) => call('applications.updateOAuth', [id, data], options),
    updateOAuthConfig: (id, data, options) => call('applications.updateOAuth', [id, data], options),
    listIntegrations: (id, options) => call('applications.listIntegrations', [id], options),
    // The Rust port takes the bare id list; accept both shapes.
    setIntegrations: (id, data, options) =>
      call('applications.setIntegrations', [id, Array.isArray(data) ? { integrationIds: data } : data], options),
    attachIntegration: (id, integrationId, options) =>
      call('applications.attachIntegration', [id, integrationId], options),
    detachIntegration: (id, integrationId, options) =>
      call('applications.detachIntegration', [id, integrationId], options),
    revokeAllAgentSessions: (id, options) => call('applications.revokeAllAgentSessions', [id], options),
    accessGraph: (params, options) => call('applications.accessGraph', [params], options),
  };

  const integrations = {
    list: (params, options) => call('integrations.list', [params], options),
    listAll: (params, options) => list('integrations.listAll', [params], options),
    get: (id, options) => call('integrations.get', [id], options),
    create: (data, options) => call('integrations.create', [data], options),
    update: (id, data, options) => call('integrations.update', [id, data], options),
    archive: (id, options) => call('integrations.archive', [id], options),
    validate: (id, options) => call('integrations.validate', [id], options),
    getOAuthConfig: (id, options) => call('integrations.getOAuthConfig', [id], options),
    setOAuthConfig: (id, data, options) => call('integrations.setOAuthConfig', [id, data], options),
    deleteOAuthConfig: (id, options) => call('integrations.deleteOAuthConfig', [id], options),
    addConnection: (id, data, options) => call('integrations.addConnection', [id, data], options),
    getConnectionStatus: (id, options) => call('integrations.getConnectionStatus', [id], options),
    revokeConnection: (id, options) => call('integrations.revokeConnection', [id], options),
  };

  const serviceAccounts = {
    list: (params, options) => call('serviceAccounts.list', [params], options),
    listAll: (params, options) => list('serviceAccounts.listAll', [params], options),
    get: (id, options) => call('serviceAccounts.get', [id], options),
    create: (data, options) => call('serviceAccounts.create', [data], options),
    rotateSecret: (id, options) => call('serviceAccounts.rotateSecret', [id], options),
    revoke: (id, options) => call('serviceAccounts.revoke', [id], options),
  };

  const agentSessions = {
    list: (applicationId, params, options) => call('agentSessions.list', [applicationId, params], options),
    get: (applicationId, sessionId, options) => call('agentSessions.get', [applicationId, sessionId], options),
    revokeAll: (applicationId, options) => call('agentSessions.revokeAll', [applicationId], options),
  };

  const traces = {
    list: (params, options) => call('traces.list', [params], options),
    listAll: (params, options) => list('traces.listAll', [params], options),
    get: (traceId, params, options) => call('traces.get', [traceId, params], options),
    stats: (params, options) => call('traces.stats', [params], options),
  };

  const events = {
    list: (params, options) => call('events.list', [params], options),
  };

  const policy = {
    get: (options) => call('policy.get', [], options),
    update: (data, options) => call('policy.update', [data], options),
    validate: (data, options) => call('policy.validate', [data], options),
    getDeployment: (options) => call('policy.getDeployment', [], options),
    updateDeployment: (data, options) => call('policy.updateDeployment', [data], options),
    getSettings: (options) => call('policy.getSettings', [], options),
    updateSettings: (data, options) => call('policy.updateSettings', [data], options),
  };

  const decisions = {
    list: (params, options) => call('decisions.list', [params], options),
    listAll: (params, options) => list('decisions.listAll', [params], options),
    get: (id, options) => call('decisions.get', [id], options),
  };

  return Object.freeze({
    applications: Object.freeze(applications),
    integrations: Object.freeze(integrations),
    serviceAccounts: Object.freeze(serviceAccounts),
    agentSessions: Object.freeze(agentSessions),
    traces: Object.freeze(traces),
    events: Object.freeze(events),
    policy: Object.freeze(policy),
    decisions: Object.freeze(decisions),
  });
}
