import type {
  EmailSubscriptionRequest,
  EmailSubscriptionResult,
  AffectedHistory,
  AffectedResult,
  CreatePostRequest,
  EditPostRequest,
  FlagReason,
  FlagResult,
  Incident,
  MemberExport,
  MemberIncidentState,
  Post,
  PostState,
  ReactionKind,
  ReactionResult,
  Session,
  SimilarWorkaround,
  SiteStatus,
  ThreadSort,
  ProblemReportResult,
  PublicSignal,
  SignalsResult,
} from '@lifeboat/protocol';
import type {
  ConnectionState,
  LifeboatClient,
  LifeboatError,
  Loadable,
  LocalPost,
  ThreadSnapshot,
} from '@lifeboat/sdk';
import { atom, type WritableAtom } from 'nanostores';

export interface FakeCall {
  method: string;
  args: unknown[];
}

let counter = 0;
const fakeId = (): string => `01HZFAKE${String(++counter).padStart(18, '0')}`;

/**
 * A LifeboatClient built from real nanostores atoms. Tests set store values directly and read
 * `calls` to see what the components asked for.
 */
export class FakeClient implements LifeboatClient {
  readonly server = 'https://lifeboat.test';
  readonly site = 'acme';
  readonly $status = atom<Loadable<SiteStatus>>({ state: 'loading' });
  readonly $connection = atom<ConnectionState>('open');
  readonly $session = atom<Session | null>(null);
  readonly calls: FakeCall[] = [];
  /** When set, the next post() rejects with it (then it is cleared). */
  postError: LifeboatError | undefined;
  /** The state of posts the fake server "accepts". */
  postState: PostState = 'published';
  /** When true, post() stays pending until `releasePost()`. */
  holdPosts = false;
  /** When set, post() answers with a local entry in this state (e.g. `pending`: queued offline). */
  postLocal: LocalPost['local'];
  /** When set, the next flag() rejects with it (then it is cleared). */
  flagError: LifeboatError | undefined;
  /** When true, flag() answers that the post crossed the threshold and is hidden. */
  flagHides = false;
  /** What similarWorkarounds() answers (for any text of 6+ characters). */
  similarResults: SimilarWorkaround[] = [];

  readonly #incidents = new Map<string, WritableAtom<Loadable<Incident>>>();
  readonly #threads = new Map<string, WritableAtom<ThreadSnapshot>>();
  readonly #me = new Map<string, WritableAtom<MemberIncidentState>>();
  readonly #histories = new Map<string, WritableAtom<Loadable<AffectedHistory>>>();
  #release: (() => void) | undefined;

  /** Sets the status and every incident store it names. */
  setStatus(status: SiteStatus): void {
    this.$status.set({ state: 'ready', value: status });
    for (const incident of status.incidents)
      this.#incidentAtom(incident.id).set({ state: 'ready', value: incident });
  }

  setThread(incidentId: string, snapshot: Partial<ThreadSnapshot>): void {
    const store = this.thread(incidentId) as WritableAtom<ThreadSnapshot>;
    store.set({ ...store.get(), ...snapshot });
  }

  setMe(incidentId: string, me: Partial<MemberIncidentState>): void {
    const store = this.#meAtom(incidentId);
    store.set({ ...store.get(), ...me });
  }

  setAffectedHistory(incidentId: string, history: AffectedHistory): void {
    this.affectedHistory(incidentId).set({ state: 'ready', value: history });
  }

  affectedHistory(incidentId: string): WritableAtom<Loadable<AffectedHistory>> {
    let store = this.#histories.get(incidentId);
    if (!store) {
      store = atom<Loadable<AffectedHistory>>({ state: 'loading' });
      this.#histories.set(incidentId, store);
    }
    return store;
  }

  releasePost(): void {
    this.#release?.();
  }

  incident(incidentId: string): WritableAtom<Loadable<Incident>> {
    this.calls.push({ method: 'incident', args: [incidentId] });
    return this.#incidentAtom(incidentId);
  }

  thread(incidentId: string): WritableAtom<ThreadSnapshot> {
    let store = this.#threads.get(incidentId);
    if (!store) {
      store = atom<ThreadSnapshot>({
        state: 'loading',
        incidentId,
        threadState: 'open',
        posts: [],
        nextCursor: null,
        loadingMore: false,
        error: null,
      });
      this.#threads.set(incidentId, store);
    }
    return store;
  }

  me(incidentId: string): WritableAtom<MemberIncidentState> {
    return this.#meAtom(incidentId);
  }

