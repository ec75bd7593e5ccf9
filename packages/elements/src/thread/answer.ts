import type {
  FlagReason,
  FlagResult,
  MemberSummary,
  ReactionKind,
  StatusComponent,
} from '@lifeboat/protocol';
import type { LocalPost } from '@lifeboat/sdk';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { absoluteTime, messages, relativeTime } from '../localize.js';
import { renderSafeInline, renderSafeText } from '../text/safe-text.js';
import type { ComposerDraft } from './composer.js';
import './composer.js';

/** Internal: asks the thread to set or clear a confirmation. Does not leave the thread. */
export class AnswerReactEvent extends Event {
  constructor(
    readonly postId: string,
    readonly kind: ReactionKind | null,
  ) {
    super('answer-react', { bubbles: true });
  }
}

/** Internal: asks the thread to resend (or discard) a failed post. */
export class AnswerRetryEvent extends Event {
  constructor(
    readonly postId: string,
    readonly discard = false,
  ) {
    super('answer-retry', { bubbles: true });
  }
}

/** Internal: asks the thread to open the reply form under a post. */
export class AnswerReplyEvent extends Event {
  constructor(readonly postId: string) {
    super('answer-reply', { bubbles: true });
  }
}

/**
 * Internal: asks the thread to save an edit (`body`) or delete the post (`body === null`). The
 * thread sets `done` to the pending request; the answer shows its outcome.
 */
export class AnswerChangeEvent extends Event {
  done: Promise<unknown> = Promise.resolve();
  constructor(
    readonly postId: string,
    readonly body: string | null,
  ) {
    super('answer-change', { bubbles: true });
  }
}

/**
 * Internal: asks the thread to report a post to the moderators. The thread sets `done` to the
 * pending request (it rejects when the thread's `lifeboat-flag` is canceled: `canceled`).
 */
export class AnswerFlagEvent extends Event {
  done: Promise<FlagResult | null> = Promise.resolve(null);
  constructor(
    readonly postId: string,
    readonly reason: FlagReason,
    readonly note: string | null,
  ) {
    super('answer-flag', { bubbles: true });
  }
}

const FLAG_REASONS: readonly FlagReason[] = [
  'spam',
  'phishing',
  'dangerous',
  'abusive',
  'off_topic',
  'other',
];
const FLAG_NOTE_MAX = 500;

/**
 * One answer, reply or workaround, as an `<article>`. Presentational: plain properties in,
 * internal events out; renders into the thread's shadow root (no shadow root of its own) so the
 * thread's styles, ids and focus handling apply.
 *
 * @summary A post in the community thread.
 */
@customElement('lifeboat-answer')
export class LifeboatAnswer extends LitElement {
  @property({ attribute: false }) post?: LocalPost;
  /** The current member's confirmation on this post. */
  @property({ attribute: false }) reaction: ReactionKind | null = null;
  @property({ attribute: false }) components: readonly StatusComponent[] = [];
  /** Confirmations are off (locked thread, own post). */
  @property({ type: Boolean }) readonly = false;
  @property({ type: Number }) now = Date.now();
  /** Offers "Reply" (a top-level post in an open thread). */
  @property({ type: Boolean, attribute: false }) canReply = false;
  /** Offers "Edit" and "Delete" (the member's own post, within the edit window). */
  @property({ type: Boolean, attribute: false }) canChange = false;
  /** Offers "Report" (someone else's published post). */
  @property({ type: Boolean, attribute: false }) canFlag = false;

