/**
 * The post-incident report and the site insights (issue 12, docs/insights.md), computed from the
 * stored rows: posts, confirmations, "affected" reports and the moderation audit log. Portable
 * SQL (plain SELECTs with joins, `?` placeholders) read once per incident; the arithmetic —
 * counts, first times, windows — is done here on those rows, so both engines give the same
 * numbers to the millisecond (times are ISO text on both).
 *
 * Definitions (the docs repeat them):
 * - a post counts when it is published and not deleted by its author;
 * - a post becomes public when it is created, or, when it waited for review, when staff approved it;
 * - staff are SSO or staff members with the staff or moderator role (what the staff badge shows);
 *   a peer is anyone else;
 * - a confirmation is a "worked for me" on a counted post (one per member and post).
 */
import type {
  IncidentReport,
  IncidentSummary,
  ReportBucket,
  ReportNamed,
  ReportWorkaround,
  SiteInsights,
  WorkaroundFields,
} from '@lifeboat/protocol';
import type { StoreDb } from './db.js';
import { incidentBase, type IncidentRow } from './sql-rows.js';
import { storedTrust } from './sql-reputation.js';

/** Window lengths the timeline picks from (minutes), shortest first. */
const BUCKET_CHOICES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
/** The timeline aims at no more than this many windows. */
const TARGET_BUCKETS = 48;
/** And never has more than this many, whatever window length is asked for. */
const MAX_BUCKETS = 2000;
const TOP_WORKAROUNDS = 10;

interface ReportPostRow {
  id: string;
  kind: string;
  state: string;
  member_id: string;
  workaround: string | null;
  verified: number;
  created_at: string;
  deleted_at: string | null;
  flag_count: number;
  member_kind: string;
  member_role: string;
}

interface ReactionRow {
  post_id: string;
  member_id: string;
  kind: string;
  created_at: string;
}

interface ActionRow {
  action: string;
  target_id: string;
  detail: string | null;
  created_at: string;
}

/** Everything one incident's numbers are computed from. */
interface IncidentRows {
  incident: IncidentRow;
  posts: ReportPostRow[];
  reactions: ReactionRow[];
  affected: Array<{ member_id: string; created_at: string }>;
  actions: ActionRow[];
}

export interface ReportOptions {
  /** The time of the report (ms since the epoch). */
  now: number;
  /** The timeline's window length; absent: chosen so the incident fits about 48 windows. */
  bucketMinutes?: number;
}

const isStaff = (kind: string, role: string) =>
  (kind === 'sso' || kind === 'staff') && (role === 'staff' || role === 'moderator');

const parseJson = <T>(text: string | null): T | null => {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
};

const earliest = (times: Iterable<string | null | undefined>): string | null => {
  let first: string | null = null;
  for (const t of times) if (t && (first === null || t < first)) first = t;
  return first;
};

const later = (a: string, b: string) => (a > b ? a : b);

const since = (from: string, to: string | null) =>
  to === null ? null : Math.max(0, Date.parse(to) - Date.parse(from));

async function loadRows(db: StoreDb, siteId: string, incident: IncidentRow): Promise<IncidentRows> {
  const [posts, reactions, affected, actions] = await Promise.all([
    db.all<ReportPostRow>(
      `SELECT p.id, p.kind, p.state, p.member_id, p.workaround, p.verified, p.created_at,
              p.deleted_at, p.flag_count, m.kind AS member_kind, m.role AS member_role
       FROM posts p JOIN members m ON m.id = p.member_id
       WHERE p.site_id = ? AND p.incident_id = ? ORDER BY p.id`,
      siteId,
      incident.id,
    ),
    db.all<ReactionRow>(
      `SELECT r.post_id, r.member_id, r.kind, r.created_at
       FROM reactions r JOIN posts p ON p.id = r.post_id
       WHERE p.site_id = ? AND p.incident_id = ?`,
      siteId,
      incident.id,
    ),
    db.all<{ member_id: string; created_at: string }>(
      'SELECT member_id, created_at FROM affected WHERE site_id = ? AND incident_id = ?',
      siteId,
      incident.id,
    ),
    db.all<ActionRow>(
      `SELECT a.action, a.target_id, a.detail, a.created_at
       FROM moderation_actions a JOIN posts p ON p.id = a.target_id
       WHERE a.site_id = ? AND a.target_kind = 'post' AND p.site_id = ? AND p.incident_id = ?
       ORDER BY a.created_at, a.id`,
      siteId,
      siteId,
      incident.id,
    ),
  ]);
  return { incident, posts, reactions, affected, actions };
}

