import type { MemberIncidentState, Session, SiteStatus } from '@lifeboat/protocol';
import type {
  ConnectionState,
  LifeboatClient,
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
import type { LifeboatNavigateEvent } from '../events/navigate.js';
import { LifeboatPostEvent } from '../events/post.js';
import { messages } from '../localize.js';
import {
  AnswerChangeEvent,
  AnswerReactEvent,
  AnswerReplyEvent,
  AnswerRetryEvent,
} from './answer.js';
import type { ComposerDraft } from './composer.js';
import './composer.js';
import { arrangeThread, type ThreadItem, type ThreadSort } from './sort.js';
import { threadStyles } from './thread.styles.js';

/**
 * The community thread of an incident: answers, workarounds and replies with "worked for me" /
 * "didn't work" confirmations, sorted by helpfulness or newest, and a composer. Answers from
 * others that arrive live wait behind an "N new answers" button instead of moving the list; the
 * member's own posts appear at once. The sort choice is kept in `localStorage`.
 *
 * @summary Peer answers for the current incident.
 *
 * @event lifeboat-post - Before an answer is posted; detail `{ incidentId, body, kind, parentId }`. Cancelable.
 * @event lifeboat-confirm - Before a confirmation is set or cleared; detail `{ incidentId, postId, kind }`. Cancelable.
 *
 * @csspart header - Heading, community note and sort control.
 * @csspart heading - "Community answers".
 * @csspart note - The "community, not official support" note.
 * @csspart sort - The sort buttons.
 * @csspart list - The list of posts.
 * @csspart answer - One post (`<article>`).
 * @csspart staff-badge - The staff badge on a post.
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

  @state() private announcement = '';
  /** The post whose reply form is open. */
  @state() private replyTo: string | null = null;
  /** Posts from others that arrived live and wait behind the "N new answers" button. */
  @state() private held: ReadonlySet<string> = new Set();
  /** Top-level items rendered so far: a long thread renders in slices, one per frame. */
  @state() private rendered = RENDER_SLICE;

  readonly #status = new StoreController<Loadable<SiteStatus>>(this);
  readonly #thread = new StoreController<ThreadSnapshot>(this);
  readonly #me = new StoreController<MemberIncidentState>(this);
  readonly #session = new StoreController<Session | null>(this);
  readonly #connection = new StoreController<ConnectionState>(this);
  readonly #clock = new ClockController(this);
  /** Posts rendered (or deliberately shown); undefined until the first snapshot. */
  #seen: Set<string> | undefined;
  #boundIncident: string | undefined;
  #loadingMore = false;
  #slicing = false;
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
      this.#thread.store =
        incidentId && this.activeClient ? this.activeClient.thread(incidentId) : undefined;
      this.#me.store =
        incidentId && this.activeClient ? this.activeClient.me(incidentId) : undefined;
      this.#seen = undefined;
    }
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
    if (this.rendered !== Infinity) {
      // A post further down a long thread may not be rendered yet: render it now.
      this.rendered = Infinity;
      this.performUpdate();
      const answer = [...this.renderRoot.querySelectorAll('lifeboat-answer')].find(
        (a) => a.post?.id === postId,
      );
      if (answer?.isUpdatePending) (answer as unknown as { performUpdate(): void }).performUpdate();
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

  #visiblePosts(): LocalPost[] {
    return this.#thread.value?.posts.filter((p) => p.local || p.state === 'published') ?? [];
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
      if (this.held.size) this.held = new Set();
      return;
    }
    let held: Set<string> | undefined;
    for (const post of snapshot.posts) {
      if (this.#seen.has(post.id)) continue;
      this.#seen.add(post.id);
      const own = post.local !== undefined || (ownId !== undefined && post.author.id === ownId);
      if (own || this.#loadingMore || post.state !== 'published') continue;
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
    const first = [...this.renderRoot.querySelectorAll<HTMLElement>('article')].find((a) =>
      ids.has(a.id.replace(/^lifeboat-post-/, '')),
    );
    first?.focus();
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
    // Offline without a session: the post waits in the outbox and a guest session is made when
    // it is sent (starting one now would fail).
    if (!this.#session.value && navigator.onLine !== false)
      await client.startSession(draft.displayName);
    const post = await client.post(
      incidentId,
      parentId ? { kind, body: draft.body, parentId } : { kind, body: draft.body },
    );
    if ((post as LocalPost).local === 'pending') this.announcement = messages().postQueued;
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
    const all = this.#arrange(snapshot.posts, held, ownId);
    const items = all.length > this.rendered ? all.slice(0, this.rendered) : all;
    if (all.length > this.rendered) this.#renderNextSlice();
    if (!items.length) return html`<p class="empty" part="empty">${m.emptyThread}</p>`;
    const now = this.#clock.now;
    const answer = (post: LocalPost, top: boolean): TemplateResult =>
      html`<lifeboat-answer
        .post=${post}
        .reaction=${me?.reactions[post.id] ?? null}
        .components=${status?.components ?? []}
        .now=${now}
        .canReply=${top && !locked}
        .canChange=${!locked && this.#canChange(post, ownId, now)}
        ?readonly=${locked}
      ></lifeboat-answer>`;
    return html`<ol class="posts" part="list" aria-labelledby="heading">
      ${repeat(
        items,
        (item) => item.post.id,
        ({ post, replies }) =>
          html`<li class="item">
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

  /** Renders the next slice of a long thread after this frame, keeping the page responsive. */
  #renderNextSlice(): void {
    if (this.#slicing) return;
    this.#slicing = true;
    requestAnimationFrame(() => {
      this.#slicing = false;
      // Slices grow, so a 5,000-post thread fills in within a few frames.
      this.rendered += Math.max(RENDER_SLICE, Math.floor(this.rendered / 2));
    });
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
    return html`<lifeboat-composer
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
/** Top-level items per rendered slice of a long thread. */
const RENDER_SLICE = 100;

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
