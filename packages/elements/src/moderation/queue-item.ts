import type { QueueItem } from '@lifeboat/protocol';
import type { QueueFailure } from '@lifeboat/sdk/moderation';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { absoluteTime, relativeTime } from '../localize.js';
import { renderSafeInline, renderSafeText } from '../text/safe-text.js';
import { actionsFor, type ItemAction } from './actions.js';
import { moderationMessages } from './messages.js';

/** Internal: asks `<lifeboat-moderation>` to run an action on the item's post or author. */
export class QueueActionEvent extends Event {
  constructor(
    readonly postId: string,
    readonly action: ItemAction,
    readonly reason: string,
    readonly hours: number | null = null,
  ) {
    super('queue-action', { bubbles: true });
  }
}

/** The label of an action on an item ("Keep, clear flags" for approving a published post). */
export function actionLabel(item: QueueItem, action: ItemAction): string {
  const m = moderationMessages();
  if (action === 'approve' && item.post.state === 'published') return m.actions.keep;
  return m.actions[action];
}

/**
 * One post in the moderation queue: author (kind, badges, post count, banned), why it is held
 * (policy reasons with the matched text, member flags and notes), the post as the thread would
 * render it, the actions with their keys, an optional reason, and the last error. Presentational:
 * renders into `<lifeboat-moderation>`'s shadow root, whose styles and keyboard handling apply.
 *
 * @summary A post waiting for a moderator.
 */
@customElement('lifeboat-queue-item')
export class LifeboatQueueItem extends LitElement {
  @property({ attribute: false }) item?: QueueItem;
  /** The action in flight on this post (optimistic), if any. */
  @property({ attribute: false }) acting: string | undefined;
  /** The last failed action on this post. */
  @property({ attribute: false }) failure: QueueFailure | undefined;
  /** The item the keyboard acts on: it alone is in the tab order. */
  @property({ type: Boolean }) active = false;
  @property({ type: Number }) now = Date.now();

  @state() private confirmingBan = false;
  /** The optional reason typed for the next action. */
  @state() private reason = '';

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** The `<article>` that takes focus. */
  get article(): HTMLElement | null {
    return this.querySelector('article');
  }

  /** Runs an action as if its button was pressed (`ban` asks for a duration first). */
  request(action: ItemAction): void {
    if (!this.item) return;
    if (action === 'ban') {
      this.confirmingBan = true;
      void this.updateComplete.then(() =>
        this.querySelector<HTMLButtonElement>('.ban-confirm button')?.focus(),
      );
      return;
    }
    this.#send(action, null);
  }

  /** Closes the ban confirmation, if open; true when it was open. */
  cancelBan(): boolean {
    if (!this.confirmingBan) return false;
    this.confirmingBan = false;
    void this.updateComplete.then(() => this.article?.focus());
    return true;
  }

