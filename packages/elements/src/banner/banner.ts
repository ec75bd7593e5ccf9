import type { Incident, MemberIncidentState, Post, Severity, SiteStatus } from '@lifeboat/protocol';
import type { LifeboatClient, Loadable } from '@lifeboat/sdk';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LifeboatElement } from '../base/lifeboat-element.js';
import { ClockController } from '../controllers/clock-controller.js';
import { PopoverController } from '../controllers/popover-controller.js';
import { StoreController } from '../controllers/store-controller.js';
import { LifeboatAffectedEvent } from '../events/affected.js';
import { LifeboatNavigateEvent } from '../events/navigate.js';
import { messages } from '../localize.js';
import { renderIncident, renderTimeline } from './incident.js';
import { bannerStyles } from './banner.styles.js';

const LOUD: ReadonlySet<string> = new Set(['major', 'critical']);

/**
 * The live status banner: overall status, the open incidents with their phase, affected
 * components, latest official update and timeline, an "Affected me too" button with its live
 * count, and the top community workaround.
 *
 * @summary Live status banner for a status page.
 *
 * @event lifeboat-affected - Before "affected me too" is said or taken back. Cancelable.
 * @event lifeboat-navigate - When "See in thread" is followed. Cancelable.
 *
 * @csspart container - The live region around everything.
 * @csspart overall - The overall status line.
 * @csspart status-dot - The colored dot of the overall status.
 * @csspart incident - One open incident.
 * @csspart impact-badge - The impact of an incident.
 * @csspart title - An incident's title.
 * @csspart phases - The phase stepper.
 * @csspart meta - Affected components and time of the last update.
 * @csspart components - The affected component names.
 * @csspart update - The latest official update text.
 * @csspart actions - The row of buttons.
 * @csspart affected-button - The "Affected me too" toggle.
 * @csspart timeline-button - Opens the timeline.
 * @csspart timeline - The popover with all official updates.
 * @csspart workaround - The top community workaround.
 * @csspart verified-badge - "Verified by staff".
 * @csspart workaround-link - "See in thread".
 * @csspart skeleton - The placeholder shown while loading.
 *
 * @cssproperty --lifeboat-banner-min-height - Height reserved before data arrives (default 4.5rem).
 * @cssproperty --lifeboat-banner-accent - The severity color (set per severity; override to brand it).
 * @cssproperty --lifeboat-color-surface - Background.
 * @cssproperty --lifeboat-color-text - Text color.
 * @cssproperty --lifeboat-color-muted - Secondary text.
 * @cssproperty --lifeboat-color-border - Borders.
 * @cssproperty --lifeboat-color-accent - Links and pressed buttons.
 * @cssproperty --lifeboat-color-operational - Operational status color.
 * @cssproperty --lifeboat-color-minor - Minor status color.
 * @cssproperty --lifeboat-color-major - Major status color.
 * @cssproperty --lifeboat-color-critical - Critical status color.
 * @cssproperty --lifeboat-color-maintenance - Maintenance status color.
 * @cssproperty --lifeboat-space-1 - Spacing scale (1–6).
 * @cssproperty --lifeboat-radius-m - Corner radius of the card.
 * @cssproperty --lifeboat-font-family - Font.
 *
 * @cssstate loading - Waiting for the status.
 * @cssstate error - The status could not be loaded.
 * @cssstate operational - No open incident.
 * @cssstate incident - At least one open incident.
 */
@customElement('lifeboat-banner')
export class LifeboatBanner extends LifeboatElement {
  static override styles = bannerStyles;

  /** Show only this incident; by default every open incident of the site. */
  @property({ reflect: true }) incident: string | null = null;

