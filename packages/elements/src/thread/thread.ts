import {
  ulid,
  type MemberIncidentState,
  type Post,
  type Session,
  type SiteStatus,
} from '@lifeboat/protocol';
import type {
  ConnectionState,
  LifeboatClient,
  LifeboatError,
  Loadable,
  LocalPost,
  ThreadSnapshot,
} from '@lifeboat/sdk';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { LifeboatElement } from '../base/lifeboat-element.js';
import { ClockController } from '../controllers/clock-controller.js';
import { StoreController } from '../controllers/store-controller.js';
import { LifeboatConfirmEvent } from '../events/confirm.js';
import { LifeboatFlagEvent } from '../events/flag.js';
import type { LifeboatNavigateEvent } from '../events/navigate.js';
import { LifeboatPostEvent } from '../events/post.js';
import { messages } from '../localize.js';
import {
  AnswerChangeEvent,
  AnswerFlagEvent,
  AnswerReactEvent,
  AnswerReplyEvent,
  AnswerRetryEvent,
  type LifeboatAnswer,
} from './answer.js';
import type { ComposerDraft } from './composer.js';
import './composer.js';
import { arrangeThread, type ThreadItem, type ThreadSort } from './sort.js';
import { threadStyles } from './thread.styles.js';
import '../subscribe/subscribe.js';
import { rowSpacing, ThreadWindowController } from './windowing.js';

/**
 * The community thread of an incident: answers, workarounds and replies with "worked for me" /
 * "didn't work" confirmations, sorted by helpfulness or newest, and a composer. Answers from
 * others that arrive live wait behind an "N new answers" button instead of moving the list; the
 * member's own posts appear at once. The sort choice is kept in `localStorage`, and pages load in
 * that order. A long thread renders only the posts near the viewport (docs/decisions/0012).
 * Each post by someone else has a "Report" form for the moderators; the member's own post that
 * waits for review says so; posts the moderators hide or remove become tombstones in place.
 *
 * @summary Peer answers for the current incident.
 *
 * @event lifeboat-post - Before an answer is posted; detail `{ incidentId, body, kind, parentId }`. Cancelable.
 * @event lifeboat-confirm - Before a confirmation is set or cleared; detail `{ incidentId, postId, kind }`. Cancelable.
 * @event lifeboat-flag - Before a post is reported to the moderators; detail `{ incidentId, postId, reason, note }`. Cancelable.
 *
 * @csspart header - Heading, community note and sort control.
 * @csspart heading - "Community answers".
 * @csspart note - The "community, not official support" note.
 * @csspart sort - The sort buttons.
 * @csspart list - The list of posts.
 * @csspart answer - One post (`<article>`).
 * @csspart staff-badge - The staff badge on a post.
 * @csspart helped - "helped N people" next to an author who helped others (docs/reputation.md).
 * @csspart verified-badge - "Verified by staff" on a post.
 * @csspart workaround - The workaround card inside a post.
 * @csspart risk-badge - The risk of a workaround.
 * @csspart body - The text of a post.
 * @csspart confirm - The confirmation buttons of a post.
 * @csspart confirm-button - "Worked for me" / "Didn't work".
 * @csspart composer - The answer form.
 * @csspart submit-button - "Post answer".
 * @csspart empty - The empty state.
 * @csspart new-answers - The "Show N new answers" button.
 * @csspart load-more - The "Load more answers" button.
 * @csspart reply-button - "Reply" on an answer.
 * @csspart edit-button - "Edit" on one's own post.
 * @csspart delete-button - "Delete" on one's own post.
 * @csspart report-button - "Report" on someone else's post.
 * @csspart report-form - The report form (reason and note) under a post.
 * @csspart pending-review - "Waiting for review — only you can see this" on one's own pending post.
 * @csspart member-badge - A badge from the host site's verified sign-in claims.
 * @csspart retry-after - The slow mode countdown in the composer.
 * @csspart notice - Locked, offline and error notices.
 *
 * @cssproperty --lifeboat-color-surface - Background.
 * @cssproperty --lifeboat-color-surface-raised - Cards and hover.
 * @cssproperty --lifeboat-color-text - Text.
 * @cssproperty --lifeboat-color-muted - Secondary text.
 * @cssproperty --lifeboat-color-border - Borders.
 * @cssproperty --lifeboat-color-accent - Primary button, pressed state, links.
 * @cssproperty --lifeboat-color-danger - Errors.
 * @cssproperty --lifeboat-space-1 - Spacing scale (1–6).
 * @cssproperty --lifeboat-radius-m - Corner radius.
 * @cssproperty --lifeboat-font-family - Font.
 *
 * @cssstate loading - The thread is loading.
 * @cssstate error - The thread could not be loaded.
 * @cssstate empty - No answers yet.
 * @cssstate locked - The thread is locked or archived.
 * @cssstate offline - The live connection is down.
 */
