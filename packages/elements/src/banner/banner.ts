import type {
  AffectedHistory,
  Incident,
  Maintenance,
  MemberIncidentState,
  Post,
  PublicSignal,
  Severity,
  SiteStatus,
} from '@lifeboat/protocol';
import type { LifeboatClient, Loadable } from '@lifeboat/sdk';
import type { ReadableAtom } from 'nanostores';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { isDevelopment, LifeboatElement } from '../base/lifeboat-element.js';
import { ClockController } from '../controllers/clock-controller.js';
import { PopoverController } from '../controllers/popover-controller.js';
import { StoreController } from '../controllers/store-controller.js';
import { LifeboatAffectedEvent } from '../events/affected.js';
import { LifeboatNavigateEvent } from '../events/navigate.js';
import { LifeboatStatusChangeEvent } from '../events/status-change.js';
import { messages } from '../localize.js';
import { lazyDirectStatus } from './direct-status.js';
import { renderIncident, renderMaintenance, renderTimeline } from './incident.js';
import { bannerStyles } from './banner.styles.js';
import { BannerPreferences } from './preferences.js';
import { renderReportControl, renderSignal, type ReportStep } from './early-warning.js';

/** How often the calm banner asks whether others are reporting problems (public, CDN-cached). */
const SIGNALS_MS = 60_000;

const LOUD: ReadonlySet<string> = new Set(['major', 'critical']);
const RANK: readonly Severity[] = ['operational', 'maintenance', 'minor', 'major', 'critical'];
const NARROW = 480;

/** What the host page knows before the script runs (e.g. rendered on its server). */
export type BannerExpectation = 'incident' | 'calm';
const EXPECTATIONS: readonly BannerExpectation[] = ['incident', 'calm'];

/** A page placeholder taller than this many rem is an incident-height placeholder. */
const COMPACT_LIMIT_REM = 8;

/**
 * True once the browser may have painted this document (or when it cannot tell): from then on a
 * height the page already showed must be kept. Before the first frame any height is free. The
 * document timeline's time stays 0 until the first rendering update; paint-timing entries come
 * only after the frame is presented, so they alone would report a painted page as unpainted.
 */
function hasPainted(): boolean {
  const time = globalThis.document?.timeline?.currentTime;
  if (time === undefined) return true;
  if (time !== null && Number(time) > 0) return true;
  const perf = globalThis.performance;
  return typeof perf?.getEntriesByType === 'function' && perf.getEntriesByType('paint').length > 0;
}

/** One direct-mode poller per status URL and page, shared by every banner that names it. */
const directStatuses = new Map<string, ReadableAtom<Loadable<SiteStatus>>>();
function directStatus(url: string): ReadableAtom<Loadable<SiteStatus>> {
  let store = directStatuses.get(url);
  if (!store) {
    store = lazyDirectStatus(url);
    directStatuses.set(url, store);
  }
  return store;
}

/** What makes an incident worth announcing again. */
interface Seen {
  title: string;
  phase: Incident['phase'];
  impact: Incident['impact'];
  update: string | undefined;
}

/** The part of a status that counts as a real change (not counts, sequence numbers or times). */
function fingerprint(status: SiteStatus): string {
  return JSON.stringify([
    status.severity,
    status.description,
    status.components.map((c) => [c.id, c.name, c.status]),
    status.incidents.map((i) => [
      i.id,
      i.title,
      i.phase,
      i.impact,
      i.components,
      i.updates.map((u) => u.id),
    ]),
    (status.maintenances ?? []).map((m) => [m.id, m.status, m.updates.map((u) => u.id)]),
  ]);
}

const activeMaintenance = (m: Maintenance): boolean =>
  m.status === 'in_progress' || m.status === 'verifying';