  readonly #status = new StoreController<Loadable<SiteStatus>>(this);
  readonly #incident = new StoreController<Loadable<Incident>>(this);
  readonly #me = new Map<string, StoreController<MemberIncidentState>>();
  readonly #clock = new ClockController(this);
  readonly #popover = new PopoverController(this, {
    floating: () => this.renderRoot.querySelector<HTMLElement>('#timeline'),
    placement: 'bottom-start',
  });

  protected override clientChanged(client: LifeboatClient | undefined): void {
    this.#status.store = client?.$status;
    this.#incident.store = client && this.incident ? client.incident(this.incident) : undefined;
    for (const controller of this.#me.values()) controller.store = undefined;
    this.#me.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('incident') && changed.get('incident') !== undefined) {
      this.#incident.store =
        this.activeClient && this.incident ? this.activeClient.incident(this.incident) : undefined;
    }
    const status = this.#status.value;
    const incidents = this.#incidents();
    for (const incident of incidents) {
      if (!this.#me.has(incident.id) && this.activeClient) {
        this.#me.set(incident.id, new StoreController(this, this.activeClient.me(incident.id)));
      }
    }
    const severity = this.#severity(status, incidents);
    this.toggleState('loading', !status || status.state === 'loading');
    this.toggleState('error', status?.state === 'error' && !status.value);
    this.toggleState('operational', status?.state === 'ready' && incidents.length === 0);
    this.toggleState('incident', incidents.length > 0);
    this.dataset.severity = severity ?? '';
  }

  /** The incidents shown: the one named by `incident`, or every open one. */
  #incidents(): Incident[] {
    if (this.incident) {
      const one = this.#incident.value;
      return one?.value ? [one.value] : [];
    }
    return this.#status.value?.value?.incidents ?? [];
  }

  #severity(status: Loadable<SiteStatus> | undefined, incidents: Incident[]): Severity | undefined {
    if (!status?.value) return undefined;
    const worst = incidents.reduce<Severity>((acc, i) => {
      const rank = ['operational', 'maintenance', 'minor', 'major', 'critical'];
      const sev: Severity = i.impact === 'none' ? 'minor' : i.impact;
      return rank.indexOf(sev) > rank.indexOf(acc) ? sev : acc;
    }, status.value.severity);
    return worst;
  }

  #handleTimeline = (event: Event): void => {
    const button = event.currentTarget as HTMLElement;
    void this.#popover.toggle(button.dataset.incident ?? '', button);
  };

  #handleAffected(incident: Incident): void {
    const client = this.activeClient;
    if (!client) return;
    const affected = !(this.#me.get(incident.id)?.value?.affected ?? false);
    const event = new LifeboatAffectedEvent({ incidentId: incident.id, affected });
    if (!this.dispatchEvent(event)) return;
    void client.setAffected(incident.id, affected).catch(() => {
      // The SDK reverts its optimistic state; nothing to do here.
    });
  }

  #handleSeeInThread = (event: Event, post: Post): void => {
    const navigate = new LifeboatNavigateEvent({ incidentId: post.incidentId, postId: post.id });
    if (!this.dispatchEvent(navigate)) event.preventDefault();
  };

  #renderSkeleton(): TemplateResult {
    return html`<div class="skeleton-card" part="skeleton" aria-busy="true">
      <span class="visually-hidden">${messages().loading}</span>
      <div class="skeleton line short"></div>
      <div class="skeleton line"></div>
    </div>`;
  }

  #renderOverall(severity: Severity, name: string | undefined): TemplateResult {
    return html`<div class="overall" part="overall">
      <span class="dot" part="status-dot" data-severity=${severity} aria-hidden="true"></span>
      <span class="overall-text">${messages().severity[severity]}</span>
      ${name ? html`<span class="site muted">${name}</span>` : nothing}
    </div>`;
  }

  protected override render(): TemplateResult {
    const m = messages();
    const status = this.#status.value;
    const incidents = this.#incidents();
    const severity = this.#severity(status, incidents);
    const loud =
      incidents.some((i) => LOUD.has(i.impact)) || (severity !== undefined && LOUD.has(severity));
    let body: TemplateResult;
    if (!this.activeClient) {
      body = html`<p class="notice muted">${m.noClient}</p>`;
    } else if (
      !status ||
      status.state === 'loading' ||
      (this.incident && this.#incident.value?.state === 'loading')
    ) {
      body = this.#renderSkeleton();
    } else if (!status.value || !severity) {
      body = html`<div class="notice">
        <span>${m.loadError}</span>
        <button type="button" class="button" @click=${() => this.activeClient?.retry()}>
          ${m.retry}
        </button>
      </div>`;
    } else if (incidents.length === 0) {
      body = html`<div class="slim">${this.#renderOverall(severity, status.value.site.name)}</div>`;
    } else {
      const components = status.value.components;
      const open = incidents.find((i) => this.#popover.isOpen(i.id));
      body = html`${this.#renderOverall(severity, status.value.site.name)}
      ${incidents.map((incident) =>
        renderIncident({
          incident,
          components,
          affected: this.#me.get(incident.id)?.value?.affected ?? false,
          timelineOpen: this.#popover.isOpen(incident.id),
          now: this.#clock.now,
          onTimeline: this.#handleTimeline,
          onAffected: () => this.#handleAffected(incident),
          onSeeInThread: this.#handleSeeInThread,
        }),
      )}
      ${open ? renderTimeline(open, this.#clock.now, () => this.#popover.hide()) : nothing}`;
    }
    return html`<div
      class="banner"
      part="container"
      role="status"
      aria-live=${loud ? 'assertive' : 'polite'}
      data-severity=${severity ?? 'loading'}
    >
      ${body}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-banner': LifeboatBanner;
  }
}
