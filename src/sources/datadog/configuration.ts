import { client } from '@datadog/datadog-api-client';

export interface DatadogConnection {
  readonly site: string;
  /** A base URL that replaces https://api.<site> (a proxy, or a test server); null for none. */
  readonly url: string | null;
  readonly apiKey: string;
  readonly appKey: string;
}

/**
 * The client configuration for one request: the site through the client's `site` server
 * variable (or a `baseServer` override), the keys, and the fetch that carries the request.
 *
 * @example datadogConfiguration({ site: 'datadoghq.eu', url: null, apiKey, appKey }, fetch)
 *   .getServer('v1.MetricsApi.queryMetrics').getUrl(); // 'https://api.datadoghq.eu'
 */
export function datadogConfiguration(connection: DatadogConnection, fetchImpl: (url: string, init: RequestInit) => Promise<Response>): client.Configuration {
  const configuration = client.createConfiguration({
    authMethods: { apiKeyAuth: connection.apiKey, appKeyAuth: connection.appKey },
    fetch: fetchImpl,
    ...(connection.url ? { baseServer: new client.BaseServerConfiguration(connection.url, {}) } : {}),
  });
  configuration.setServerVariables({ site: connection.site });
  return configuration;
}
