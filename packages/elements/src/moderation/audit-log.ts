import type { AuditEntry } from '@lifeboat/protocol';
import type { AuditSnapshot } from '@lifeboat/sdk/moderation';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { absoluteTime, relativeTime } from '../localize.js';
import { moderationMessages } from './messages.js';

/** Internal: asks `<lifeboat-moderation>` for the next page of the audit log. */
export class AuditMoreEvent extends Event {
  constructor() {
    super('audit-more', { bubbles: true });
  }
}

/** Internal: asks `<lifeboat-moderation>` to fetch the audit log again. */
export class AuditRetryEvent extends Event {
  constructor() {
    super('audit-retry', { bubbles: true });
  }
}

/**
 * The audit log: who did what to what, why, and when (relative, with the absolute time), newest
 * first, with "Load older entries". Presentational: renders into `<lifeboat-moderation>`'s
 * shadow root.
 *
 * @summary The moderation audit log.
 */
@customElement('lifeboat-audit-log')
export class LifeboatAuditLog extends LitElement {
  @property({ attribute: false }) snapshot?: AuditSnapshot;
  @property({ type: Number }) now = Date.now();

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  #renderEntry(entry: AuditEntry): TemplateResult {
    const m = moderationMessages();
    const actor =
      entry.actor.kind === 'admin'
        ? m.admin
        : entry.actor.kind === 'system'
          ? m.system
          : entry.actor.displayName;
    const detail = entry.detail ?? {};
    const seconds = typeof detail.seconds === 'number' ? detail.seconds : null;
    const hours = typeof detail.hours === 'number' ? detail.hours : null;
    const target =
      entry.action === 'slow_mode'
        ? html`${m.targets.site}${seconds !== null ? html` (${seconds ? m.seconds(seconds) : m.slowModeOff})` : nothing}`
        : html`${m.targets[entry.target.kind]}
            <code class="target-id" title=${entry.target.id}>${shortId(entry.target.id)}</code
            >${hours ? html` ${m.forHours(hours)}` : nothing}`;
    return html`<li class="entry" data-action=${entry.action}>
      <p class="entry-line">
        <span class="actor">${actor}</span>
        <span class="verb" data-action=${entry.action}
          >${m.verbs[entry.action] ?? entry.action}</span
        >
        <span class="target">${target}</span>
      </p>
      ${entry.reason ? html`<p class="entry-reason">“${entry.reason}”</p>` : nothing}
      <time class="muted" datetime=${entry.createdAt}
        >${relativeTime(entry.createdAt, this.now)} · ${absoluteTime(entry.createdAt)}</time
      >
    </li>`;
  }

  protected override render(): TemplateResult {
    const m = moderationMessages();
    const snapshot = this.snapshot;
    if (!snapshot || snapshot.state === 'loading') {
      return html`<div class="skeleton-list" aria-busy="true">
        <span class="visually-hidden">${m.loading}</span>
        ${[0, 1, 2].map(() => html`<div class="skeleton line"></div>`)}
      </div>`;
    }
    if (snapshot.state === 'error') {
      return html`<div class="notice error-notice" part="notice" role="alert">
        <span>${m.auditError} ${snapshot.error?.message ?? ''}</span>
        <button
          type="button"
          class="button"
          @click=${() => this.dispatchEvent(new AuditRetryEvent())}
        >
          ${m.retry}
        </button>
      </div>`;
    }
    if (!snapshot.entries.length) return html`<p class="empty" part="empty">${m.auditEmpty}</p>`;
    return html`<ol class="audit" part="audit-list" aria-label=${m.auditLabel}>
        ${snapshot.entries.map((e) => this.#renderEntry(e))}
      </ol>
      ${
        snapshot.nextCursor
          ? html`<div class="more">
              ${snapshot.error ? html`<p class="error" role="alert">${m.auditError}</p>` : nothing}
              <button
                type="button"
                class="button"
                part="load-more"
                aria-busy=${snapshot.loadingMore ? 'true' : 'false'}
                ?disabled=${snapshot.loadingMore}
                @click=${() => this.dispatchEvent(new AuditMoreEvent())}
              >
                ${snapshot.loadingMore ? m.loadingMore : m.loadMore}
              </button>
            </div>`
          : nothing
      }`;
  }
}

/** The end of a long id (ULIDs differ at the end), enough to tell entries apart. */
function shortId(id: string): string {
  const tail = id.split(':').pop() ?? id;
  return tail.length > 10 ? `…${tail.slice(-8)}` : tail;
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-audit-log': LifeboatAuditLog;
  }
}