/**
 * The live status banner: overall status, the open incidents with their phase, affected
 * components, latest official update and timeline, in-progress maintenance, an "Affected me too"
 * button with its live count and a sparkline of recent reports, and the top community workaround.
 *
 * Host-page safety: the banner's height is reserved before data arrives and never changes on its
 * own while it is in view, so it adds no layout shift. It reserves one compact line by default,
 * and the incident height when the page says `expect="incident"` or the visitor's last visit
 * showed an incident. An incident that arrives in the compact line is summarised there with
 * "Show details"; content that does not fit the incident height is clipped behind "Show all".
 * Only a visitor's action (details, show all, collapse, dismiss) changes the height in view;
 * below the fold it fits its content. With `status-url` it reads a public
 * Statuspage-compatible `summary.json` directly, without a Lifeboat server.
 *
 * @summary Live status banner for a status page.
 *
 * @event lifeboat-affected - Before "affected me too" is said or taken back. Cancelable.
 * @event lifeboat-navigate - When "See in thread" is followed. Cancelable.
 * @event lifeboat-status-change - When the official status is first known and whenever it really changes (not on counts); `detail` is the SiteStatus.
 *
 * @csspart container - The card around everything.
 * @csspart content - The height-reserved area inside the card.
 * @csspart announcer - The visually hidden live region (`role="status"`).
 * @csspart overall - The overall status line.
 * @csspart status-dot - The colored dot of the overall status.
 * @csspart incident - One open incident.
 * @csspart impact-badge - The impact of an incident.
 * @csspart phase-badge - The phase of a collapsed incident.
 * @csspart title - An incident's or maintenance's title.
 * @csspart collapse-button - Collapses or expands an incident.
 * @csspart dismiss-button - Dismisses an incident until its phase or impact changes.
 * @csspart phases - The phase stepper.
 * @csspart meta - Affected components and time of the last update.
 * @csspart components - The affected component names.
 * @csspart update - The latest official update text.
 * @csspart actions - The row of buttons.
 * @csspart affected-button - The "Affected me too" toggle.
 * @csspart sparkline - The small chart of "affected" reports over the last hours.
 * @csspart timeline-button - Opens the timeline.
 * @csspart timeline - The popover with all official updates.
 * @csspart workaround - The top community workaround.
 * @csspart verified-badge - "Verified by staff".
 * @csspart workaround-link - "See in thread".
 * @csspart maintenance - An in-progress maintenance.
 * @csspart maintenance-badge - "Maintenance in progress".
 * @csspart show-dismissed-button - Brings dismissed incidents back.
 * @csspart show-all-button - Shows content that does not fit the reserved height.
 * @csspart details-button - "Show details" of an incident summarised in the compact line.
 * @csspart skeleton - The placeholder shown while loading.
 * @csspart report-problem-button - "Something not working?" in the calm line (early warning).
 * @csspart report-component - The optional "Which part?" select after a report.
 * @csspart report-status - "Sending…" / "Thanks — reported".
 * @csspart signal - "Others are reporting problems with …" (only when corroborated).
 *
 * @cssproperty --lifeboat-banner-min-height - The compact height reserved when no incident is expected (default 3.75rem: one line), unless the page's `lifeboat-banner:not(:defined)` rule gave it one. Data never changes it while in view.
 * @cssproperty --lifeboat-banner-incident-height - The height reserved when an incident is expected (`expect="incident"`, or an incident on the last visit whose height is not known; default 25rem, 30rem under 480 px).
 * @cssproperty --lifeboat-banner-accent - The severity color (set per severity; override to brand it).
 * @cssproperty --lifeboat-color-surface - Background.
 * @cssproperty --lifeboat-color-text - Text color.
 * @cssproperty --lifeboat-color-muted - Secondary text.
 * @cssproperty --lifeboat-color-border - Borders.
 * @cssproperty --lifeboat-color-accent - Links, pressed buttons and the sparkline.
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
 * @cssstate maintenance - A maintenance is in progress.
 * @cssstate direct - Reading a status page directly (`status-url`), without a Lifeboat server.
 * @cssstate clipped - Content is taller than the reserved height ("Show all" is offered).
 * @cssstate incident-reserve - The incident height is reserved (otherwise the compact line).
 * @cssstate summary - An open incident or maintenance is summarised in the compact line.
 * @cssstate expanded - The visitor chose "Show all".
 */