  async startSession(displayName: string): Promise<Session> {
    this.calls.push({ method: 'startSession', args: [displayName] });
    const session: Session = {
      token: 'token',
      member: { id: 'm-me', displayName, role: 'member', staff: false },
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    this.$session.set(session);
    return session;
  }

  async identify(token: string | null): Promise<Session | null> {
    this.calls.push({ method: 'identify', args: [token] });
    const session: Session | null = token
      ? {
          token: 'sso-token',
          member: { id: 'm-sso', displayName: 'Signed In', role: 'member', staff: false },
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        }
      : null;
    this.$session.set(session);
    return session;
  }

  async exportMyData(): Promise<MemberExport> {
    this.calls.push({ method: 'exportMyData', args: [] });
    const member = this.$session.get()?.member ?? {
      id: 'm-me',
      displayName: 'Guest',
      role: 'member' as const,
      staff: false,
    };
    return {
      exportedAt: new Date().toISOString(),
      member: { ...member, kind: 'guest', createdAt: new Date().toISOString(), externalId: null },
      posts: [],
      reactions: [],
      affected: [],
      flags: [],
      emailSubscriptions: [],
    };
  }

  async deleteMyData(): Promise<void> {
    this.calls.push({ method: 'deleteMyData', args: [] });
    this.$session.set(null);
  }

  async similarWorkarounds(incidentId: string, text: string): Promise<SimilarWorkaround[]> {
    this.calls.push({ method: 'similarWorkarounds', args: [incidentId, text] });
    return text.trim().length >= 6 ? this.similarResults : [];
  }

  async post(
    incidentId: string,
    request: CreatePostRequest,
    options?: { displayName?: string },
  ): Promise<Post> {
    this.calls.push({
      method: 'post',
      args: options === undefined ? [incidentId, request] : [incidentId, request, options],
    });
    if (this.holdPosts) await new Promise<void>((resolve) => (this.#release = resolve));
    const error = this.postError;
    if (error) {
      this.postError = undefined;
      throw error;
    }
    const member = this.$session.get()?.member ?? {
      id: 'm-me',
      displayName: 'Me',
      role: 'member',
      staff: false,
    };
    const post: LocalPost = {
      id: request.id ?? fakeId(),
      incidentId,
      parentId: request.parentId ?? null,
      kind: request.kind,
      body: request.body,
      workaround: request.workaround ?? null,
      author: member,
      state: this.postState,
      verified: false,
      pinned: false,
      counts: { worked: 0, didntWork: 0 },
      createdAt: new Date().toISOString(),
      editedAt: null,
      score: 0,
      ...(this.postLocal ? { local: this.postLocal } : {}),
    };
    const thread = this.thread(incidentId);
    thread.set({ ...thread.get(), posts: [...thread.get().posts, post] });
    return post;
  }

  async react(
    incidentId: string,
    postId: string,
    kind: ReactionKind | null,
  ): Promise<ReactionResult> {
    this.calls.push({ method: 'react', args: [incidentId, postId, kind] });
    const me = this.#meAtom(incidentId);
    const previous = me.get().reactions[postId] ?? null;
    const reactions = { ...me.get().reactions };
    if (kind) reactions[postId] = kind;
    else delete reactions[postId];
    me.set({ ...me.get(), reactions });
    const thread = this.thread(incidentId);
    let counts = { worked: 0, didntWork: 0 };
    const posts = thread.get().posts.map((p) => {
      if (p.id !== postId) return p;
      counts = { ...p.counts };
      if (previous === 'worked') counts.worked--;
      if (previous === 'didnt_work') counts.didntWork--;
      if (kind === 'worked') counts.worked++;
      if (kind === 'didnt_work') counts.didntWork++;
      return { ...p, counts };
    });
    thread.set({ ...thread.get(), posts });
    return { postId, reaction: kind, counts };
  }

  async setAffected(incidentId: string, affected: boolean): Promise<AffectedResult> {
    this.calls.push({ method: 'setAffected', args: [incidentId, affected] });
    const me = this.#meAtom(incidentId);
    const delta = me.get().affected === affected ? 0 : affected ? 1 : -1;
    me.set({ ...me.get(), affected });
    let count = 0;
    const status = this.$status.get();
    if (status.state === 'ready') {
      const incidents = status.value.incidents.map((i) => {
        if (i.id !== incidentId) return i;
        count = i.affectedCount + delta;
        return { ...i, affectedCount: count };
      });
      this.setStatus({ ...status.value, incidents });
    }
    return { incidentId, affected, count };
  }

  /** Early warning: what `signals()` answers (tests set it); reports are recorded in `calls`. */
  publicSignals: PublicSignal[] = [];

  async reportProblem(component?: string | null): Promise<ProblemReportResult> {
    this.calls.push({ method: 'reportProblem', args: [component ?? null] });
    return { counted: true, signals: this.publicSignals };
  }

  async signals(): Promise<SignalsResult> {
    this.calls.push({ method: 'signals', args: [] });
    return { signals: this.publicSignals };
  }

  /** Email updates: thrown by the next `subscribeByEmail()` when set (tests set it). */
  subscribeError: Error | null = null;

  async subscribeByEmail(
    incidentId: string,
    request: EmailSubscriptionRequest,
  ): Promise<EmailSubscriptionResult> {
    this.calls.push({ method: 'subscribeByEmail', args: [incidentId, request] });
    if (this.subscribeError) throw this.subscribeError;
    return { status: 'pending', confirmBy: new Date(Date.now() + 86_400_000).toISOString() };
  }

  async loadMore(incidentId: string): Promise<void> {
    this.calls.push({ method: 'loadMore', args: [incidentId] });
  }

  async sortThread(incidentId: string, sort: ThreadSort): Promise<void> {
    this.calls.push({ method: 'sortThread', args: [incidentId, sort] });
    const thread = this.thread(incidentId);
    if (thread.get().sort !== sort) thread.set({ ...thread.get(), sort });
  }

  async flag(postId: string, reason: FlagReason, note?: string | null): Promise<FlagResult> {
    this.calls.push({ method: 'flag', args: [postId, reason, note ?? null] });
    const error = this.flagError;
    if (error) {
      this.flagError = undefined;
      throw error;
    }
    return { postId, count: 1, hidden: this.flagHides };
  }

  retry(): void {
    this.calls.push({ method: 'retry', args: [] });
  }

  async retryPost(incidentId: string, postId: string): Promise<Post> {
    this.calls.push({ method: 'retryPost', args: [incidentId, postId] });
    const thread = this.thread(incidentId);
    const post = thread.get().posts.find((p) => p.id === postId);
    if (!post) throw new Error('not found');
    const { local: _local, localError: _error, ...sent } = post;
    thread.set({
      ...thread.get(),
      posts: thread.get().posts.map((p) => (p.id === postId ? sent : p)),
    });
    return sent;
  }

  discardPost(incidentId: string, postId: string): void {
    this.calls.push({ method: 'discardPost', args: [incidentId, postId] });
    const thread = this.thread(incidentId);
    thread.set({
      ...thread.get(),
      posts: thread.get().posts.filter((p) => p.id !== postId || !p.local),
    });
  }

  /** When set, the next editPost()/deletePost() rejects with it (then it is cleared). */
  editError: LifeboatError | undefined;

  async editPost(incidentId: string, postId: string, change: EditPostRequest): Promise<Post> {
    this.calls.push({ method: 'editPost', args: [incidentId, postId, change] });
    return this.#changePost(incidentId, postId, (p) => ({
      ...p,
      body: change.body,
      editedAt: new Date().toISOString(),
    }));
  }

