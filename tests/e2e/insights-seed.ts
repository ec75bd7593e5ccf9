/**
 * A scripted incident on the demo site over the real HTTP API (for the insights e2e test and the
 * screenshots): staff open it, guests report "affected", answer, suggest a workaround, reply and
 * confirm (double taps and a "didn't work" included), staff verify the workaround and resolve.
 */
import type { IncidentReport, SiteInsights } from '@lifeboat/protocol';
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

export const SCRIPTED_TITLE = 'Checkout payments failing';

/** Runs the incident; returns its id. */
export async function scriptIncident(server: string): Promise<string> {
  const site = `${server}/v1/sites/demo`;
  const { id: incident } = await call<{ id: string }>(`${site}/incidents`, 'POST', ADMIN_KEY, {
    title: SCRIPTED_TITLE,
    impact: 'critical',
    components: ['api'],
    body: 'Card payments fail at checkout with a timeout. We are investigating.',
  });
  const path = `${site}/incidents/${encodeURIComponent(incident)}`;
  const guests: string[] = [];
  for (const name of ['Dana', 'Eli', 'Farah', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kim'])
    guests.push(
      (await call<{ token: string }>(`${site}/sessions`, 'POST', null, { displayName: name }))
        .token,
    );
  const [dana, eli, farah, gus, hana, ivo, jun, kim] = guests as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  for (const g of [dana, eli, farah, gus, hana, ivo, dana])
    await call(`${path}/affected`, 'PUT', g);
  const post = (token: string, body: Record<string, unknown>) =>
    call<{ id: string }>(`${path}/posts`, 'POST', token, body, {
      'idempotency-key': crypto.randomUUID(),
    });
  const answer = await post(eli, {
    kind: 'answer',
    body: 'Payments by bank transfer still go through; only cards time out.',
  });
  const workaround = await post(farah, {
    kind: 'workaround',
    body: 'Retry with the hosted payment page.',
    workaround: {
      title: 'Switch checkout to the hosted payment page',
      steps: [
        'In Settings → Payments, set the checkout mode to "Hosted page".',
        'Place a test order and check that it completes.',
      ],
      component: 'api',
      platform: 'Web',
      risk: 'temporary',
    },
  });
  await post(gus, { kind: 'reply', parentId: answer.id, body: 'Same here, transfers work.' });
  const react = (token: string, postId: string, kind: 'worked' | 'didnt_work') =>
    call(`${site}/posts/${postId}/reaction`, 'PUT', token, { kind });
  for (const g of [gus, hana, ivo, ivo]) await react(g, workaround.id, 'worked');
  await react(jun, workaround.id, 'didnt_work');
  await react(kim, answer.id, 'worked');
  await call(`${site}/moderation/posts/${workaround.id}`, 'POST', ADMIN_KEY, {
    action: 'verify',
    reason: 'Checked with the payments team',
  });
  await call(`${path}/resolve`, 'POST', ADMIN_KEY, { body: 'Card payments are back to normal.' });
  return incident;
}

/** The report and the site's insights as the API serves them (admin key). */
export async function apiNumbers(server: string, incident: string) {
  const site = `${server}/v1/sites/demo`;
  const report = await call<IncidentReport>(
    `${site}/incidents/${encodeURIComponent(incident)}/report`,
    'GET',
    ADMIN_KEY,
  );
  const insights = await call<SiteInsights>(`${site}/insights?days=30`, 'GET', ADMIN_KEY);
  return { report, insights };
}
