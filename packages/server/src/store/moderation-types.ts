/** Storage types of moderation (issue 6, ADR 0010): policy, queue, actions, flags, bans, audit. */
import type {
  AuditEntry,
  AuditPage,
  FlagRequest,
  Incident,
  IncidentModerationAction,
  MemberModerationAction,
  ModerationActionName,
  ModerationQueue,
  Post,
  PostModerationAction,
  SitePolicy,
} from '@lifeboat/protocol';

export type AuditActor = AuditEntry['actor'];

/** What an action writes into the audit log (the id and time are the store's). */
export interface AuditInput {
  action: ModerationActionName;
  actor: AuditActor;
  target: AuditEntry['target'];
  reason: string | null;
  detail: Record<string, unknown> | null;
}

/** Who the author is on the site right now, for the posting rules. */
export interface AuthorStanding {
  /** Posts of the member published on the site (deleted ones included). */
  publishedPosts: number;
  /** Time of the member's latest post on the site (any state), for slow mode. */
  lastPostAt: string | null;
  /** The active ban of the member or of its guest fingerprint, if any. */
  ban: ActiveBan | null;
  /** The member's stored reputation (store/sql-reputation.ts; its trust level with the policy). */
  reputation: number;
}

export interface ActiveBan {
  id: string;
  reason: string | null;
  /** Null: until lifted. */
  expiresAt: string | null;
}

export type ModeratePostOutcome =
  | { kind: 'ok'; post: Post; entry: AuditEntry; seq: number }
  | { kind: 'post_not_found' }
  | { kind: 'conflict'; message: string };

export type ModerateIncidentOutcome =
  | { kind: 'ok'; incident: Incident; entry: AuditEntry; seq: number }
  | { kind: 'incident_not_found' }
  | { kind: 'conflict'; message: string };

export type ModerateMemberOutcome =
  | { kind: 'ok'; entry: AuditEntry; seq: number }
  | { kind: 'member_not_found' }
  | { kind: 'conflict'; message: string };

export type FlagOutcome =
  | { kind: 'ok'; postId: string; count: number; hidden: boolean; seq: number }
  | { kind: 'post_not_found' }
  | { kind: 'own_post' };

export interface PolicyWriteOutcome {
  policy: SitePolicy;
  entry: AuditEntry;
  seq: number;
}

export type { IncidentModerationAction, MemberModerationAction, PostModerationAction };
export type { AuditPage, FlagRequest, ModerationQueue };