@customElement('lifeboat-thread')
export class LifeboatThread extends LifeboatElement {
  static override styles = threadStyles;
  static override shadowRootOptions: ShadowRootInit = {
    ...LifeboatElement.shadowRootOptions,
    delegatesFocus: true,
  };

  /** The incident whose thread to show; by default the first open incident. */
  @property({ reflect: true }) incident: string | null = null;

  /** Order of answers; the visitor's last choice is remembered (localStorage). */
  @property({ reflect: true }) sort: ThreadSort = 'helpful';

  /** How long after posting the author may edit or delete (ms); the server has the last word. */
  @property({ type: Number, attribute: 'edit-window' }) editWindow: number = 15 * 60_000;

  /** Offer "Email me when a fix is verified / resolved" (the server needs SMTP; docs/email.md). */
  @property({ type: Boolean, attribute: 'email-updates' }) emailUpdates = false;

  @state() private announcement = '';
  /** The post whose reply form is open. */
  @state() private replyTo: string | null = null;
  /** Posts from others that arrived live and wait behind the "N new answers" button. */
  @state() private held: ReadonlySet<string> = new Set();

  readonly #status = new StoreController<Loadable<SiteStatus>>(this);
  readonly #thread = new StoreController<ThreadSnapshot>(this);
  readonly #me = new StoreController<MemberIncidentState>(this);
  readonly #session = new StoreController<Session | null>(this);
  readonly #connection = new StoreController<ConnectionState>(this);
  readonly #clock = new ClockController(this);
  /** Renders only the top-level items near the viewport of a long thread. */
  readonly #window = new ThreadWindowController(this, {
    list: () => this.renderRoot.querySelector<HTMLElement>('ol.posts'),
    rowsRendered: () =>
      Promise.all(
        [...this.renderRoot.querySelectorAll<LifeboatAnswer>('ol.posts lifeboat-answer')].map(
          (answer) => answer.updateComplete,
        ),
      ),
  });
  /** Posts rendered (or deliberately shown); undefined until the first snapshot. */
  #seen: Set<string> | undefined;
  /** The posts `#trackNewPosts` last looked through. */
  #tracked: readonly LocalPost[] | undefined;
  #boundIncident: string | undefined;
  #loadingMore = false;
  /** A page load in a new order is in flight: its posts are not "new answers". */
  #reordering = false;
  /** The order last asked of the SDK for the bound incident. */
  #loadedSort: ThreadSort | undefined;
  /** The arranged items of the last render. */
  #items: ThreadItem[] = [];
  /** `#visiblePosts()` of the last snapshot. */
  #visible: { posts: readonly LocalPost[]; visible: LocalPost[] } | undefined;
  #arranged:
    | {
        posts: readonly LocalPost[];
        held: ReadonlySet<string>;
        sort: ThreadSort;
        ownId?: string;
        items: ThreadItem[];
      }
    | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('sort')) {
      const stored = readSort();
      if (stored) this.sort = stored;
    }
    window.addEventListener('lifeboat-navigate', this.#handleNavigate);
    window.addEventListener('hashchange', this.#handleHash);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('lifeboat-navigate', this.#handleNavigate);
    window.removeEventListener('hashchange', this.#handleHash);
  }

  protected override clientChanged(client: LifeboatClient | undefined): void {
    this.#status.store = client?.$status;
    this.#session.store = client?.$session;
    this.#connection.store = client?.$connection;
    this.#boundIncident = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const incidentId = this.incidentId;
    if (incidentId !== this.#boundIncident) {
      this.#boundIncident = incidentId;
      // Choose the page order before listening, so the first page already comes in it.
      this.#loadedSort = undefined;
      if (incidentId) void this.#applySort();
      this.#thread.store =
        incidentId && this.activeClient ? this.activeClient.thread(incidentId) : undefined;
      this.#me.store =
        incidentId && this.activeClient ? this.activeClient.me(incidentId) : undefined;
      this.#seen = undefined;
    }
    if (changed.has('sort') && incidentId && this.#loadedSort !== this.sort) void this.#applySort();
    this.#trackNewPosts();
    const snapshot = this.#thread.value;
    const connection = this.#connection.value;
    this.toggleState('loading', !snapshot || snapshot.state === 'loading');
    this.toggleState('error', snapshot?.state === 'error');
    this.toggleState('empty', snapshot?.state === 'ready' && this.#visiblePosts().length === 0);
    this.toggleState('locked', snapshot !== undefined && snapshot.threadState !== 'open');
    this.toggleState('offline', connection === 'offline' || connection === 'reconnecting');
  }

  /** The incident shown: the `incident` attribute, or the first open incident. */
  get incidentId(): string | undefined {
    return this.incident ?? this.#status.value?.value?.incidents[0]?.id;
  }

  /** Scrolls to a post and focuses it; returns false if the post is not in this thread. */
  revealPost(postId: string): boolean {
    const item = this.#items.find(
      (i) => i.post.id === postId || i.replies.some((r) => r.id === postId),
    );
    if (item && !this.renderRoot.querySelector(`#lifeboat-post-${CSS.escape(postId)}`)) {
      // Outside the rendered window of a long thread: render it now, in its place.
      this.#window.reveal(item.post.id);
      this.performUpdate();
      for (const answer of this.renderRoot.querySelectorAll('lifeboat-answer')) {
        if (answer.isUpdatePending)
          (answer as unknown as { performUpdate(): void }).performUpdate();
      }
    }
    const article = this.renderRoot.querySelector<HTMLElement>(
      `#lifeboat-post-${CSS.escape(postId)}`,
    );
    if (!article) return false;
    const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    article.scrollIntoView({ block: 'start', behavior: smooth ? 'smooth' : 'auto' });
    article.focus({ preventScroll: true });
    return true;
  }

  /** Published and local posts (memoised per snapshot: a scroll re-renders without a change). */
  #visiblePosts(): LocalPost[] {
    const posts = this.#thread.value?.posts;
    if (!posts) return [];
    if (this.#visible?.posts !== posts)
      this.#visible = { posts, visible: posts.filter((p) => p.local || p.state === 'published') };
    return this.#visible.visible;
  }

  /**
   * Sorts posts the thread has not seen yet: the member's own (and local ones) and pages loaded
   * on demand show at once; live posts from others wait in `held` and are announced politely.
   */
  #trackNewPosts(): void {
    const snapshot = this.#thread.value;
    if (!snapshot || snapshot.state !== 'ready') return;
    const ownId = this.#session.value?.member.id;
    if (!this.#seen) {
      this.#seen = new Set(snapshot.posts.map((p) => p.id));
      this.#tracked = snapshot.posts;
      if (this.held.size) this.held = new Set();
      return;
    }
    if (this.#tracked === snapshot.posts) return; // Nothing new since the last look.
    this.#tracked = snapshot.posts;
    let held: Set<string> | undefined;
    for (const post of snapshot.posts) {
      if (this.#seen.has(post.id)) continue;
      this.#seen.add(post.id);
      const own = post.local !== undefined || (ownId !== undefined && post.author.id === ownId);
      if (own || this.#loadingMore || this.#reordering || post.state !== 'published') continue;
      held ??= new Set(this.held);
      held.add(post.id);
    }
    if (held) {
      this.held = held;
      this.announcement = messages().newAnswers(held.size);
    }
  }

  /** Shows the held posts and moves focus to the first of them (in list order). */
  async #showHeld(): Promise<void> {
    const ids = this.held;
    this.held = new Set();
    this.announcement = '';
    await this.updateComplete;
    // The first of them in list order; in a windowed thread it may sort outside the rendered
    // rows, and is then rendered and scrolled to.
    const item = this.#items.find(
      (i) => ids.has(i.post.id) || i.replies.some((r) => ids.has(r.id)),
    );
    const id =
      item && (ids.has(item.post.id) ? item.post.id : item.replies.find((r) => ids.has(r.id))!.id);
    const article = id
      ? this.renderRoot.querySelector<HTMLElement>(`#lifeboat-post-${CSS.escape(id)}`)
      : null;
    if (article) article.focus();
    else if (id) this.revealPost(id);
  }

  /** Asks the SDK for pages in the visitor's order (the first page again if it changed). */
  async #applySort(): Promise<void> {
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (!client || !incidentId) return;
    const sort = this.sort;
    this.#loadedSort = sort;
    this.#reordering = true;
    try {
      await client.sortThread(incidentId, sort);
    } catch {
      // The snapshot carries the error; the thread offers a retry.
    } finally {
      this.#trackNewPosts();
      if (this.#loadedSort === sort) this.#reordering = false;
    }
  }

  async #loadMore(): Promise<void> {
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (!client || !incidentId) return;
    this.#loadingMore = true;
    try {
      await client.loadMore(incidentId);
    } catch {
      // The snapshot carries the error; the footer offers a retry.
    } finally {
      this.#trackNewPosts();
      this.#loadingMore = false;
    }
  }

  #handleNavigate = (event: LifeboatNavigateEvent): void => {
    if (!event.defaultPrevented) this.revealPost(event.detail.postId);
  };

  #handleHash = (): void => {
    const match = /^#lifeboat-post-(.+)$/.exec(location.hash);
    if (match) this.revealPost(decodeURIComponent(match[1]));
  };

  #handleReact = (event: Event): void => {
    if (!(event instanceof AnswerReactEvent)) return;
    const incidentId = this.incidentId;
    const client = this.activeClient;
    if (!incidentId || !client) return;
    const confirm = new LifeboatConfirmEvent({
      incidentId,
      postId: event.postId,
      kind: event.kind,
    });
    if (!this.dispatchEvent(confirm)) return;
    void client.react(incidentId, event.postId, event.kind).catch(() => {
      // The SDK reverts its optimistic counts.
    });
  };

  #handleRetry = (event: Event): void => {
    if (!(event instanceof AnswerRetryEvent)) return;
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (!client || !incidentId) return;
    if (event.discard) client.discardPost(incidentId, event.postId);
    else void client.retryPost(incidentId, event.postId).catch(() => undefined);
  };

  #handleFlag = (event: Event): void => {
    if (!(event instanceof AnswerFlagEvent)) return;
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (!client || !incidentId) return;
    const flag = new LifeboatFlagEvent({
      incidentId,
      postId: event.postId,
      reason: event.reason,
      note: event.note,
    });
    if (!this.dispatchEvent(flag)) return;
    event.done = client.flag(event.postId, event.reason, event.note);
  };

  #handleReply = (event: Event): void => {
    if (!(event instanceof AnswerReplyEvent)) return;
    this.replyTo = event.postId;
  };

  #handleChange = (event: Event): void => {
    if (!(event instanceof AnswerChangeEvent)) return;
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (!client || !incidentId) return;
    event.done =
      event.body === null
        ? client.deletePost(incidentId, event.postId)
        : client.editPost(incidentId, event.postId, { body: event.body });
  };

  #send = async (draft: ComposerDraft, parentId: string | null): Promise<boolean> => {
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (!client || !incidentId) return false;
    const kind = parentId ? 'reply' : 'answer';
    const event = new LifeboatPostEvent({ incidentId, body: draft.body, kind, parentId });
    if (!this.dispatchEvent(event)) return false;
    // Offline without a session: the post waits in the outbox with the name typed, and the
    // guest session is made with that name when it is sent (starting one now would fail).
    let displayName = this.#session.value ? undefined : draft.displayName;
    if (displayName !== undefined && navigator.onLine !== false) {
      await client.startSession(displayName);
      displayName = undefined;
    }
    const id = ulid();
    let post: Post;
    try {
      post = await client.post(
        incidentId,
        parentId ? { id, kind, body: draft.body, parentId } : { id, kind, body: draft.body },
        displayName !== undefined ? { displayName } : undefined,
      );
    } catch (error) {
      // Refused (banned words, slow mode, banned, invalid): the composer keeps the text and
      // says why, so the failed copy is not kept in the list too. Network failures stay there
      // with Retry (same Idempotency-Key).
      if ((error as LifeboatError | undefined)?.code !== 'network')
        client.discardPost(incidentId, id);
      throw error;
    }
    if ((post as LocalPost).local === 'pending') this.announcement = messages().postQueued;
    else if (post.state === 'pending') this.announcement = messages().postPendingReview;
    return true;
  };

  #submit = (draft: ComposerDraft): Promise<boolean> => this.#send(draft, null);

  #submitReply = async (draft: ComposerDraft): Promise<boolean> => {
    const sent = await this.#send(draft, this.replyTo);
    if (sent) this.replyTo = null;
    return sent;
  };

  #setSort(sort: ThreadSort): void {
    this.sort = sort;
    writeSort(sort);
  }

  /** Someone else's post, published, on the server: it can be reported. */
  #canFlag(post: LocalPost, ownId: string | undefined): boolean {
    return !post.local && post.state === 'published' && !post.deletedAt && post.author.id !== ownId;
  }

  #renderHeader(count: number): TemplateResult {
    const m = messages();
    return html`<header class="header" part="header">
      <div class="heading-row">
        <h2 class="heading" part="heading" id="heading">
          ${m.threadHeading}${count ? html` <span class="count muted">${m.answersCount(count)}</span>` : nothing}
        </h2>
        <div class="sort" part="sort" role="group" aria-label=${m.sortLabel}>
          ${(['helpful', 'newest'] as const).map(
            (sort) =>
              html`<button
                type="button"
                class="sort-button"
                aria-pressed=${this.sort === sort ? 'true' : 'false'}
                @click=${() => this.#setSort(sort)}
              >
                ${sort === 'helpful' ? m.sortHelpful : m.sortNewest}
              </button>`,
          )}
        </div>
      </div>
      <p class="note" part="note">${m.threadNote}</p>
    </header>`;
  }

  #renderList(snapshot: ThreadSnapshot): TemplateResult {
    const m = messages();
    const status = this.#status.value?.value;
    const me = this.#me.value;
    const ownId = this.#session.value?.member.id;
    const locked = snapshot.threadState !== 'open';
    const held = this.held;
    const items = this.#arrange(snapshot.posts, held, ownId);
    this.#items = items;
    if (!items.length) return html`<p class="empty" part="empty">${m.emptyThread}</p>`;
    const { rows, after, windowed } = this.#window.slice(items, (item) => item.post.id);
    const total = items.length;
    const now = this.#clock.now;
    const answer = (post: LocalPost, top: boolean): TemplateResult =>
      html`<lifeboat-answer
        .post=${post}
        .reaction=${me?.reactions[post.id] ?? null}
        .components=${status?.components ?? []}
        .now=${now}
        .canReply=${top && !locked}
        .canChange=${!locked && this.#canChange(post, ownId, now)}
        .canFlag=${this.#canFlag(post, ownId)}
        ?readonly=${locked}
      ></lifeboat-answer>`;
    // A windowed list: rows stand in for the unrendered ones with margins (never the list's own
    // padding, which would stop the browser's scroll anchoring), and say where they are.
    return html`<ol
      class="posts ${windowed ? 'windowed' : ''}"
      part="list"
      aria-labelledby="heading"
    >
      ${repeat(
        rows,
        (row) => row.item.post.id,
        ({ item: { post, replies }, index, gap }, i) =>
          html`<li
            class="item ${index === 0 ? 'first' : ''}"
            data-key=${post.id}
            aria-setsize=${windowed ? total : nothing}
            aria-posinset=${windowed ? index + 1 : nothing}
            ${rowSpacing(gap, i === rows.length - 1 ? after : 0)}
          >
            ${answer(post, true)}
            ${
              replies.length
                ? html`<ol class="replies" aria-label=${m.replies(replies.length)}>
                    ${repeat(
                      replies,
                      (reply) => reply.id,
                      (reply) => html`<li>${answer(reply, false)}</li>`,
                    )}
                  </ol>`
                : nothing
            }
            ${
              this.replyTo === post.id && !locked
                ? html`<lifeboat-composer
                    class="reply-composer"
                    kind="reply"
                    .replyTo=${post.author.displayName}
                    .session=${this.#session.value ?? null}
                    .submit=${this.#submitReply}
                    .cancel=${() => (this.replyTo = null)}
                  ></lifeboat-composer>`
                : nothing
            }
          </li>`,
      )}
    </ol>`;
  }

  /** `arrangeThread`, kept while the posts, sort and member are the same (slices, clock ticks). */
  #arrange(
    posts: readonly LocalPost[],
    held: ReadonlySet<string>,
    ownId: string | undefined,
  ): ThreadItem[] {
    const cache = this.#arranged;
    if (
      cache &&
      cache.posts === posts &&
      cache.held === held &&
      cache.sort === this.sort &&
      cache.ownId === ownId
    )
      return cache.items;
    const shown = held.size
      ? posts.filter((p) => !held.has(p.id) && !(p.parentId && held.has(p.parentId)))
      : posts;
    const items = arrangeThread(shown, this.sort, ownId);
    this.#arranged = { posts, held, sort: this.sort, ownId, items };
    return items;
  }

  /** The member's own post, not deleted, within the edit window. */
  #canChange(post: LocalPost, ownId: string | undefined, now: number): boolean {
    if (post.deletedAt || post.local === 'sending' || post.local === 'failed') return false;
    if (post.local === 'pending') return true;
    return (
      ownId !== undefined &&
      post.author.id === ownId &&
      now - Date.parse(post.createdAt) < this.editWindow
    );
  }

  #renderNewAnswers(): TemplateResult {
    const count = this.held.size;
    // Zero layout height: the button floats over the list, so nothing below it moves.
    return html`<div class="new-answers">
      ${
        count
          ? html`<button
              type="button"
              class="button primary new-answers-button"
              part="new-answers"
              @click=${() => void this.#showHeld()}
            >
              ${messages().showNewAnswers(count)}
            </button>`
          : nothing
      }
    </div>`;
  }

  #renderMore(snapshot: ThreadSnapshot): TemplateResult | typeof nothing {
    if (!snapshot.nextCursor) return nothing;
    const m = messages();
    return html`<div class="more">
      ${snapshot.error ? html`<p class="error" role="alert">${m.threadError}</p>` : nothing}
      <button
        type="button"
        class="button"
        part="load-more"
        aria-busy=${snapshot.loadingMore ? 'true' : 'false'}
        ?disabled=${snapshot.loadingMore}
        @click=${() => void this.#loadMore()}
      >
        ${snapshot.loadingMore ? m.loadingMore : m.loadMore}
      </button>
    </div>`;
  }

  #renderSkeleton(): TemplateResult {
    return html`<div class="skeleton-list" aria-busy="true">
      <span class="visually-hidden">${messages().loading}</span>
      ${[0, 1, 2].map(
        () =>
          html`<div class="skeleton-post">
            <div class="skeleton line short"></div>
            <div class="skeleton line"></div>
            <div class="skeleton line mid"></div>
          </div>`,
      )}
    </div>`;
  }

  #renderFooter(snapshot: ThreadSnapshot): TemplateResult | typeof nothing {
    const m = messages();
    if (snapshot.state !== 'ready') return nothing;
    if (snapshot.threadState !== 'open')
      return html`<p class="notice locked" part="notice">${m.threadLocked}</p>`;
    return html`${
        this.emailUpdates
          ? html`<lifeboat-email-updates
              .client=${this.activeClient}
              .incident=${snapshot.incidentId}
            ></lifeboat-email-updates>`
          : nothing
      }<lifeboat-composer
        .session=${this.#session.value ?? null}
        .submit=${this.#submit}
      ></lifeboat-composer>`;
  }

  protected override render(): TemplateResult {
    const m = messages();
    const snapshot = this.#thread.value;
    const connection = this.#connection.value;
    let body: TemplateResult | typeof nothing;
    if (!this.activeClient) body = html`<p class="notice" part="notice">${m.noClient}</p>`;
    else if (!this.incidentId && this.#status.value?.state === 'ready')
      body = html`<p class="empty" part="empty">${m.noIncident}</p>`;
    else if (!snapshot || snapshot.state === 'loading') body = this.#renderSkeleton();
    else if (snapshot.state === 'error')
      body = html`<div class="notice error-notice" part="notice" role="alert">
        <span>${m.threadError}</span>
        <button type="button" class="button" @click=${() => this.activeClient?.retry()}>
          ${m.retry}
        </button>
      </div>`;
    else
      body = html`${this.#renderNewAnswers()}${this.#renderList(snapshot)}${this.#renderMore(
        snapshot,
      )}${this.#renderFooter(snapshot)}`;
    return html`<section
      class="thread"
      aria-labelledby="heading"
      @answer-react=${this.#handleReact}
      @answer-retry=${this.#handleRetry}
      @answer-reply=${this.#handleReply}
      @answer-change=${this.#handleChange}
      @answer-flag=${this.#handleFlag}
    >
      ${this.#renderHeader(snapshot?.state === 'ready' ? this.#visiblePosts().length : 0)}
      ${
        connection === 'offline' || connection === 'reconnecting'
          ? html`<p class="notice offline" part="notice">
              ${connection === 'offline' ? m.offline : m.reconnecting}
            </p>`
          : nothing
      }
      ${body}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </section>`;
  }
}

const SORT_KEY = 'lifeboat:thread-sort';

function readSort(): ThreadSort | null {
  try {
    const value = localStorage.getItem(SORT_KEY);
    return value === 'helpful' || value === 'newest' ? value : null;
  } catch {
    return null; // Blocked storage.
  }
}

function writeSort(sort: ThreadSort): void {
  try {
    localStorage.setItem(SORT_KEY, sort);
  } catch {
    // Blocked or full storage: the choice lasts for this page.
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-thread': LifeboatThread;
  }
}