  @state() private editing = false;
  @state() private confirmingDelete = false;
  @state() private changeError = '';
  @state() private reporting = false;
  @state() private reportBusy = false;
  @state() private reportError = '';
  @state() private reportReasonError = false;
  /** What the last report did: shown in place of the Report button. */
  @state() private reported: FlagResult | null = null;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  #react(kind: ReactionKind): void {
    if (!this.post) return;
    this.dispatchEvent(new AnswerReactEvent(this.post.id, this.reaction === kind ? null : kind));
  }

  #renderWorkaround(post: LocalPost): TemplateResult | typeof nothing {
    const w = post.workaround;
    if (!w) return nothing;
    const m = messages();
    const component = w.component
      ? (this.components.find((c) => c.id === w.component)?.name ?? w.component)
      : null;
    return html`<div class="workaround-card" part="workaround">
      <p class="eyebrow">${m.workaroundLabel}</p>
      <p class="workaround-title">${w.title}</p>
      <ol class="steps" aria-label=${m.stepsLabel}>
        ${w.steps.map((step) => html`<li>${renderSafeInline(step)}</li>`)}
      </ol>
      <dl class="facts">
        ${
          component
            ? html`<div>
                <dt>${m.componentLabel}</dt>
                <dd>${component}</dd>
              </div>`
            : nothing
        }
        ${
          w.platform
            ? html`<div>
                <dt>${m.platformLabel}</dt>
                <dd>${w.platform}</dd>
              </div>`
            : nothing
        }
        <div>
          <dt>${m.riskLabel}</dt>
          <dd>
            <span class="badge risk" data-risk=${w.risk} part="risk-badge">${m.risk[w.risk]}</span>
          </dd>
        </div>
        <div>
          <dt>${m.validity}</dt>
          <dd part="expiry">
            ${
              w.expiresAt
                ? html`<time datetime=${w.expiresAt}
                    >${(Date.parse(w.expiresAt) <= this.now ? m.expiredAt : m.validUntil)(
                      absoluteTime(w.expiresAt),
                    )}</time
                  >`
                : m.expiryResolved
            }
          </dd>
        </div>
      </dl>
      ${w.riskNote ? html`<p class="risk-note">${w.riskNote}</p>` : nothing}
    </div>`;
  }

  #renderFooter(post: LocalPost): TemplateResult {
    const m = messages();
    if (post.local === 'pending')
      return html`<p class="post-status muted pending">${m.waitingToSend}</p>`;
    if (post.local === 'sending') return html`<p class="post-status muted">${m.sending}</p>`;
    if (post.local === 'failed') {
      return html`<p class="post-status failed">
        <span
          >${m.sendFailed}${post.localError ? html` — ${post.localError.message}` : nothing}</span
        >
        <button
          type="button"
          class="button"
          @click=${() => this.dispatchEvent(new AnswerRetryEvent(post.id))}
        >
          ${m.retry}
        </button>
        <button
          type="button"
          class="button quiet"
          @click=${() => this.dispatchEvent(new AnswerRetryEvent(post.id, true))}
        >
          ${m.discard}
        </button>
      </p>`;
    }
    if (post.state === 'pending')
      return html`<p class="post-status pending-review" part="pending-review">
        ${m.pendingReview}
      </p>`;
    return html`<div class="confirm" part="confirm">
      <button
        type="button"
        class="button"
        part="confirm-button"
        data-kind="worked"
        aria-pressed=${this.reaction === 'worked' ? 'true' : 'false'}
        ?disabled=${this.readonly}
        @click=${() => this.#react('worked')}
      >
        ${m.workedForMe(post.counts.worked)}
      </button>
      <button
        type="button"
        class="button"
        part="confirm-button"
        data-kind="didnt_work"
        aria-pressed=${this.reaction === 'didnt_work' ? 'true' : 'false'}
        ?disabled=${this.readonly}
        @click=${() => this.#react('didnt_work')}
      >
        ${m.didntWork(post.counts.didntWork)}
      </button>
    </div>`;
  }

  #change(body: string | null): Promise<unknown> {
    const event = new AnswerChangeEvent(this.post!.id, body);
    this.dispatchEvent(event);
    return event.done;
  }

  #saveEdit = async (draft: ComposerDraft): Promise<boolean> => {
    await this.#change(draft.body);
    this.editing = false;
    this.changeError = '';
    return true;
  };

  async #delete(): Promise<void> {
    this.confirmingDelete = false;
    try {
      await this.#change(null);
      this.changeError = '';
    } catch (error) {
      this.changeError = `${messages().deleteError} ${(error as Error).message ?? ''}`.trim();
    }
  }

  async #sendReport(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const post = this.post;
    if (!post || this.reportBusy) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const reason = data.get('reason') as FlagReason | null;
    if (!reason) {
      this.reportReasonError = true;
      await this.updateComplete;
      form.querySelector<HTMLInputElement>('input[name="reason"]')?.focus();
      return;
    }
    const note = String(data.get('note') ?? '').trim() || null;
    const flag = new AnswerFlagEvent(post.id, reason, note);
    this.dispatchEvent(flag);
    this.reportBusy = true;
    this.reportError = '';
    try {
      const result = await flag.done;
      if (!result) return; // Canceled by the page.
      this.reported = result;
      this.reporting = false;
      await this.updateComplete;
      this.querySelector<HTMLElement>('.report-done')?.focus();
    } catch (error) {
      this.reportError = `${messages().reportError} ${(error as Error).message ?? ''}`.trim();
    } finally {
      this.reportBusy = false;
    }
  }

  #openReport(open: boolean): void {
    this.reporting = open;
    this.reportError = '';
    this.reportReasonError = false;
    void this.updateComplete.then(() =>
      (open
        ? this.querySelector<HTMLElement>('.report-form input')
        : this.querySelector<HTMLElement>('[part="report-button"]')
      )?.focus(),
    );
  }

  #renderReportForm(post: LocalPost): TemplateResult {
    const m = messages();
    const id = `lifeboat-report-${post.id}`;
    return html`<form
      id=${id}
      class="report-form"
      part="report-form"
      novalidate
      aria-labelledby="${id}-heading"
      @submit=${(e: SubmitEvent) => void this.#sendReport(e)}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          this.#openReport(false);
        }
      }}
    >
      <p class="composer-heading" id="${id}-heading">${m.reportHeading}</p>
      <fieldset class="reasons">
        <legend>${m.reportReason}</legend>
        ${FLAG_REASONS.map(
          (reason) =>
            html`<label class="reason">
              <input
                type="radio"
                name="reason"
                value=${reason}
                aria-invalid=${this.reportReasonError ? 'true' : 'false'}
                aria-describedby=${this.reportReasonError ? `${id}-reason-error` : nothing}
                @change=${() => (this.reportReasonError = false)}
              />
              ${m.flagReason[reason]}
            </label>`,
        )}
        ${
          this.reportReasonError
            ? html`<p class="error" id="${id}-reason-error">${m.reportReasonRequired}</p>`
            : nothing
        }
      </fieldset>
      <div class="field">
        <label for="${id}-note">${m.reportNote}</label>
        <textarea
          id="${id}-note"
          name="note"
          rows="2"
          maxlength=${FLAG_NOTE_MAX}
          aria-describedby="${id}-note-hint"
        ></textarea>
        <p class="hint" id="${id}-note-hint">${m.reportNoteHint}</p>
      </div>
      ${this.reportError ? html`<p class="error" role="alert">${this.reportError}</p>` : nothing}
      <div class="composer-actions">
        <button type="button" class="button quiet" @click=${() => this.#openReport(false)}>
          ${m.cancel}
        </button>
        <button type="submit" class="button danger" ?disabled=${this.reportBusy}>
          ${this.reportBusy ? m.sendingReport : m.sendReport}
        </button>
      </div>
    </form>`;
  }

  #renderReport(post: LocalPost): TemplateResult | typeof nothing {
    const m = messages();
    if (this.reported)
      return html`<p class="report-done muted" role="status" tabindex="-1">
        ${this.reported.hidden ? m.reportHidden : m.reportSent}
      </p>`;
    return html`<button
      type="button"
      class="button quiet"
      part="report-button"
      aria-label=${m.reportPost(post.author.displayName)}
      aria-expanded=${this.reporting ? 'true' : 'false'}
      aria-controls="lifeboat-report-${post.id}"
      @click=${() => this.#openReport(!this.reporting)}
    >
      ${m.report}
    </button>`;
  }

  #renderActions(post: LocalPost): TemplateResult | typeof nothing {
    const m = messages();
    if (post.deletedAt || this.editing || post.local === 'failed') return nothing;
    const reply = this.canReply && !post.local;
    const flag = this.canFlag && !post.local && post.state === 'published';
    if (!reply && !this.canChange && !flag) return nothing;
    if (this.confirmingDelete) {
      return html`<div class="post-actions" role="group" aria-label=${m.confirmDelete}>
        <span>${m.confirmDelete}</span>
        <button type="button" class="button danger" @click=${() => void this.#delete()}>
          ${m.confirmDeleteYes}
        </button>
        <button type="button" class="button quiet" @click=${() => (this.confirmingDelete = false)}>
          ${m.cancel}
        </button>
      </div>`;
    }
    const name = post.author.displayName;
    return html`<div class="post-actions">
        ${
          reply
            ? html`<button
                type="button"
                class="button quiet"
                part="reply-button"
                aria-label=${m.replyTo(name)}
                @click=${() => this.dispatchEvent(new AnswerReplyEvent(post.id))}
              >
                ${m.reply}
              </button>`
            : nothing
        }
        ${
          this.canChange
            ? html`${
                  post.kind === 'workaround'
                    ? nothing
                    : html`<button
                        type="button"
                        class="button quiet"
                        part="edit-button"
                        @click=${() => (this.editing = true)}
                      >
                        ${m.edit}
                      </button>`
                }
                <button
                  type="button"
                  class="button quiet"
                  part="delete-button"
                  @click=${() => (this.confirmingDelete = true)}
                >
                  ${m.deletePost}
                </button>`
            : nothing
        }
        ${flag ? this.#renderReport(post) : nothing}
        ${this.changeError ? html`<p class="error" role="alert">${this.changeError}</p>` : nothing}
      </div>
      ${flag && this.reporting && !this.reported ? this.#renderReportForm(post) : nothing}`;
  }

  protected override render(): TemplateResult | typeof nothing {
    const post = this.post;
    if (!post) return nothing;
    const m = messages();
    // Deleted by its author, or hidden/removed by a moderator after it was on screen: a
    // tombstone in the same place (replies kept), never the text.
    const removed = post.state === 'hidden' || post.state === 'removed';
    if (post.deletedAt || removed) {
      const note = post.deletedAt
        ? m.deletedPost
        : post.state === 'hidden'
          ? m.hiddenByModerators
          : m.removedByModerator;
      return html`<article
        id="lifeboat-post-${post.id}"
        class="post tombstone ${post.kind} ${removed ? 'removed' : ''}"
        part="answer"
        tabindex="-1"
        aria-label=${note}
      >
        <p class="muted deleted-note">${note}</p>
      </article>`;
    }
    const authorId = `lifeboat-author-${post.id}`;
    return html`<article
      id="lifeboat-post-${post.id}"
      class="post ${post.kind} ${post.verified ? 'verified' : ''} ${post.local ?? ''}"
      part="answer"
      tabindex="-1"
      aria-labelledby=${authorId}
    >
      <header class="post-head">
        ${renderAvatar(post.author)}
        <span class="author" id=${authorId}>${post.author.displayName}</span>
        ${post.author.staff ? html`<span class="badge staff" part="staff-badge">${m.staffBadge}</span>` : nothing}
        ${memberBadges(post.author).map(
          (badge) => html`<span class="badge member-badge" part="member-badge">${badge}</span>`,
        )}
        ${
          post.author.helped
            ? html`<span class="helped" part="helped">${m.helpedPeople(post.author.helped)}</span>`
            : nothing
        }
        ${post.verified ? html`<span class="badge verified" part="verified-badge">✓ ${m.verifiedBadge}</span>` : nothing}
        ${post.pinned ? html`<span class="badge pinned">${m.pinnedBadge}</span>` : nothing}
        <time class="muted" datetime=${post.createdAt} title=${absoluteTime(post.createdAt)}
          >${relativeTime(post.createdAt, this.now)}${post.editedAt ? ` · ${m.edited}` : ''}</time
        >
      </header>
      ${
        this.editing
          ? html`<lifeboat-composer
              kind="edit"
              .value=${post.body}
              .submit=${this.#saveEdit}
              .cancel=${() => (this.editing = false)}
            ></lifeboat-composer>`
          : post.kind === 'workaround' && post.workaround
            ? this.#renderWorkaround(post)
            : html`<div class="body" part="body">${renderSafeText(post.body)}</div>`
      }
      ${this.#renderFooter(post)} ${this.#renderActions(post)}
    </article>`;
  }
}

