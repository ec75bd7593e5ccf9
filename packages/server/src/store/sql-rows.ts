/** Row shapes of the SQLite engine and their mapping to protocol resources. */
import type {
  ComponentStatus,
  Impact,
  IncidentPhase,
  MemberKind,
  MemberRole,
  Post,
  PostKind,
  PostState,
  ThreadState,
  WorkaroundFields,
} from '@lifeboat/protocol';
import {
  memberSummary,
  type MemberRecord,
  type SiteRecord,
  type ComponentRecord,
} from './store.js';

export interface SiteRow {
  id: string;
  slug: string;
  name: string;
  origins: string;
  event_seq: number;
  created_at: string;
  /** Migration 2. */
  status_url?: string | null;
  poll_interval_ms?: number | null;
}

export interface ComponentRow {
  id: string;
  name: string;
  status: string;
  group_name: string | null;
  position: number;
}

export interface IncidentRow {
  id: string;
  site_id: string;
  title: string;
  phase: string;
  impact: string;
  components: string;
  started_at: string;
  resolved_at: string | null;
  updated_at: string;
  thread_state: string;
}

export interface MemberRow {
  id: string;
  site_id: string;
  kind: string;
  display_name: string;
  role: string;
  created_at: string;
  /** Migration 5. */
  external_id?: string | null;
  avatar_url?: string | null;
  badges?: string;
  fingerprint?: string | null;
  deleted_at?: string | null;
}

export interface PostRow {
  id: string;
  site_id: string;
  incident_id: string;
  parent_id: string | null;
  member_id: string;
  kind: string;
  body: string;
  workaround: string | null;
  state: string;
  verified: number;
  pinned: number;
  worked_count: number;
  didnt_work_count: number;
  created_at: string;
  edited_at: string | null;
  /** Migration 3. */
  score: number;
  deleted_at: string | null;
  /** Migration 4; absent on rows read before it ran. */
  merged_into?: string | null;
  author_name: string;
  author_role: string;
  author_kind: string;
  /** Migration 5. */
  author_avatar?: string | null;
  author_badges?: string;
  /** Migration 8: the author's `helped` (store/sql-reputation.ts). */
  author_helped?: number | null;
}

/** Selects a post row with its author's columns. */
export const POST_SELECT = `SELECT p.*, m.display_name AS author_name, m.role AS author_role, m.kind AS author_kind,
  m.avatar_url AS author_avatar, m.badges AS author_badges, m.helped AS author_helped
  FROM posts p JOIN members m ON m.id = p.member_id`;

/** A JSON list of strings from a column; anything else is an empty list. */
export function stringList(text: string | null | undefined): string[] {
  try {
    const value: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function toSite(row: SiteRow): SiteRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    origins: JSON.parse(row.origins) as string[],
    eventSeq: row.event_seq,
    createdAt: row.created_at,
    statusUrl: row.status_url ?? null,
    pollIntervalMs: row.poll_interval_ms ?? null,
  };
}

export function toComponent(row: ComponentRow): ComponentRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status as ComponentStatus,
    group: row.group_name,
    position: row.position,
  };
}

export function toMember(row: MemberRow): MemberRecord {
  return {
    id: row.id,
    siteId: row.site_id,
    kind: row.kind as MemberKind,
    displayName: row.display_name,
    role: row.role as MemberRole,
    createdAt: row.created_at,
    externalId: row.external_id ?? null,
    avatarUrl: row.avatar_url ?? null,
    badges: stringList(row.badges),
    fingerprint: row.fingerprint ?? null,
    deletedAt: row.deleted_at ?? null,
  };
}

export function toPost(row: PostRow): Post {
  return {
    id: row.id,
    incidentId: row.incident_id,
    parentId: row.parent_id,
    kind: row.kind as PostKind,
    body: row.body,
    workaround: row.workaround === null ? null : (JSON.parse(row.workaround) as WorkaroundFields),
    author: {
      ...memberSummary({
        id: row.member_id,
        displayName: row.author_name,
        role: row.author_role as MemberRole,
        kind: row.author_kind as MemberKind,
        avatarUrl: row.author_avatar ?? null,
        badges: stringList(row.author_badges),
      }),
      ...(Number(row.author_helped ?? 0) > 0 ? { helped: Number(row.author_helped) } : {}),
    },
    state: row.state as PostState,
    verified: row.verified === 1,
    pinned: row.pinned === 1,
    counts: { worked: row.worked_count, didntWork: row.didnt_work_count },
    createdAt: row.created_at,
    editedAt: row.edited_at,
    score: row.score,
    ...(row.deleted_at ? { deletedAt: row.deleted_at } : {}),
    ...(row.merged_into ? { mergedInto: row.merged_into } : {}),
  };
}

/**
 * A post as open pages may see it: a post out of public view (pending, hidden, removed) keeps
 * its place and state but not its text. Every public event carries this view (db.ts).
 */
export function publicView(post: Post): Post {
  if (post.state === 'published') return post;
  return { ...post, body: '', workaround: null };
}

export function incidentBase(row: IncidentRow) {
  return {
    id: row.id,
    title: row.title,
    phase: row.phase as IncidentPhase,
    impact: row.impact as Impact,
    components: JSON.parse(row.components) as string[],
    startedAt: row.started_at,
    resolvedAt: row.resolved_at,
    updatedAt: row.updated_at,
    threadState: row.thread_state as ThreadState,
  };
}
