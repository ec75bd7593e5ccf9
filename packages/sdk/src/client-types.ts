/**
 * The public shape of a Lifeboat client. `createLifeboat()` returns one; component tests build a
 * fake one from real nanostores atoms. Elements depend on this interface only.
 */
import type { ReadableAtom } from 'nanostores';
import type {
  AffectedHistory,
  AffectedResult,
  CreatePostRequest,
  EditPostRequest,
  EmailSubscriptionRequest,
  EmailSubscriptionResult,
  FlagReason,
  FlagResult,
  Incident,
  MemberExport,
  MemberIncidentState,
  Post,
  Problem,
  ProblemReportResult,
  ReactionKind,
  ReactionResult,
  Session,
  SimilarWorkaround,
  SignalsResult,
  SiteStatus,
  ThreadSort,
  ThreadState,
} from '@lifeboat/protocol';

/** A value that loads: components render a skeleton, the value, or an error with retry. */
export type Loadable<T> =
  | { state: 'loading'; value?: undefined; error?: undefined }
  | { state: 'ready'; value: T; error?: undefined }
  | { state: 'error'; value?: T; error: LifeboatError };

/** A post as the client holds it: a server post, or an optimistic one not yet acknowledged. */
export interface LocalPost extends Post {
  /**
   * `pending`: written offline, waits in the outbox (kept across reloads) until back online;
   * `sending`: optimistic, request in flight; `failed`: request failed, see `localError`.
   */
  local?: 'pending' | 'sending' | 'failed';
  localError?: LifeboatError;
}

export interface ThreadSnapshot {
  state: 'loading' | 'ready' | 'error';
  incidentId: string;
  threadState: ThreadState;
  /**
   * The pages loaded (oldest first, or in `sort` order) followed by live arrivals; components
   * sort for display themselves.
   */
  posts: LocalPost[];
  /** The order pages are loaded in (`sortThread`); absent: oldest first. */
  sort?: ThreadSort;
  nextCursor: string | null;
  loadingMore: boolean;
  error: LifeboatError | null;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline';

export interface LifeboatClient {
  readonly server: string;
  readonly site: string;

  /** Site status with open incidents; lazy: fetched and kept live while listened to. */
  readonly $status: ReadableAtom<Loadable<SiteStatus>>;
  /** The live stream's state (for an "offline" hint). */
  readonly $connection: ReadableAtom<ConnectionState>;
  /** The current member's session (guest or SSO), persisted per server and site. */
  readonly $session: ReadableAtom<Session | null>;

  /** One incident, live. Same store for the same id. */
  incident(incidentId: string): ReadableAtom<Loadable<Incident>>;
  /** An incident's thread, live (posts, counts, edits). Same store for the same id. */
  thread(incidentId: string): ReadableAtom<ThreadSnapshot>;
  /** What the current member did on an incident (affected, reactions). */
  me(incidentId: string): ReadableAtom<MemberIncidentState>;
  /** "Affected me too" reports per bucket over the last 6 hours; refreshed (debounced) as they change. */
  affectedHistory(incidentId: string): ReadableAtom<Loadable<AffectedHistory>>;