/**
 * The avatar from the host site's verified claims (https only; no referrer, lazy, fixed size so
 * nothing moves when it loads), else the initials. A failing image falls back to the initials.
 */
function renderAvatar(author: MemberSummary): TemplateResult {
  const url = safeAvatar(author.avatarUrl);
  const letters = initials(author.displayName);
  if (!url) return html`<span class="avatar" aria-hidden="true">${letters}</span>`;
  return html`<span class="avatar" aria-hidden="true"
    >${letters}<img
      class="avatar-image"
      src=${url}
      alt=""
      width="28"
      height="28"
      loading="lazy"
      decoding="async"
      referrerpolicy="no-referrer"
      @error=${(e: Event) => ((e.target as HTMLImageElement).hidden = true)}
  /></span>`;
}

function safeAvatar(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * Badges from the host site's verified SSO claims, shown as plain text chips. Never our staff
 * badge: that comes from `author.staff` only, so a claim that reads like it is left out.
 */
function memberBadges(author: MemberSummary): string[] {
  const staffWords = new Set(
    ['staff', 'moderator', 'admin', 'verified', messages().staffBadge].map((w) => w.toLowerCase()),
  );
  return (author.badges ?? [])
    .map((b) => b.trim())
    .filter((b) => b && b.length <= 40 && !staffWords.has(b.toLowerCase()))
    .slice(0, 3);
}

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter((w) => /\p{L}|\p{N}/u.test(w))
    .slice(0, 2)
    .map((w) => /\p{L}|\p{N}/u.exec(w)?.[0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-answer': LifeboatAnswer;
  }
}