/** The numbers of one incident that both the report and the insights use. */
function measure(rows: IncidentRows) {
  const { incident, posts, reactions, affected, actions } = rows;
  const counted = posts.filter((p) => p.state === 'published' && !p.deleted_at);
  const countedIds = new Set(counted.map((p) => p.id));
  const countedReactions = reactions.filter((r) => countedIds.has(r.post_id));
  const worked = countedReactions.filter((r) => r.kind === 'worked');

  // When each post became public: its approval when it waited for review, else its creation.
  const approvedAt = new Map<string, string>();
  const firstVerifiedAt = new Map<string, string>();
  for (const a of actions) {
    if (a.action === 'approve' && parseJson<{ from?: string }>(a.detail)?.from === 'pending')
      if (!approvedAt.has(a.target_id)) approvedAt.set(a.target_id, a.created_at);
    if (a.action === 'verify' && !firstVerifiedAt.has(a.target_id))
      firstVerifiedAt.set(a.target_id, a.created_at);
  }
  const publicAt = (p: ReportPostRow) => approvedAt.get(p.id) ?? p.created_at;

  const peer = (p: ReportPostRow) => !isStaff(p.member_kind, p.member_role);
  const firstAnswerAt = earliest(
    counted.filter((p) => p.kind !== 'reply' && peer(p)).map(publicAt),
  );
  const workarounds = counted.filter((p) => p.kind === 'workaround');
  const verified = workarounds.filter((p) => p.verified === 1);
  const verifiedFixAt = earliest(verified.map((p) => firstVerifiedAt.get(p.id)));

  const authorOf = new Map(counted.map((p) => [p.id, p.member_id]));
  const firstWorked = new Map<string, string>();
  for (const r of worked) {
    if (r.member_id === authorOf.get(r.post_id)) continue; // an author's own vote proves nothing
    const prior = firstWorked.get(r.post_id);
    if (!prior || r.created_at < prior) firstWorked.set(r.post_id, r.created_at);
  }
  // The community's first fix: a peer's workaround confirmed by someone else, or verified by staff.
  const communityFixAt = earliest(
    workarounds.filter(peer).map((p) => {
      const found = earliest([
        firstWorked.get(p.id),
        p.verified === 1 ? firstVerifiedAt.get(p.id) : null,
      ]);
      return found === null ? null : later(found, publicAt(p));
    }),
  );
  // Staff's first move: a published staff post, a verification, or the resolution.
  const staffFirstAt = earliest([
    ...counted.filter((p) => !peer(p)).map(publicAt),
    ...[...firstVerifiedAt.values()],
    incident.resolved_at,
  ]);

  const participants = new Set<string>([
    ...affected.map((a) => a.member_id),
    ...counted.map((p) => p.member_id),
    ...countedReactions.map((r) => r.member_id),
  ]);
  return {
    counted,
    countedReactions,
    publicAt,
    worked,
    workarounds,
    participants: participants.size,
    affected: affected.length,
    answers: counted.filter((p) => p.kind === 'answer').length,
    replies: counted.filter((p) => p.kind === 'reply').length,
    confirmations: worked.length,
    didntWork: countedReactions.length - worked.length,
    verifiedWorkarounds: verified.length,
    firstAnswerAt,
    verifiedFixAt,
    communityFixAt,
    staffFirstAt,
  };
}

/** Each counted post's reactions of each kind. */
function reactionCounts(reactions: ReactionRow[]) {
  const counts = new Map<string, { worked: number; didntWork: number }>();
  for (const r of reactions) {
    const c = counts.get(r.post_id) ?? { worked: 0, didntWork: 0 };
    if (r.kind === 'worked') c.worked++;
    else c.didntWork++;
    counts.set(r.post_id, c);
  }
  return counts;
}

function workaroundView(
  p: ReportPostRow,
  counts: Map<string, { worked: number; didntWork: number }>,
): ReportWorkaround {
  const fields = parseJson<WorkaroundFields>(p.workaround);
  return {
    id: p.id,
    title: fields?.title ?? '',
    confirmations: counts.get(p.id)?.worked ?? 0,
    didntWork: counts.get(p.id)?.didntWork ?? 0,
    verified: p.verified === 1,
    component: fields?.component ?? null,
    platform: fields?.platform?.trim() || null,
    createdAt: p.created_at,
  };
}

/** Most confirmed first, then fewest "didn't work", verified first, oldest first. */
const byConfirmations = (a: ReportWorkaround, b: ReportWorkaround) =>
  b.confirmations - a.confirmations ||
  a.didntWork - b.didntWork ||
  Number(b.verified) - Number(a.verified) ||
  (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1);