  /** Starts (or renames) the guest session. */
  startSession(displayName: string): Promise<Session>;
  /**
   * Signs in with a token minted by the host site (JWT; docs/identity.md), exchanged for a
   * session at once; `null` signs out back to the visitor's guest session (if one is stored).
   * Rejects with a LifeboatError when the server refuses the token (401 with the reason).
   */
  identify(token: string | null): Promise<Session | null>;
  /** Everything the server stores about the current member (their own data, as JSON). */
  exportMyData(): Promise<MemberExport>;
  /**
   * Erases the current member's data on the server (posts become tombstones, confirmations and
   * reports are removed) and forgets the session; a host sign-in is dropped too.
   */
  deleteMyData(): Promise<void>;
  /**
   * Posts to an incident's thread. Adds an optimistic entry at once, sends with the post id as
   * Idempotency-Key, reconciles by id. Rejects with a LifeboatError (field errors included).
   * Pass the `id` of an earlier, failed attempt to send it again under the same key (a form that
   * outlives a reload does); while that id is in flight, the same promise is returned.
   * `displayName`: the name the visitor typed, for a post written before any session exists
   * (offline): the guest session is made with it when the post is sent.
   */
  post(
    incidentId: string,
    request: CreatePostRequest,
    options?: { displayName?: string },
  ): Promise<Post>;
  /**
   * Sends a failed post again with the same id, so the same Idempotency-Key: the server never
   * makes a second post. Rejects like `post()`.
   */
  retryPost(incidentId: string, postId: string): Promise<Post>;
  /** Drops a post that is still local (failed or sending) from the thread; no-op otherwise. */
  discardPost(incidentId: string, postId: string): void;
  /**
   * Edits the member's own post (within the server's edit window). Optimistic: the thread shows
   * the new text at once and rolls back when the server refuses (403 after the window).
   */
  editPost(incidentId: string, postId: string, change: EditPostRequest): Promise<Post>;
  /** Deletes the member's own post (within the window), leaving a tombstone. Optimistic, with rollback. */
  deletePost(incidentId: string, postId: string): Promise<Post>;
  /** Sets or clears ("null") the member's confirmation on a post. One per member per post. */
  react(incidentId: string, postId: string, kind: ReactionKind | null): Promise<ReactionResult>;
  /**
   * Reports a post to the moderators (one flag per member per post; flagging again updates it).
   * Starts a guest session when there is none. Enough flags hide the post pending review.
   */
  flag(postId: string, reason: FlagReason, note?: string | null): Promise<FlagResult>;
  /** Says "affected me too" (or takes it back). One per member per incident. */
  setAffected(incidentId: string, affected: boolean): Promise<AffectedResult>;
  /**
   * Early warning (docs/early-warning.md): "Something not working?", optionally naming a
   * component. One per member per 15 minutes (a repeat may add the component). Starts a guest
   * session when there is none. Answers what the public banner shows now.
   */
  reportProblem?(component?: string | null): Promise<ProblemReportResult>;
  /** The corroborated early-warning signals the public banner shows. */
  signals?(): Promise<SignalsResult>;
  /**
   * Published workarounds of an incident that look like `text` (title and steps typed so far),
   * best first; `[]` for text too short to compare. See `createSimilarSearch` for a debounced store.
   */
  similarWorkarounds(incidentId: string, text: string): Promise<SimilarWorkaround[]>;
  /**
   * Email updates (docs/email.md): asks the server to email the visitor when staff verify a fix
   * and/or the incident is resolved; a confirmation link is mailed first (double opt-in). Starts
   * a guest session when there is none. Rejects with field errors (`email`, `onVerified`).
   */
  subscribeByEmail?(
    incidentId: string,
    request: EmailSubscriptionRequest,
  ): Promise<EmailSubscriptionResult>;
  /** Loads the next page of a thread. */
  loadMore(incidentId: string): Promise<void>;
  /**
   * Loads a thread's pages in this order (helpful: verified, pinned, staff, then score; newest),
   * so "load more" continues in the order the reader sees. Call it before listening to choose
   * the first page's order; later, it reloads the first page in the new order.
   */
  sortThread(incidentId: string, sort: ThreadSort): Promise<void>;
  /** Refetches whatever failed (status, incidents, threads). */
  retry(): void;
  /** Closes the stream and forgets everything. */
  close(): void;
}

/** An API failure: a problem+json from the server, or a network failure (`code: 'network'`). */
export class LifeboatError extends Error {
  readonly status: number;
  readonly code: Problem['code'] | 'network';
  readonly errors: ReadonlyArray<{ field: string; message: string }>;
  readonly retryAfter: number | undefined;

  constructor(problem: Pick<Problem, 'title' | 'status' | 'code'> & Partial<Problem>);
  constructor(problem: { title: string; status: number; code: 'network'; detail?: string });
  constructor(problem: {
    title: string;
    status: number;
    code: Problem['code'] | 'network';
    detail?: string;
    errors?: Array<{ field: string; message: string }>;
    retryAfter?: number;
  }) {
    super(problem.detail ?? problem.title);
    this.name = 'LifeboatError';
    this.status = problem.status;
    this.code = problem.code;
    this.errors = problem.errors ?? [];
    this.retryAfter = problem.retryAfter;
  }

  /** The message for one field, if the server named it. */
  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}
