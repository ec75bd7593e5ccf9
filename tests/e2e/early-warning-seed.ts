/**
 * Early warning on the demo site over the real HTTP API (the e2e test and the screenshots):
 * every open incident resolved (the banner is calm), then guests from browsers of their own say
 * "Something not working?" until the detector finds a spike (a new site has no history: the
 * floor of one reporter an hour, so six reporters make one).
 */
import { ADMIN_KEY } from './moderation-seed.js';

async function call<T>(
  url: string,
  method: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Resolves every open incident of the demo site: the banner shows its calm line. */
export async function calmDemo(server: string): Promise<void> {
  const site = `${server}/v1/sites/demo`;
  const { incidents } = await call<{ incidents: Array<{ id: string }> }>(
    `${site}/status`,
    'GET',
    null,
  );
  for (const incident of incidents)
    await call(`${site}/incidents/${encodeURIComponent(incident.id)}/resolve`, 'POST', ADMIN_KEY, {
      body: 'Resolved.',
    });
}

/** `reporters` guests (each its own browser) report a problem with `component`. */
export async function reportProblems(
  server: string,
  reporters: number,
  component: string | null,
): Promise<void> {
  const site = `${server}/v1/sites/demo`;
  for (let i = 0; i < reporters; i++) {
    const { token } = await call<{ token: string }>(
      `${site}/sessions`,
      'POST',
      null,
      { displayName: `Reporter ${i + 1}` },
      { 'user-agent': `LifeboatEarlyWarning/1.0 (reporter ${i + 1})` },
    );
    await call(`${site}/problem-reports`, 'POST', token, component ? { component } : {});
  }
}

/** The demo site's first component id. */
export async function firstComponent(server: string): Promise<{ id: string; name: string }> {
  const status = await call<{ components: Array<{ id: string; name: string }> }>(
    `${server}/v1/sites/demo/status`,
    'GET',
    null,
  );
  return status.components[0]!;
}
