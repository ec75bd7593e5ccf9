/**
 * The demo site (`demo`, "Acme Cloud"): components, one active incident with a realistic thread,
 * and two resolved incidents for the history. Idempotent: does nothing when the site exists.
 * Times are relative to the moment of seeding.
 *
 * Safe when several instances start together on one database: the seed (and the moderator made
 * for the printed staff token) runs in one write transaction that first takes an advisory lock,
 * so one instance seeds, the others wait and then find the site; and a crash halfway leaves no
 * half-seeded site behind for the next start to skip.
 */
import { ulid, type IncidentPhase } from '@lifeboat/protocol';
import { signToken, type SigningKey } from '../auth/tokens.js';
import { SqlStore } from '../store/sql-store.js';
import type { MemberRecord, Store } from '../store/store.js';

export const DEMO_SITE = 'demo';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

export interface SeedOptions {
  port?: number;
  extraOrigins?: string[];
  now?: number;
}

/**
 * Runs `fn` as one write transaction holding the lock `key` (PostgreSQL: a transaction-scoped
 * advisory lock; SQLite: its single writer). Every store call inside joins the transaction.
 */
function exclusively<T>(store: Store, key: string, fn: () => Promise<T>): Promise<T> {
  if (!(store instanceof SqlStore)) return fn();
  return store.driver.tx(async (tx) => {
    await tx.lock(key);
    return fn();
  });
}

/** Seeds the demo site unless it exists; true when this call seeded it. */
export function seedDemo(store: Store, options: SeedOptions = {}): Promise<boolean> {
  return exclusively(store, 'demo:seed', async () => {
    if (await store.getSiteBySlug(DEMO_SITE)) return false;
    await seed(store, options);
    return true;
  });
}