@customElement('lifeboat-banner')
export class LifeboatBanner extends LifeboatElement {
  static override styles = bannerStyles;

  /** Show only this incident; by default every open incident of the site. */
  @property({ reflect: true }) incident: string | null = null;

  /**
   * Direct mode: a public status JSON (Statuspage or incident.io `/api/v2/summary.json`, Instatus
   * `/summary.json`) read without a Lifeboat server. Hides what needs one ("Affected me too",
   * community workaround). The page's CSP must allow it in `connect-src`.
   */
  @property({ attribute: 'status-url', reflect: true }) statusUrl: string | null = null;

  /**
   * What the page knows before the script runs: `incident` reserves the incident height, `calm`
   * the compact line. Without it the banner uses the page's placeholder height, or what the
   * visitor's last visit showed. Read once, when the banner first renders.
   */
  @property({ reflect: true }) expect: 'incident' | 'calm' | null = null;

  @state() private expanded = false;
  @state() private clipped = false;
  @state() private showDismissed = false;
  /** Text of the visually hidden live region: set only on real changes. */
  @state() private announcement = '';
  /** Early warning: the visitor's report, and the corroborated signals (./early-warning.ts). */
  @state() private reportStep: ReportStep = 'idle';
  @state() private signals: readonly PublicSignal[] = [];
  #signalsTimer: ReturnType<typeof setInterval> | undefined;