function named(values: Array<string | null>, names: Map<string, string>): ReportNamed[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([id, workarounds]) => ({ id, name: names.get(id) ?? id, workarounds }))
    .sort((a, b) => b.workarounds - a.workarounds || (a.id < b.id ? -1 : 1));
}

function bucketMinutesFor(spanMs: number, asked: number | undefined): number {
  const minutesFor = (limit: number) =>
    BUCKET_CHOICES.find((m) => Math.ceil(spanMs / (m * 60_000)) <= limit) ??
    Math.ceil(spanMs / 60_000 / limit);
  return asked ? Math.max(asked, minutesFor(MAX_BUCKETS)) : minutesFor(TARGET_BUCKETS);
}

function timeline(
  rows: IncidentRows,
  m: ReturnType<typeof measure>,
  now: number,
  asked: number | undefined,
): { bucketMinutes: number; buckets: ReportBucket[] } {
  const start = Date.parse(rows.incident.started_at);
  const activity = [
    ...rows.affected.map((a) => a.created_at),
    ...m.counted.map(m.publicAt),
    ...m.worked.map((r) => r.created_at),
  ];
  const lastActivity = activity.reduce((t, a) => Math.max(t, Date.parse(a)), start);
  const end = Math.max(
    rows.incident.resolved_at ? Date.parse(rows.incident.resolved_at) : now,
    lastActivity + 1,
  );
  const bucketMinutes = bucketMinutesFor(Math.max(1, end - start), asked);
  const size = bucketMinutes * 60_000;
  const count = Math.max(1, Math.ceil((end - start) / size));
  const buckets: ReportBucket[] = Array.from({ length: count }, (_, i) => ({
    start: new Date(start + i * size).toISOString(),
    affected: 0,
    posts: 0,
    confirmations: 0,
  }));
  const add = (at: string, key: 'affected' | 'posts' | 'confirmations') => {
    const i = Math.min(count - 1, Math.max(0, Math.floor((Date.parse(at) - start) / size)));
    buckets[i]![key]++;
  };
  for (const a of rows.affected) add(a.created_at, 'affected');
  for (const p of m.counted) add(m.publicAt(p), 'posts');
  for (const r of m.worked) add(r.created_at, 'confirmations');
  return { bucketMinutes, buckets };
}

function moderationCounts(rows: IncidentRows): IncidentReport['moderation'] {
  const held = new Set(rows.posts.filter((p) => p.state === 'pending').map((p) => p.id));
  const flagged = new Set(rows.posts.filter((p) => p.flag_count > 0).map((p) => p.id));
  let approved = 0;
  let rejected = 0;
  let hidden = 0;
  for (const a of rows.actions) {
    const detail = parseJson<{ from?: string; flags?: number }>(a.detail);
    if ((a.action === 'approve' || a.action === 'reject') && detail?.from === 'pending')
      held.add(a.target_id);
    if (typeof detail?.flags === 'number' && detail.flags > 0) flagged.add(a.target_id);
    if (a.action === 'approve') approved++;
    else if (a.action === 'reject') rejected++;
    else if (a.action === 'hide') hidden++;
  }
  return { held: held.size, approved, rejected, hidden, flagged: flagged.size };
}

/** One incident's report; null when the incident is not on the site. */
export async function incidentReport(
  db: StoreDb,
  siteId: string,
  incidentId: string,
  options: ReportOptions,
): Promise<IncidentReport | null> {
  const incident = await db.incidentRow(siteId, incidentId);
  if (!incident) return null;
  const site = (await db.one<{ slug: string }>('SELECT slug FROM sites WHERE id = ?', siteId))!;
  const components = await db.all<{ id: string; name: string }>(
    'SELECT id, name FROM components WHERE site_id = ?',
    siteId,
  );
  const names = new Map(components.map((c) => [c.id, c.name]));
  const rows = await loadRows(db, siteId, incident);
  const m = measure(rows);
  const base = incidentBase(incident);
  const { bucketMinutes, buckets } = timeline(rows, m, options.now, options.bucketMinutes);
  const counts = reactionCounts(m.countedReactions);
  const workarounds = m.workarounds.map((p) => workaroundView(p, counts));
  return {
    site: site.slug,
    incident: {
      id: base.id,
      title: base.title,
      impact: base.impact,
      phase: base.phase,
      threadState: base.threadState,
      components: base.components,
      startedAt: base.startedAt,
      resolvedAt: base.resolvedAt,
    },
    generatedAt: new Date(options.now).toISOString(),
    durationMs: since(base.startedAt, base.resolvedAt),
    participants: m.participants,
    affected: m.affected,
    answers: m.answers,
    workarounds: m.workarounds.length,
    replies: m.replies,
    confirmations: m.confirmations,
    didntWork: m.didntWork,
    verifiedWorkarounds: m.verifiedWorkarounds,
    firstAnswerAt: m.firstAnswerAt,
    timeToFirstAnswerMs: since(base.startedAt, m.firstAnswerAt),
    verifiedFixAt: m.verifiedFixAt,
    timeToVerifiedFixMs: since(base.startedAt, m.verifiedFixAt),
    bucketMinutes,
    timeline: buckets,
    topWorkarounds: [...workarounds].sort(byConfirmations).slice(0, TOP_WORKAROUNDS),
    components: named(
      workarounds.map((w) => w.component),
      names,
    ),
    platforms: named(
      workarounds.map((w) => w.platform),
      new Map(),
    ),
    moderation: moderationCounts(rows),
  };
}