async function seed(store: Store, options: SeedOptions): Promise<void> {
  const now = options.now ?? Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * MIN).toISOString();
  const port = options.port || 8787;
  const site = await store.createSite({
    slug: DEMO_SITE,
    name: 'Acme Cloud',
    origins: [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      ...(options.extraOrigins ?? []),
    ],
  });

  await store.replaceComponents(site.id, [
    { id: 'api', name: 'REST API', status: 'operational', group: 'API' },
    { id: 'graphql', name: 'GraphQL API', status: 'operational', group: 'API' },
    { id: 'dashboard', name: 'Dashboard', status: 'operational', group: null },
    { id: 'webhooks', name: 'Webhooks', status: 'partial_outage', group: 'Integrations' },
    { id: 'git', name: 'Git Operations', status: 'operational', group: null },
    { id: 'actions', name: 'Actions runners', status: 'degraded_performance', group: 'CI/CD' },
    { id: 'packages', name: 'Packages', status: 'operational', group: 'CI/CD' },
    { id: 'pages', name: 'Pages', status: 'operational', group: null },
  ]);

  // History first, so the active incident's events come last.
  const update = (phase: IncidentPhase, minutesAgo: number, body: string) => ({
    id: ulid(now - minutesAgo * MIN),
    phase,
    body,
    createdAt: at(minutesAgo),
  });
  const pastA = (3 * DAY) / MIN;
  const pastAId = ulid(now - 3 * DAY);
  await store.createIncident(site.id, {
    id: pastAId,
    title: 'Delayed job starts on Actions runners',
    phase: 'resolved',
    impact: 'minor',
    components: ['actions'],
    startedAt: at(pastA),
    resolvedAt: at(pastA - 72),
    threadState: 'open', // locked below, after its thread
    updates: [
      update(
        'investigating',
        pastA,
        'We are investigating reports of queued jobs taking longer than usual to start.',
      ),
      update(
        'identified',
        pastA - 35,
        'A scheduler node in us-east was failing health checks; traffic has been moved off it.',
      ),
      update('resolved', pastA - 72, 'Queue times are back to normal. All delayed jobs have run.'),
    ],
  });
  const pastB = (12 * DAY) / MIN;
  const pastBId = ulid(now - 12 * DAY);
  await store.createIncident(site.id, {
    id: pastBId,
    title: 'Dashboard sign-in failures for SSO organizations',
    phase: 'resolved',
    impact: 'major',
    components: ['dashboard'],
    startedAt: at(pastB),
    resolvedAt: at(pastB - 48),
    threadState: 'open', // locked below, after its thread
    updates: [
      update(
        'investigating',
        pastB,
        'Some members of SSO-enabled organizations cannot sign in to the dashboard.',
      ),
      update(
        'monitoring',
        pastB - 30,
        'An expired identity-provider certificate was replaced. We are monitoring sign-ins.',
      ),
      update(
        'resolved',
        pastB - 48,
        'Sign-ins have succeeded normally for 15 minutes. This incident is resolved.',
      ),
    ],
  });

  // The past incidents' threads, so the insights page (/insights/) has a history to show: on the
  // runners incident a member's workaround was confirmed before staff spoke; on the sign-in one
  // staff answered first. Staff answers come from the demo moderator (`demoStaffToken`'s).
  const staff = await store.createMember({
    siteId: site.id,
    kind: 'staff',
    displayName: DEMO_MODERATOR,
    role: 'moderator',
    createdAt: at(pastB + 60),
  });
  const historyMember = (displayName: string, minutesAgo: number) =>
    store.createMember({
      siteId: site.id,
      kind: 'guest',
      displayName,
      role: 'member',
      createdAt: at(minutesAgo),
    });
  const history = async (
    incident: string,
    start: number,
    plan: {
      affected: number;
      posts: Array<{
        author: MemberRecord | string;
        minute: number;
        kind: 'answer' | 'workaround';
        body: string;
        workaround?: Parameters<Store['createPost']>[0]['workaround'];
        worked?: number[];
        didntWork?: number[];
      }>;
    },
  ) => {
    const guests: MemberRecord[] = [];
    const guest = async (i: number) =>
      (guests[i] ??= await historyMember(`Guest ${2000 + Math.round(start) + i * 13}`, start + 1));
    for (let i = 0; i < plan.affected; i++)
      await store.setAffected(
        site.id,
        incident,
        (await guest(i)).id,
        true,
        at(start - 1 - (i % 38)),
      );
    let next = plan.affected;
    for (const p of plan.posts) {
      const author =
        typeof p.author === 'string' ? await historyMember(p.author, start + 1) : p.author;
      const id = ulid(now - (start - p.minute) * MIN);
      const created = await store.createPost({
        siteId: site.id,
        incidentId: incident,
        memberId: author.id,
        id,
        kind: p.kind,
        body: p.body,
        parentId: null,
        workaround: p.workaround ?? null,
        state: 'published',
        idempotency: null,
        createdAt: at(start - p.minute),
      });
      if (created.kind !== 'created') throw new Error(`demo history: ${created.kind}`);
      for (const minute of p.worked ?? [])
        await store.setReaction(
          site.id,
          id,
          (await guest(next++)).id,
          'worked',
          at(start - minute),
        );
      for (const minute of p.didntWork ?? [])
        await store.setReaction(
          site.id,
          id,
          (await guest(next++)).id,
          'didnt_work',
          at(start - minute),
        );
    }
  };
  await history(pastAId, pastA, {
    affected: 23,
    posts: [
      {
        author: 'Rafael',
        minute: 6,
        kind: 'answer',
        body: 'Our jobs sit in "Queued" for 8–10 minutes in us-east; the same workflow on eu-west runners starts at once.',
        worked: [12, 15],
      },
      {
        author: 'ci-bot-wrangler',
        minute: 9,
        kind: 'workaround',
        body: 'Route jobs to the eu-west runner group until us-east recovers.',
        workaround: {
          title: 'Pin jobs to the eu-west runner group',
          steps: [
            'In the workflow file, set runs-on to the eu-west labels (e.g. [self-hosted, eu-west]).',
            'Push to a branch and check that the job starts within a minute.',
          ],
          component: 'actions',
          platform: 'Linux',
          risk: 'temporary',
          riskNote: 'Remember to revert the label once the incident is resolved.',
        },
        worked: [14, 17, 21, 26, 31, 38, 44],
        didntWork: [29],
      },
      {
        author: staff,
        minute: 22,
        kind: 'answer',
        body: 'Staff here: a scheduler node in us-east is failing health checks and we are moving traffic off it.',
      },
    ],
  });
  await history(pastBId, pastB, {
    affected: 58,
    posts: [
      {
        author: staff,
        minute: 3,
        kind: 'answer',
        body: 'We know about the SSO sign-in failures and are checking the identity-provider connection.',
      },
      {
        author: 'Noor',
        minute: 8,
        kind: 'answer',
        body: 'The CLI still works with a personal access token, so deploys are not blocked.',
        worked: [16],
      },
      {
        author: 'mk_ops',
        minute: 12,
        kind: 'workaround',
        body: 'Use the CLI with a token while the dashboard sign-in is down.',
        workaround: {
          title: 'Use the CLI with a personal access token',
          steps: [
            'Create a personal access token under Settings → Tokens (it does not need SSO).',
            'Run acme login --token and continue from the terminal.',
          ],
          component: 'dashboard',
          platform: 'macOS',
          risk: 'safe',
        },
        worked: [18, 22, 27, 30],
        didntWork: [25],
      },
    ],
  });
  // Both threads locked now, as the lock sweep would have done after the grace (it would lock
  // any other thread resolved before then just the same).
  await store.lockResolvedThreads(at(pastA - 72));

  const incidentId = ulid(now - 42 * MIN);
  await store.createIncident(site.id, {
    id: incidentId,
    title: 'Elevated error rates on webhook deliveries',
    phase: 'identified',
    impact: 'major',
    components: ['webhooks', 'actions'],
    startedAt: at(42),
    resolvedAt: null,
    threadState: 'open',
    updates: [
      update(
        'investigating',
        41,
        'We are investigating elevated error rates for webhook deliveries. Some workflows triggered by webhooks may start late.',
      ),
      update(
        'identified',
        24,
        'Deliveries with payloads larger than about 1 MB are failing at an overloaded egress proxy. Smaller deliveries are mostly succeeding.',
      ),
      update(
        'identified',
        6,
        'We are adding capacity to the egress proxy pool. Failed deliveries will need to be redelivered once this is fixed; we will share how.',
      ),
    ],
  });

  const member = (displayName: string, minutesAgo: number) =>
    store.createMember({
      siteId: site.id,
      kind: 'guest',
      displayName,
      role: 'member',
      createdAt: at(minutesAgo),
    });
  // One after another: the seed runs on one transaction's connection.
  const marco = await member('Marco R.', 35);
  const priya = await member('Priya (platform team)', 30);
  const jen = await member('devops_jen', 25);
  const tomas = await member('Tomás', 18);
  const aiko = await member('Aiko', 12);

  const post = async (
    author: MemberRecord,
    minutesAgo: number,
    fields: {
      kind: 'answer' | 'reply' | 'workaround';
      body: string;
      parentId?: string;
      workaround?: Parameters<Store['createPost']>[0]['workaround'];
    },
  ) => {
    const id = ulid(now - minutesAgo * MIN);
    await store.createPost({
      siteId: site.id,
      incidentId,
      memberId: author.id,
      id,
      kind: fields.kind,
      body: fields.body,
      parentId: fields.parentId ?? null,
      workaround: fields.workaround ?? null,
      state: 'published',
      idempotency: null,
      createdAt: at(minutesAgo),
    });
    return id;
  };

  await post(marco, 33, {
    kind: 'answer',
    body: 'Seeing 502s on webhook deliveries to our endpoint since about 40 minutes ago. Redeliver from the dashboard fails too. Anyone else on eu-west?',
  });
  await post(priya, 29, {
    kind: 'answer',
    body: 'Same here from us-east. It looks like only big payloads fail: our push events with long file lists bounce, small ping and issue events still arrive.',
  });
  const workaround = await post(jen, 22, {
    kind: 'workaround',
    body: 'Until it is fixed, keep a list of the failed deliveries and replay them afterwards, so nothing is lost.',
    workaround: {
      title: 'Record failed deliveries and replay them after recovery',
      steps: [
        'Open Settings → Webhooks → Recent deliveries and filter by status "failed".',
        'Export the list (or call GET /hooks/{id}/deliveries?status=failed) and save the delivery ids.',
        'When the incident is resolved, redeliver each saved id (POST /hooks/{id}/deliveries/{delivery}/attempts).',
        'Check that your handler is idempotent: a delivery may arrive twice.',
      ],
      component: 'webhooks',
      platform: null,
      risk: 'temporary',
      riskNote:
        'Redelivered events arrive out of order; handlers that assume ordering should check timestamps.',
    },
  });
  await post(tomas, 15, {
    kind: 'reply',
    parentId: workaround,
    body: 'Worked for us. We wrote a small script that saves the failed ids every five minutes, so the replay list is ready.',
  });
  await post(aiko, 9, {
    kind: 'answer',
    body: 'Confirming the 1 MB theory: after excluding the file list from our push payloads (Payload options → "Minimal"), CI triggers flow again.',
  });

  for (const m of [priya, tomas, aiko, marco])
    await store.setReaction(site.id, workaround, m.id, 'worked', at(8));
  const skeptic = await member('Lena K.', 7);
  await store.setReaction(site.id, workaround, skeptic.id, 'didnt_work', at(7));

  const reporters = [marco, priya, jen, tomas, aiko, skeptic];
  for (let i = reporters.length; i < 37; i++)
    reporters.push(await member(`Guest ${1000 + i * 37}`, 40 - i));
  for (const [i, m] of reporters.entries())
    await store.setAffected(site.id, incidentId, m.id, true, at(Math.max(1, 40 - i)));
}

/** The demo site's moderator, who signs in to the demo moderation page (/moderation/). */
export const DEMO_MODERATOR = 'Morgan (Acme support)';

/**
 * A session token for the demo site's moderator (made on first use), for `lifeboat start --demo`
 * to print next to the moderation page's address. Null when the demo site does not exist.
 */
export async function demoStaffToken(
  store: Store,
  keys: readonly SigningKey[],
  ttlSeconds = 7 * 24 * 3600,
): Promise<string | null> {
  const site = await store.getSiteBySlug(DEMO_SITE);
  if (!site) return null;
  // Instances starting together make one moderator, not one each.
  const moderator = await exclusively(store, 'demo:moderator', async () => {
    const staff = await store.listMembers(site.id, 'staff');
    return (
      staff.find((m) => m.displayName === DEMO_MODERATOR && m.role === 'moderator') ??
      (await store.createMember({
        siteId: site.id,
        kind: 'staff',
        displayName: DEMO_MODERATOR,
        role: 'moderator',
      }))
    );
  });
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  return signToken(keys, { sub: moderator.id, site: site.id, name: moderator.displayName, exp });
}