  async deletePost(incidentId: string, postId: string): Promise<Post> {
    this.calls.push({ method: 'deletePost', args: [incidentId, postId] });
    return this.#changePost(incidentId, postId, (p) => ({
      ...p,
      body: '',
      workaround: null,
      deletedAt: new Date().toISOString(),
    }));
  }

  #changePost(incidentId: string, postId: string, change: (post: Post) => Post): Post {
    const error = this.editError;
    if (error) {
      this.editError = undefined;
      throw error;
    }
    const thread = this.thread(incidentId);
    const post = thread.get().posts.find((p) => p.id === postId);
    if (!post) throw new Error('not found');
    const changed = change(post);
    thread.set({
      ...thread.get(),
      posts: thread.get().posts.map((p) => (p.id === postId ? changed : p)),
    });
    return changed;
  }

  close(): void {
    this.calls.push({ method: 'close', args: [] });
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  #incidentAtom(incidentId: string): WritableAtom<Loadable<Incident>> {
    let store = this.#incidents.get(incidentId);
    if (!store) {
      store = atom<Loadable<Incident>>({ state: 'loading' });
      this.#incidents.set(incidentId, store);
    }
    return store;
  }

  #meAtom(incidentId: string): WritableAtom<MemberIncidentState> {
    let store = this.#me.get(incidentId);
    if (!store) {
      store = atom<MemberIncidentState>({ affected: false, reactions: {} });
      this.#me.set(incidentId, store);
    }
    return store;
  }
}