const median = (values: number[]): number | null => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};

/** Per-incident summaries of the incidents started in the last `days` days, oldest first. */
export async function siteInsights(
  db: StoreDb,
  siteId: string,
  days: number,
  now: number,
): Promise<SiteInsights> {
  const site = (await db.one<{ slug: string }>('SELECT slug FROM sites WHERE id = ?', siteId))!;
  const from = new Date(now - days * 86_400_000).toISOString();
  const incidents = await db.all<IncidentRow>(
    'SELECT * FROM incidents WHERE site_id = ? AND started_at >= ? ORDER BY started_at, id',
    siteId,
    from,
  );
  const summaries: IncidentSummary[] = [];
  const top: Array<ReportWorkaround & { incidentId: string }> = [];
  for (const incident of incidents) {
    const rows = await loadRows(db, siteId, incident);
    const m = measure(rows);
    const base = incidentBase(incident);
    const counts = reactionCounts(m.countedReactions);
    for (const p of m.workarounds) top.push({ ...workaroundView(p, counts), incidentId: base.id });
    summaries.push({
      id: base.id,
      title: base.title,
      impact: base.impact,
      startedAt: base.startedAt,
      resolvedAt: base.resolvedAt,
      threadState: base.threadState,
      affected: m.affected,
      answers: m.answers,
      workarounds: m.workarounds.length,
      confirmations: m.confirmations,
      timeToFirstAnswerMs: since(base.startedAt, m.firstAnswerAt),
      communityFixAt: m.communityFixAt,
      staffFirstAt: m.staffFirstAt,
      communityFirst:
        m.communityFixAt !== null && (m.staffFirstAt === null || m.communityFixAt < m.staffFirstAt),
    });
  }
  const sum = (key: 'affected' | 'answers' | 'confirmations') =>
    summaries.reduce((n, s) => n + s[key], 0);
  return {
    site: site.slug,
    days,
    generatedAt: new Date(now).toISOString(),
    incidents: summaries,
    totals: {
      incidents: summaries.length,
      affected: sum('affected'),
      answers: sum('answers'),
      confirmations: sum('confirmations'),
      communityFirst: summaries.filter((s) => s.communityFirst).length,
      medianTimeToFirstAnswerMs: median(
        summaries.map((s) => s.timeToFirstAnswerMs).filter((t): t is number => t !== null),
      ),
    },
    topWorkarounds: top.sort(byConfirmations).slice(0, TOP_WORKAROUNDS),
    topHelpers: await topHelpers(db, siteId),
  };
}

/** Members who helped most (distinct others' "worked for me", all incidents); erased ones left out. */
async function topHelpers(db: StoreDb, siteId: string): Promise<SiteInsights['topHelpers']> {
  const rows = await db.all<{ id: string; display_name: string }>(
    `SELECT id, display_name FROM members
     WHERE site_id = ? AND deleted_at IS NULL AND helped > 0
     ORDER BY helped DESC, reputation DESC, id LIMIT ${TOP_WORKAROUNDS}`,
    siteId,
  );
  const trust = await storedTrust(
    db,
    siteId,
    rows.map((r) => r.id),
  );
  return rows.flatMap((r) => {
    const t = trust.get(r.id);
    return t
      ? [
          {
            memberId: r.id,
            displayName: r.display_name,
            helped: t.helped,
            reputation: t.reputation,
            trust: t.level,
          },
        ]
      : [];
  });
}