  #send(action: ItemAction, hours: number | null): void {
    this.confirmingBan = false;
    this.dispatchEvent(new QueueActionEvent(this.item!.post.id, action, this.reason, hours));
    this.reason = '';
  }

  #renderAuthor(item: QueueItem, labelId: string): TemplateResult {
    const m = moderationMessages();
    const { author, post } = item;
    return html`<header class="item-head">
      <span class="avatar" aria-hidden="true">${initials(author.displayName)}</span>
      <span class="author" id=${labelId}>${author.displayName}</span>
      <span class="badge kind" data-kind=${author.kind}>${m.memberKind[author.kind]}</span>
      ${author.staff ? html`<span class="badge staff">${m.staffBadge}</span>` : nothing}
      ${(author.badges ?? []).map((b) => html`<span class="badge">${b}</span>`)}
      <span class="muted post-count">${m.postCount(author.posts)}</span>
      ${
        author.trust
          ? html`<span
              class="badge trust"
              part="trust-badge"
              data-trust=${author.trust}
              title=${m.trustTitle(
                m.trustLevel[author.trust],
                author.reputation ?? 0,
                author.helped ?? 0,
              )}
              >${m.trustLevel[author.trust]}${
                author.helped ? html` · ${m.helped(author.helped)}` : nothing
              }</span
            >`
          : nothing
      }
      ${author.banned ? html`<span class="badge banned" part="banned-badge">${m.bannedBadge}</span>` : nothing}
      <span class="item-meta">
        ${
          item.queue === 'pending'
            ? html`<span class="badge queue-badge pending">${m.pendingBadge}</span>`
            : html`<span class="badge queue-badge flagged"
                  >${m.flaggedBadge(item.flags.count)}</span
                >
                <span class="badge"
                  >${post.state === 'hidden' ? m.hiddenBadge : m.publishedBadge}</span
                >`
        }
        ${post.verified ? html`<span class="badge verified">✓ ${m.verifiedBadge}</span>` : nothing}
        ${post.pinned ? html`<span class="badge pinned">${m.pinnedBadge}</span>` : nothing}
        <time class="muted" datetime=${post.createdAt} title=${absoluteTime(post.createdAt)}
          >${relativeTime(post.createdAt, this.now)}</time
        >
      </span>
    </header>`;
  }

  #renderReasons(item: QueueItem, id: string): TemplateResult | typeof nothing {
    const m = moderationMessages();
    const reasons = item.reasons;
    const flags = item.flags;
    if (!reasons.length && !flags.count) return nothing;
    return html`<div class="reasons" part="reasons" id=${id}>
      <p class="visually-hidden">${m.reasonsLabel}</p>
      ${
        reasons.length
          ? html`<ul class="reason-list">
              ${reasons.map(
                (r) =>
                  html`<li class="reason" data-code=${r.code}>
                    <strong>${m.reasonCode[r.code] ?? r.code}:</strong> ${r.message}${
                      r.match
                        ? html` <span class="match">— ${m.matched} <code>${r.match}</code></span>`
                        : nothing
                    }
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      ${
        flags.count
          ? html`<div class="flags" part="flags">
              <strong>${m.flagsLabel(flags.count)}:</strong>
              ${flags.reasons.map(
                (f) =>
                  html`<span class="badge flag"
                    >${m.flagReason[f.reason] ?? f.reason} × ${f.count}</span
                  >`,
              )}
              ${
                flags.notes.length
                  ? html`<ul class="flag-notes" aria-label=${m.flagNotesLabel}>
                      ${flags.notes.map((n) => html`<li>“${n}”</li>`)}
                    </ul>`
                  : nothing
              }
            </div>`
          : nothing
      }
    </div>`;
  }

  #renderPost(item: QueueItem): TemplateResult {
    const m = moderationMessages();
    const w = item.post.workaround;
    if (item.post.kind === 'workaround' && w) {
      return html`<div class="body workaround" part="body">
        <p class="eyebrow">${m.workaroundLabel}</p>
        <p class="workaround-title">${w.title}</p>
        <ol class="steps">
          ${w.steps.map((step) => html`<li>${renderSafeInline(step)}</li>`)}
        </ol>
        ${w.riskNote ? html`<p class="muted">${w.riskNote}</p>` : nothing}
      </div>`;
    }
    return html`<div class="body" part="body">${renderSafeText(item.post.body)}</div>`;
  }

  #renderActions(item: QueueItem): TemplateResult {
    const m = moderationMessages();
    const postId = item.post.id;
    const name = item.author.displayName;
    if (this.confirmingBan) {
      return html`<div class="ban-confirm" role="group" aria-label=${m.banConfirm(name)}>
        <span class="ban-question">${m.banConfirm(name)}</span>
        <button type="button" class="button danger" @click=${() => this.#send('ban', 24)}>
          ${m.banDay}
        </button>
        <button type="button" class="button danger" @click=${() => this.#send('ban', 24 * 7)}>
          ${m.banWeek}
        </button>
        <button type="button" class="button danger" @click=${() => this.#send('ban', null)}>
          ${m.banForever}
        </button>
        <button type="button" class="button quiet" @click=${() => this.cancelBan()}>
          ${m.cancel}
        </button>
      </div>`;
    }
    const busy = this.acting !== undefined;
    return html`<div
      class="item-actions"
      part="actions"
      role="group"
      aria-label=${m.actionsLabel(name)}
    >
      <div class="action-buttons">
        ${actionsFor(item).map(
          ({ action, key }) =>
            html`<button
              type="button"
              class="button action ${action === 'approve' ? 'primary' : ''} ${
                action === 'reject' || action === 'ban' ? 'danger-outline' : ''
              }"
              part="action-button"
              data-action=${action}
              aria-keyshortcuts=${key}
              ?disabled=${busy}
              tabindex=${this.active ? 0 : -1}
              @click=${() => this.request(action)}
            >
              ${actionLabel(item, action)}<kbd aria-hidden="true">${key}</kbd>
            </button>`,
        )}
      </div>
      <div class="reason-field">
        <label class="visually-hidden" for="lifeboat-reason-${postId}"
          >${m.reasonLabel} (${m.reasonHint})</label
        >
        <input
          id="lifeboat-reason-${postId}"
          class="reason-input"
          part="reason"
          type="text"
          maxlength="500"
          autocomplete="off"
          placeholder=${m.reasonPlaceholder}
          tabindex=${this.active ? 0 : -1}
          .value=${this.reason}
          @input=${(e: Event) => (this.reason = (e.target as HTMLInputElement).value)}
        />
      </div>
    </div>`;
  }

  protected override render(): TemplateResult | typeof nothing {
    const item = this.item;
    if (!item) return nothing;
    const m = moderationMessages();
    const postId = item.post.id;
    const labelId = `lifeboat-queue-author-${postId}`;
    const reasonsId = `lifeboat-queue-reasons-${postId}`;
    const failure = this.failure;
    return html`<article
      id="lifeboat-queue-${postId}"
      class="item ${item.queue} ${this.acting ? 'acting' : ''}"
      part="item"
      tabindex=${this.active ? 0 : -1}
      aria-labelledby=${labelId}
      aria-describedby=${item.reasons.length || item.flags.count ? reasonsId : nothing}
      aria-busy=${this.acting ? 'true' : 'false'}
    >
      ${this.#renderAuthor(item, labelId)} ${this.#renderReasons(item, reasonsId)}
      ${this.#renderPost(item)} ${this.#renderActions(item)}
      ${
        failure
          ? html`<p class="error item-error" role="alert">
              ${m.actionFailed(actionLabel(item, failure.action as ItemAction))}
              ${failure.error.message}
            </p>`
          : nothing
      }
    </article>`;
  }
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
    'lifeboat-queue-item': LifeboatQueueItem;
  }
}
