import type { Spike } from '@lifeboat/protocol';
import type { SpikeAction, SpikesSnapshot } from '@lifeboat/sdk/moderation';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { absoluteTime, relativeTime } from '../localize.js';
import { moderationMessages } from './messages.js';

/** Internal: asks `<lifeboat-moderation>` to act on a spike. */
export class SpikeActionEvent extends Event {
  constructor(
    readonly spikeId: string,
    readonly action: SpikeAction,
  ) {
    super('spike-action', { bubbles: true });
  }
}

/**
 * The early-warning panel (docs/early-warning.md): open spikes of "Something not working?"
 * reports, before any incident is declared — how many members, against how many expected for
 * that hour of the week, the component most named — with one-click actions: show it in the
 * public banner, dismiss it, or declare a manual incident whose "affected" list is the spike's
 * reporters. Spikes staff acted on stay listed, quieter, for the day. Nothing renders while there
 * is no spike. Presentational: renders into `<lifeboat-moderation>`'s shadow root.
 *
 * @summary Early-warning spikes in the moderation console.
 */
@customElement('lifeboat-spike-panel')
export class LifeboatSpikePanel extends LitElement {
  @property({ attribute: false }) snapshot?: SpikesSnapshot;
  @property({ type: Number }) now = Date.now();

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  #renderSpike(spike: Spike, acting: SpikeAction | undefined): TemplateResult {
    const m = moderationMessages();
    const failure = this.snapshot?.failures[spike.id];
    const what = spike.componentName ?? spike.component;
    const titleId = `lifeboat-spike-${spike.id}`;
    const act = (action: SpikeAction) => () =>
      this.dispatchEvent(new SpikeActionEvent(spike.id, action));
    const open = spike.state === 'open';
    return html`<li class="spike" data-state=${spike.state} aria-labelledby=${titleId}>
      <p class="spike-title" id=${titleId}>
        <span class="spike-dot" aria-hidden="true"></span>
        ${m.spikeTitle(spike.members, what)}
      </p>
      <p class="spike-meta muted">
        ${m.spikeExpected(spike.expected)} ·
        <time datetime=${spike.detectedAt} title=${absoluteTime(spike.detectedAt)}
          >${m.spikeSince(relativeTime(spike.detectedAt, this.now))}</time
        >
        ${open ? html`· ${spike.public ? m.spikePublic : m.spikeNotPublic}` : nothing}
      </p>
      ${
        open
          ? html`<div class="spike-actions">
              <button
                type="button"
                class="button primary"
                part="spike-declare"
                ?disabled=${acting !== undefined}
                aria-busy=${acting === 'declare' ? 'true' : 'false'}
                @click=${act('declare')}
              >
                ${acting === 'declare' ? m.spikeDeclaring : m.spikeDeclare}
              </button>
              ${
                spike.public
                  ? nothing
                  : html`<button
                      type="button"
                      class="button"
                      part="spike-confirm"
                      ?disabled=${acting !== undefined}
                      @click=${act('confirm')}
                    >
                      ${m.spikeConfirm}
                    </button>`
              }
              <button
                type="button"
                class="button quiet"
                part="spike-dismiss"
                ?disabled=${acting !== undefined}
                @click=${act('dismiss')}
              >
                ${m.spikeDismiss}
              </button>
            </div>`
          : html`<p class="spike-outcome muted">
              ${spike.state === 'declared' ? m.spikeDeclared : m.spikeDismissed}
            </p>`
      }
      ${failure ? html`<p class="error" role="alert">${m.spikeFailed(failure.error.message)}</p>` : nothing}
    </li>`;
  }

  protected override render(): TemplateResult | typeof nothing {
    const m = moderationMessages();
    const snapshot = this.snapshot;
    if (!snapshot || snapshot.state !== 'ready') return nothing;
    const day = this.now - 24 * 3_600_000;
    const shown = snapshot.spikes.filter(
      (s) => s.state === 'open' || Date.parse(s.lastReportAt) > day,
    );
    if (!shown.length) return nothing;
    const open = shown.filter((s) => s.state === 'open').length;
    return html`<section class="spikes" part="spikes" aria-labelledby="lifeboat-spikes-heading">
      <h3 class="spikes-heading" id="lifeboat-spikes-heading">
        ${m.spikesHeading}${open ? html` <span class="count">${open}</span>` : nothing}
      </h3>
      <p class="muted spikes-hint">${m.spikesHint}</p>
      <ul class="spike-list">
        ${shown.map((s) => this.#renderSpike(s, snapshot.acting[s.id]))}
      </ul>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-spike-panel': LifeboatSpikePanel;
  }
}