  readonly #status = new StoreController<Loadable<SiteStatus>>(this);
  readonly #incident = new StoreController<Loadable<Incident>>(this);
  readonly #me = new Map<string, StoreController<MemberIncidentState>>();
  readonly #history = new Map<string, StoreController<Loadable<AffectedHistory>>>();
  readonly #clock = new ClockController(this);
  readonly #popover = new PopoverController(this, {
    floating: () => this.renderRoot.querySelector<HTMLElement>('#timeline'),
    placement: 'bottom-start',
  });
  #prefs = new BannerPreferences('lifeboat:banner');
  #reserve: number | null = null;
  /** The incident height is reserved (else the compact line). */
  #full = false;
  /** The height the page gave the element before it was upgraded (its placeholder rule). */
  readonly #placeholder: number;
  #bucket: 'narrow' | 'wide' = 'wide';
  #resize: ResizeObserver | undefined;
  #lastStatus: SiteStatus | undefined;
  #fingerprint: string | undefined;
  #pendingChange: SiteStatus | undefined;
  #seen: Map<string, Seen> | undefined;

  constructor() {
    super();
    // During an upgrade the element is still :not(:defined) here, so this is the height the
    // page reserved for it (0 when created by script, or when no rule reserved a height).
    const reserved = this.isConnected && parseFloat(getComputedStyle(this).minHeight) > 0;
    this.#placeholder = reserved ? this.getBoundingClientRect().height : 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#observe();
    this.#watchSignals();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize?.disconnect();
    this.#resize = undefined;
    clearInterval(this.#signalsTimer);
    this.#signalsTimer = undefined;
  }

  protected override clientChanged(client: LifeboatClient | undefined): void {
    this.#bindStores(client);
    this.#setSignals([]);
    if (this.reportStep !== 'idle') this.reportStep = 'idle';
    this.#watchSignals();
  }

  /** Asks for the public signals now and every minute while the page is visible. */
  #watchSignals(): void {
    clearInterval(this.#signalsTimer);
    this.#signalsTimer = undefined;
    if (!this.isConnected || !this.#earlyWarning()) return;
    const poll = () => {
      if (globalThis.document?.visibilityState === 'hidden') return;
      void this.#earlyWarning()
        ?.signals?.()
        .then((result) => this.#setSignals(result.signals))
        .catch(() => {
          // A failed poll keeps what was shown; the next one may succeed.
        });
    };
    poll();
    this.#signalsTimer = setInterval(poll, SIGNALS_MS);
  }

  /** New signals re-render the banner only when they differ (an open popover keeps its place). */
  #setSignals(signals: readonly PublicSignal[]): void {
    if (JSON.stringify(signals) !== JSON.stringify(this.signals)) this.signals = signals;
  }

  /** The client, when it offers early warning (not in direct mode). */
  #earlyWarning(): LifeboatClient | undefined {
    const client = this.activeClient;
    return client && !this.statusUrl && typeof client.reportProblem === 'function'
      ? client
      : undefined;
  }

  #handleReportProblem = (): void => {
    const client = this.#earlyWarning();
    if (!client?.reportProblem || this.reportStep === 'sending') return;
    this.reportStep = 'sending';
    client.reportProblem().then(
      (result) => {
        this.reportStep = 'sent';
        this.#setSignals(result.signals);
        this.announcement = messages().problemSent;
        // Focus stays in the banner: on the select that replaced the button, when there is one.
        void this.updateComplete.then(() =>
          this.renderRoot.querySelector<HTMLElement>('[part="report-component"]')?.focus(),
        );
      },
      () => {
        this.reportStep = 'error';
      },
    );
  };

  #handleReportComponent = (event: Event): void => {
    const select = event.currentTarget as HTMLSelectElement;
    const component = select.value;
    const client = this.#earlyWarning();
    if (!component || !client?.reportProblem) return;
    const name = select.selectedOptions[0]?.textContent?.trim() ?? component;
    this.reportStep = 'named';
    this.announcement = messages().problemNamed(name);
    void client.reportProblem(component).then(
      (result) => this.#setSignals(result.signals),
      () => {
        // The report itself was counted; only its component is lost.
      },
    );
  };

  /** True in direct mode (`status-url`): no Lifeboat server features. */
  get direct(): boolean {
    return Boolean(this.statusUrl);
  }

  #bindStores(client: LifeboatClient | undefined): void {
    const namespace = this.statusUrl
      ? `lifeboat:banner:${this.statusUrl}`
      : `lifeboat:banner:${client?.server ?? ''}:${client?.site ?? ''}`;
    this.#prefs = new BannerPreferences(namespace);
    this.#status.store = this.statusUrl ? directStatus(this.statusUrl) : client?.$status;
    this.#incident.store =
      client && this.incident && !this.statusUrl ? client.incident(this.incident) : undefined;
    for (const controller of [...this.#me.values(), ...this.#history.values()])
      controller.store = undefined;
    this.#me.clear();
    this.#history.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (
      !this.hasUpdated ||
      (changed.has('incident') && changed.get('incident') !== undefined) ||
      (changed.has('statusUrl') && changed.get('statusUrl') !== undefined)
    ) {
      this.#bindStores(this.activeClient);
    }
    if (!this.hasUpdated) this.#pickReserve();
    if (changed.has('expect') && this.expect !== null && !EXPECTATIONS.includes(this.expect))
      if (isDevelopment())
        console.warn(
          `<lifeboat-banner>: expect="${this.expect}" is not one of ${EXPECTATIONS.join(', ')}.`,
        );
    const status = this.#status.value;
    const incidents = this.#incidents();
    const client = this.activeClient;
    if (client && !this.direct) {
      for (const incident of incidents) {
        if (!this.#me.has(incident.id))
          this.#me.set(incident.id, new StoreController(this, client.me(incident.id)));
        if (!this.#history.has(incident.id) && typeof client.affectedHistory === 'function')
          this.#history.set(
            incident.id,
            new StoreController(this, client.affectedHistory(incident.id)),
          );
      }
    }
    const severity = this.#severity(status, incidents);
    this.toggleState('loading', !status || status.state === 'loading');
    this.toggleState('error', status?.state === 'error' && !status.value);
    this.toggleState('operational', Boolean(status?.value) && incidents.length === 0);
    this.toggleState('incident', incidents.length > 0);
    this.toggleState('maintenance', this.#maintenances().length > 0);
    this.toggleState('direct', this.direct);
    this.toggleState('clipped', this.clipped && !this.expanded);
    this.toggleState('incident-reserve', this.#full);
    this.toggleState('summary', this.#summarised(incidents));
    this.toggleState('expanded', this.expanded);
    this.dataset.severity = severity ?? '';
    const value = status?.value;
    if (value && value !== this.#lastStatus) {
      this.#lastStatus = value;
      this.#noticeChanges(value, incidents);
    }
  }

  protected override firstUpdated(): void {
    this.#observe();
  }

  /** Measures again whenever the card or its content changes size. */
  #observe(): void {
    if (this.#resize || typeof ResizeObserver !== 'function') return;
    this.#resize = new ResizeObserver(() => this.#measure());
    for (const selector of ['.banner', '.inner']) {
      const node = this.renderRoot.querySelector(selector);
      if (node) this.#resize.observe(node);
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const change = this.#pendingChange;
    this.#pendingChange = undefined;
    if (change) this.dispatchEvent(new LifeboatStatusChangeEvent(change));
    // Through the CSSOM, never a style attribute: strict CSPs (no 'unsafe-inline') allow it.
    const card = this.renderRoot.querySelector<HTMLElement>('.banner');
    if (card && this.#reserve) card.style.setProperty('--_reserve', `${this.#reserve}px`);
    else card?.style.removeProperty('--_reserve');
    // Measured once the update is over (the ResizeObserver also catches later size changes,
    // but it does not run in background tabs).
    queueMicrotask(() => this.#measure());
  }

  /**
   * Chooses the height to reserve. Once the page has painted, the height its placeholder rule
   * (`lifeboat-banner:not(:defined) { min-height: … }`) gave the element is kept: changing it
   * would shift the page. Before the first paint (the usual case for a script in the head), or
   * without a placeholder: `expect` first, then the visitor's last visit (same site, same width
   * class): an incident then reserves the height its content needed; else the compact line.
   */
  #pickReserve(): void {
    const width = this.getBoundingClientRect().width || this.parentElement?.clientWidth || 0;
    this.#bucket = width > 0 && width < NARROW ? 'narrow' : 'wide';
    if (this.#placeholder > 0 && hasPainted()) {
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
      // The painted height decides: an incident in a one-line placeholder is summarised.
      this.#reserve = this.#placeholder;
      this.#full = this.#placeholder > COMPACT_LIMIT_REM * rem;
      return;
    }
    const last = this.#prefs.last(this.#bucket);
    this.#full = this.expect ? this.expect === 'incident' : Boolean(last?.incident);
    this.#reserve = this.#full && last?.incident ? last.height : null;
  }

  /** An open incident or maintenance shown as one line in the compact height. */
  #summarised(incidents: Incident[]): boolean {
    return !this.#full && this.#hasNews(incidents);
  }

  /** Something worth more than the overall line: a shown incident or an active maintenance. */
  #hasNews(incidents: Incident[]): boolean {
    return this.#shown(incidents).length > 0 || this.#maintenances().length > 0;
  }

  /** The incidents not dismissed (all of them while "show dismissed" is on). */
  #shown(incidents: Incident[]): Incident[] {
    return this.showDismissed
      ? incidents
      : incidents.filter((i) => !this.#prefs.isDismissed(i.id, i.phase, i.impact));
  }

  /**
   * Measures whether the content overflows the reserved height, and remembers what this visit
   * showed. Below the fold nothing the visitor sees can move: the banner fits its content there.
   */
  #measure(): void {
    const card = this.renderRoot.querySelector<HTMLElement>('.banner');
    const inner = this.renderRoot.querySelector<HTMLElement>('.inner');
    if (!card || !inner) return;
    const status = this.#status.value;
    const ready = status?.state === 'ready';
    const news = ready && this.#hasNews(this.#incidents());
    if (ready && this.#belowTheFold(card)) {
      if (this.#full !== news) {
        this.#full = news;
        this.#reserve = null;
        this.requestUpdate();
        return;
      }
      const fit = this.#needed(card, inner);
      if (this.#reserve === null || Math.abs(this.#reserve - fit) > 1) {
        this.#reserve = fit;
        card.style.setProperty('--_reserve', `${fit}px`);
      }
    }
    const needed = this.#needed(card, inner);
    const clipped = needed > card.getBoundingClientRect().height + 1;
    if (clipped !== this.clipped) this.clipped = clipped;
    if (ready && inner.offsetHeight > 0) {
      const known = this.#prefs.last(this.#bucket);
      this.#prefs.setLast(this.#bucket, {
        incident: news,
        // In the compact line the full content was not measured: keep what is known.
        height: !news ? null : this.#full ? needed : known?.incident ? known.height : null,
      });
    }
  }

  /** The card starts below the viewport (the page's own layout put it there). */
  #belowTheFold(card: HTMLElement): boolean {
    const viewport = globalThis.innerHeight;
    return viewport > 0 && card.getBoundingClientRect().top >= viewport;
  }

  /** The card height its content needs (content plus the card's padding and borders). */
  #needed(card: HTMLElement, inner: HTMLElement): number {
    const style = getComputedStyle(card);
    const chrome = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
      .map((key) => parseFloat(style[key as 'paddingTop']) || 0)
      .reduce((a, b) => a + b, 0);
    return Math.ceil(inner.getBoundingClientRect().height + chrome);
  }

  /**
   * After the visitor's own action (collapse, dismiss, show dismissed) the card fits its content
   * and is fixed at that height again. Browsers leave shifts right after input out of CLS.
   */
  async #refit(): Promise<void> {
    await this.updateComplete;
    const card = this.renderRoot.querySelector<HTMLElement>('.banner');
    const inner = this.renderRoot.querySelector<HTMLElement>('.inner');
    if (!card || !inner || this.expanded) return;
    this.#reserve = this.#needed(card, inner);
    card.style.setProperty('--_reserve', `${this.#reserve}px`);
  }

  /** Queues the status-change event and the live announcement for real changes only. */
  #noticeChanges(status: SiteStatus, incidents: Incident[]): void {
    const print = fingerprint(status);
    if (print !== this.#fingerprint) {
      this.#fingerprint = print;
      this.#pendingChange = status;
    }
    const m = messages();
    const next = new Map<string, Seen>(
      incidents.map((i) => [
        i.id,
        { title: i.title, phase: i.phase, impact: i.impact, update: i.updates[0]?.id },
      ]),
    );
    const previous = this.#seen;
    this.#seen = next;
    if (!previous) return;
    const lines: string[] = [];
    for (const incident of incidents) {
      const before = previous.get(incident.id);
      const phase = m.phase[incident.phase];
      const impact = m.impact[incident.impact];
      if (!before) lines.push(m.announceNew(incident.title, impact, phase));
      else if (before.phase !== incident.phase) lines.push(m.announcePhase(incident.title, phase));
      else if (before.impact !== incident.impact)
        lines.push(m.announceImpact(incident.title, impact));
      else if (before.update !== incident.updates[0]?.id && incident.updates[0])
        lines.push(m.announceUpdate(incident.title, incident.updates[0].body));
    }
    for (const [id, before] of previous)
      if (!next.has(id)) lines.push(m.announceResolved(before.title));
    if (lines.length === 0) return;
    const text = lines.join(' ');
    // The same words twice in a row would not change the DOM, so nothing would be announced.
    this.announcement = text === this.announcement ? `${text}\u00a0` : text;
  }

  /** The incidents shown: the one named by `incident`, or every open one. */
  #incidents(): Incident[] {
    if (this.incident && !this.direct) {
      const one = this.#incident.value;
      return one?.value ? [one.value] : [];
    }
    const all = this.#status.value?.value?.incidents ?? [];
    return this.incident ? all.filter((i) => i.id === this.incident) : all;
  }

  #maintenances(): Maintenance[] {
    return (this.#status.value?.value?.maintenances ?? []).filter(activeMaintenance);
  }

  #severity(status: Loadable<SiteStatus> | undefined, incidents: Incident[]): Severity | undefined {
    if (!status?.value) return undefined;
    return incidents.reduce<Severity>((acc, i) => {
      const sev: Severity = i.impact === 'none' ? 'minor' : i.impact;
      return RANK.indexOf(sev) > RANK.indexOf(acc) ? sev : acc;
    }, status.value.severity);
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

  #handleCollapse(incident: Incident): void {
    const pref = this.#prefs.incident(incident.id);
    this.#prefs.setIncident(incident.id, { ...pref, collapsed: !pref.collapsed });
    this.requestUpdate();
    void this.#refit();
  }

  #handleDismiss(incident: Incident): void {
    const pref = this.#prefs.incident(incident.id);
    this.#prefs.setIncident(incident.id, {
      ...pref,
      dismissed: { phase: incident.phase, impact: incident.impact },
    });
    this.showDismissed = false;
    this.requestUpdate();
    void this.#refit();
    // Focus would be lost with the removed section: keep it in the banner.
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector<HTMLElement>('[part="show-dismissed-button"], [part="dismiss-button"]')
        ?.focus(),
    );
  }

  #handleShowDismissed = (): void => {
    this.showDismissed = !this.showDismissed;
    void this.#refit();
  };

  #handleShowAll = (): void => {
    this.expanded = !this.expanded;
  };

  /** "Show details" of the compact line: the visitor's click may resize the banner. */
  #handleShowDetails = async (): Promise<void> => {
    this.#full = true;
    this.requestUpdate();
    await this.#refit();
    // The button is gone: focus goes to the first control of what it revealed.
    this.renderRoot.querySelector<HTMLElement>('.inner button')?.focus();
  };

  /** Keyboard users never land on a control hidden below the reserved height. */
  #handleFocusIn = (event: FocusEvent): void => {
    if (this.expanded || !this.clipped) return;
    const target = event.composedPath()[0] as HTMLElement | undefined;
    const card = this.renderRoot.querySelector<HTMLElement>('.banner');
    const more = this.renderRoot.querySelector<HTMLElement>('.more');
    if (!target || !card || more?.contains(target)) return;
    // Below the fade that covers the last part of the card counts as hidden too.
    const visibleBottom = more?.getBoundingClientRect().top ?? card.getBoundingClientRect().bottom;
    if (target.getBoundingClientRect().bottom > visibleBottom) this.expanded = true;
  };

  #renderSkeleton(): TemplateResult {
    return html`<div class="skeleton-card" part="skeleton" aria-busy="true">
      <span class="visually-hidden">${messages().loading}</span>
      <div class="skeleton line short"></div>
      ${
        this.#full
          ? html`<div class="skeleton line"></div>
              <div class="skeleton line medium"></div>`
          : nothing
      }
    </div>`;
  }

  /** The compact line with news: severity, the first title, how many more, "Show details". */
  #renderSummary(
    severity: Severity,
    shown: Incident[],
    maintenances: Maintenance[],
  ): TemplateResult {
    const m = messages();
    const titles = [...shown.map((i) => i.title), ...maintenances.map((x) => x.title)];
    return html`<div class="overall summary" part="overall">
      <span class="dot" part="status-dot" data-severity=${severity} aria-hidden="true"></span>
      <span class="overall-text">${m.severity[severity]}</span>
      <span class="summary-title" part="title">${titles[0]}</span>
      ${titles.length > 1 ? html`<span class="muted">${m.moreIncidents(titles.length - 1)}</span>` : nothing}
      <button
        type="button"
        class="link-button"
        part="details-button"
        aria-expanded="false"
        @click=${this.#handleShowDetails}
      >
        ${m.showDetails}
      </button>
    </div>`;
  }

  #renderOverall(
    severity: Severity,
    name: string | undefined,
    calm?: { components: SiteStatus['components'] },
  ): TemplateResult {
    // Early warning lives on this line in the calm state only (./early-warning.ts).
    const early = calm && this.#earlyWarning() ? calm : undefined;
    const signal = early ? renderSignal(this.signals) : nothing;
    return html`<div class="overall" part="overall">
      <span class="dot" part="status-dot" data-severity=${severity} aria-hidden="true"></span>
      <span class="overall-text">${messages().severity[severity]}</span>
      ${signal === nothing && name ? html`<span class="site muted">${name}</span>` : nothing}
      ${
        early
          ? html`${signal}<span class="early-warning">
                ${renderReportControl({
                  step: this.reportStep,
                  signals: this.signals,
                  components: early.components,
                  onReport: this.#handleReportProblem,
                  onComponent: this.#handleReportComponent,
                })}
              </span>`
          : nothing
      }
    </div>`;
  }

  #renderBody(
    status: Loadable<SiteStatus> | undefined,
    incidents: Incident[],
    severity: Severity | undefined,
  ): TemplateResult {
    const m = messages();
    if (!this.activeClient && !this.direct) return html`<p class="notice muted">${m.noClient}</p>`;
    if (
      !status ||
      status.state === 'loading' ||
      (this.incident && !this.direct && this.#incident.value?.state === 'loading')
    )
      return this.#renderSkeleton();
    if (!status.value || !severity) {
      return html`<div class="notice">
        <span>${m.loadError}</span>
        <button
          type="button"
          class=${this.#full ? 'button' : 'link-button'}
          @click=${() => this.activeClient?.retry()}
        >
          ${m.retry}
        </button>
      </div>`;
    }
    const value = status.value;
    const dismissed = incidents.filter((i) => this.#prefs.isDismissed(i.id, i.phase, i.impact));
    const shown = this.#shown(incidents);
    const maintenances = this.#maintenances();
    if (this.#summarised(incidents)) return this.#renderSummary(severity, shown, maintenances);
    const open = shown.find((i) => this.#popover.isOpen(i.id));
    const calm = incidents.length === 0 && maintenances.length === 0;
    return html`${this.#renderOverall(
      severity,
      value.site.name,
      calm ? { components: value.components } : undefined,
    )}
    ${shown.map((incident) =>
      renderIncident({
        incident,
        components: value.components,
        affected: this.#me.get(incident.id)?.value?.affected ?? false,
        timelineOpen: this.#popover.isOpen(incident.id),
        now: this.#clock.now,
        direct: this.direct,
        collapsed: Boolean(this.#prefs.incident(incident.id).collapsed),
        history: this.#history.get(incident.id)?.value?.value,
        onTimeline: this.#handleTimeline,
        onAffected: () => this.#handleAffected(incident),
        onSeeInThread: this.#handleSeeInThread,
        onCollapse: () => this.#handleCollapse(incident),
        onDismiss: () => this.#handleDismiss(incident),
      }),
    )}
    ${maintenances.map((maintenance) => renderMaintenance(maintenance, value.components))}
    ${
      dismissed.length
        ? html`<button
            type="button"
            class="link-button"
            part="show-dismissed-button"
            aria-pressed=${this.showDismissed ? 'true' : 'false'}
            @click=${this.#handleShowDismissed}
          >
            ${m.showDismissed(dismissed.length)}
          </button>`
        : nothing
    }
    ${open ? renderTimeline(open, this.#clock.now, () => this.#popover.hide()) : nothing}`;
  }

  protected override render(): TemplateResult {
    const m = messages();
    const status = this.#status.value;
    const incidents = this.#incidents();
    const severity = this.#severity(status, incidents);
    const loud =
      incidents.some((i) => LOUD.has(i.impact)) || (severity !== undefined && LOUD.has(severity));
    return html`<div
        class="banner"
        part="container"
        data-severity=${severity ?? 'loading'}
        @focusin=${this.#handleFocusIn}
      >
        <div class="content" part="content">
          <div class="inner">${this.#renderBody(status, incidents, severity)}</div>
        </div>
        ${
          this.clipped || this.expanded
            ? html`<div class="more">
                <button
                  type="button"
                  class="button"
                  part="show-all-button"
                  aria-expanded=${this.expanded ? 'true' : 'false'}
                  @click=${this.#handleShowAll}
                >
                  ${this.expanded ? m.showLess : m.showAll}
                </button>
              </div>`
            : nothing
        }
      </div>
      <div
        class="visually-hidden"
        part="announcer"
        role="status"
        aria-live=${loud ? 'assertive' : 'polite'}
        aria-atomic="true"
      >
        ${this.announcement}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-banner': LifeboatBanner;
  }
}
