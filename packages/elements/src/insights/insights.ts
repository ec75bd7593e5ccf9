import type { IncidentReport, IncidentSummary, SiteInsights } from '@lifeboat/protocol';
import {
  createInsights,
  type InsightsClient,
  type InsightsDays,
  type Loadable,
} from '@lifeboat/sdk/insights';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { isDevelopment, type Theme } from '../base/lifeboat-element.js';
import {
  completeStaffSignIn,
  staffSignInProvider,
  startStaffSignIn,
} from '../base/staff-sign-in.js';
import { StoreController } from '../controllers/store-controller.js';
import { messages, onMessagesChange } from '../localize.js';
import {
  BAR_ROW_HEIGHT,
  barList,
  columnChart,
  figure,
  lineChart,
  shareBar,
  shareLegend,
  type BarRow,
  type Group,
  type Series,
} from './charts.js';
import { insightsStyles } from './insights.styles.js';
import { duration, insightsMessages, onInsightsMessagesChange } from './messages.js';

export {
  setInsightsMessages,
  type InsightsMessageOverrides,
  type InsightsMessages,
} from './messages.js';

const THEMES: readonly Theme[] = ['light', 'dark', 'auto'];
const DAYS: readonly InsightsDays[] = [30, 90];

/**
 * Staff insights of one site (docs/insights.md): the incidents of the last 30 or 90 days with
 * their affected reports, answers and confirmations, the time to the first peer answer, the top
 * workarounds and how often the community found a fix before staff did; and one incident's
 * post-incident report with its timeline, exportable as CSV or a Markdown summary. Every chart
 * is an SVG with a data table behind it; the whole view prints.
 *
 * @summary Post-incident report and community insights for staff.
 *
 * @event change - The user chose another period or another incident's report (`days`, `incident`).
 *
 * @fires lifeboat-staff-sign-in - Signed in through the identity provider (docs/staff-sign-in.md): `detail` is `{ token, site, expiresAt, member }`; keep the token to stay signed in.
 * @csspart header - Heading, site and the period switch.
 * @csspart period - The 30 / 90 days switch.
 * @csspart totals - The totals of the period.
 * @csspart chart - One chart (`<figure>`).
 * @csspart data-table - The data table behind a chart (`<details>`).
 * @csspart incidents - The incidents table.
 * @csspart report - The selected incident's report.
 * @csspart export - The CSV and Markdown buttons.
 * @csspart notice - No token, unauthorized, empty and error notices.
 * @csspart sign-in - "Sign in with <provider>" when the server offers staff sign-in.
 *
 * @cssproperty --lifeboat-color-surface - Background.
 * @cssproperty --lifeboat-color-surface-raised - Tiles and bar tracks.
 * @cssproperty --lifeboat-color-text - Text.
 * @cssproperty --lifeboat-color-muted - Secondary text and axes.
 * @cssproperty --lifeboat-color-border - Borders and grid lines.
 * @cssproperty --lifeboat-color-accent - Answers, selection, focus.
 * @cssproperty --lifeboat-insights-affected - Affected reports (default: the major color).
 * @cssproperty --lifeboat-insights-answers - Answers (default: the accent).
 * @cssproperty --lifeboat-insights-confirmations - "Worked for me" (default: the operational color).
 * @cssproperty --lifeboat-insights-posts - Posts in the timeline (default: the maintenance color).
 * @cssproperty --lifeboat-space-1 - Spacing scale (1–6).
 * @cssproperty --lifeboat-radius-m - Corner radius.
 * @cssproperty --lifeboat-font-family - Font.
 *
 * @cssstate no-token - No token is set.
 * @cssstate unauthorized - The server refused the token (401/403).
 * @cssstate loading - The numbers are loading.
 * @cssstate error - The numbers could not be loaded.
 * @cssstate empty - No incidents in the period.
 */
@customElement('lifeboat-insights')
export class LifeboatInsights extends LitElement {
  static override styles = insightsStyles;
  /** The server used when the `server` attribute is missing (the CDN entry sets its own origin). */
  static defaultServer: string | undefined;

  /** Base URL of the Lifeboat server; defaults to the page's origin. */
  @property({ reflect: true }) server: string | null = null;

  /** Slug of the site. */
  @property({ reflect: true }) site: string | null = null;

  /** A staff or moderator session token of this site, or the admin key. Never reflected. */
  @property() token: string | null = null;

  /** Color scheme: `light`, `dark`, or `auto` (follows prefers-color-scheme). */
  @property({ reflect: true }) theme: Theme = 'auto';

  /** The period: the last 30 or 90 days. */
  @property({ type: Number, reflect: true }) days: InsightsDays = 30;

  /** The incident whose report is shown; defaults to the most recent one of the period. */
  @property({ reflect: true }) incident: string | null = null;

  /** An insights client to use instead of one made from server, site and token (tests, apps). */
  @property({ attribute: false }) client?: InsightsClient;

  /** The host's width, which the charts are drawn at. */
  @state() private width = 0;
  @state() private announcement = '';
  /** The Markdown summary shown when the clipboard refused it. */
  @state() private markdown: string | null = null;
  @state() private exportError = '';
  /** The identity provider's name when the server offers staff sign-in (docs/staff-sign-in.md). */
  @state() private ssoName: string | null = null;
  @state() private ssoError = '';

  readonly #site = new StoreController<Loadable<SiteInsights>>(this);
  readonly #report = new StoreController<Loadable<IncidentReport> | null>(this);
  readonly #internals: ElementInternals = this.attachInternals();
  #ownClient: { key: string; client: InsightsClient } | undefined;
  #activeClient: InsightsClient | undefined;
  #loaded: { client: InsightsClient; days: number } | undefined;
  #reportOf: { client: InsightsClient; incident: string | null } | undefined;
  #focusReport = false;
  #resize: ResizeObserver | undefined;
  #unlisten: Array<() => void> = [];

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unlisten = [
      onMessagesChange(() => this.requestUpdate()),
      onInsightsMessagesChange(() => this.requestUpdate()),
    ];
    // The next frame draws at the new width (redrawing inside the observer would loop).
    this.#resize = new ResizeObserver((entries) => {
      const width = Math.round(entries[0]?.contentRect.width ?? 0);
      if (width && Math.abs(width - this.width) > 1)
        requestAnimationFrame(() => {
          this.width = width;
        });
    });
    this.#resize.observe(this);
    void this.#checkSignIn();
  }

  #server(): string | undefined {
    return this.server || LifeboatInsights.defaultServer || globalThis.location?.origin;
  }

  /** As `<lifeboat-moderation>`: finishes a sign-in this page came back from, asks for one. */
  async #checkSignIn(): Promise<void> {
    const server = this.#server();
    if (this.client || !server) return;
    try {
      const session = await completeStaffSignIn(server);
      if (session && (!this.site || session.site === this.site)) {
        this.token = session.token;
        this.dispatchEvent(
          new CustomEvent('lifeboat-staff-sign-in', {
            detail: session,
            bubbles: true,
            composed: true,
          }),
        );
      }
    } catch (err) {
      this.ssoError = (err as Error).message;
    }
    this.ssoName = await staffSignInProvider(server);
  }

  #signIn = (): void => {
    const server = this.#server();
    if (server && this.site) void startStaffSignIn(server, this.site);
  };

  #renderSignIn(): TemplateResult | typeof nothing {
    if (!this.site || (!this.ssoName && !this.ssoError)) return nothing;
    const m = insightsMessages();
    return html`${
      this.ssoName
        ? html`<button type="button" class="button primary" part="sign-in" @click=${this.#signIn}>
            ${m.signInWith(this.ssoName)}
          </button>`
        : nothing
    }
    ${this.ssoError ? html`<p class="sso-error" role="alert">${this.ssoError}</p>` : nothing}`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.#unlisten) off();
    this.#unlisten = [];
    this.#resize?.disconnect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (isDevelopment()) {
      if (changed.has('theme') && !THEMES.includes(this.theme))
        console.warn(`<lifeboat-insights>: theme="${this.theme}" is not one of light, dark, auto.`);
      if (changed.has('days') && !DAYS.includes(this.days))
        console.warn(`<lifeboat-insights>: days="${this.days}" is not 30 or 90; using 30.`);
    }
    const days: InsightsDays = DAYS.includes(this.days) ? this.days : 30;
    const client = this.#resolveClient();
    if (client !== this.#activeClient) {
      this.#activeClient = client;
      this.#site.store = client?.$site;
      this.#report.store = client?.$report;
    }
    if (client && (this.#loaded?.client !== client || this.#loaded.days !== days)) {
      this.#loaded = { client, days };
      void client.loadSite(days);
    }
    const site = this.#site.value;
    const insights = site?.state === 'ready' ? site.value : undefined;
    // The report shown: the chosen incident, else the period's most recent one.
    const incident = this.incident ?? insights?.incidents.at(-1)?.id ?? null;
    if (
      client &&
      insights &&
      (this.#reportOf?.client !== client || this.#reportOf.incident !== incident)
    ) {
      this.#reportOf = { client, incident };
      this.markdown = null;
      this.exportError = '';
      void client.loadReport(incident);
    }
    const unauthorized = this.#unauthorized();
    this.#toggle('no-token', !client);
    this.#toggle('unauthorized', unauthorized);
    this.#toggle('loading', !!client && !unauthorized && site?.state === 'loading');
    this.#toggle('error', !unauthorized && site?.state === 'error');
    this.#toggle('empty', !!insights && insights.incidents.length === 0);
  }

  protected override updated(): void {
    if (this.#focusReport && this.#report.value?.state === 'ready') {
      this.#focusReport = false;
      this.renderRoot.querySelector<HTMLElement>('#report-heading')?.focus();
    }
  }

  #toggle(name: string, on: boolean): void {
    try {
      if (on) this.#internals.states.add(name);
      else this.#internals.states.delete(name);
    } catch {
      // Custom states unsupported: styling by state is not available there.
    }
  }

  #resolveClient(): InsightsClient | undefined {
    if (this.client) return this.client;
    const server = this.#server();
    if (!server || !this.site || !this.token) {
      this.#ownClient = undefined;
      return undefined;
    }
    const key = `${server}\n${this.site}\n${this.token}`;
    if (this.#ownClient?.key !== key)
      this.#ownClient = {
        key,
        client: createInsights({ server, site: this.site, token: this.token }),
      };
    return this.#ownClient.client;
  }

  #unauthorized(): boolean {
    const status = this.#site.value?.error?.status;
    return status === 401 || status === 403;
  }

  // ---- formatting ----

  #date(iso: string, withTime = false): string {
    return new Intl.DateTimeFormat(messages().locale, {
      month: 'short',
      day: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
    }).format(new Date(iso));
  }

  #time(iso: string): string {
    return new Intl.DateTimeFormat(messages().locale, {
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(iso));
  }

  /** The width charts are drawn at: the host's, less paddings, halved in two columns. */
  #chartWidth(wide: boolean): number {
    const host = this.width || 720;
    const inner = host - 2 - (host <= 520 ? 24 : 48);
    const column = !wide && inner >= 860 ? (inner - 12) / 2 : inner;
    return Math.max(240, Math.floor(column - 2 - 32));
  }

  // ---- handlers ----

  #handleDays(days: InsightsDays): void {
    if (days === this.days) return;
    this.days = days;
    this.incident = null;
    this.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  }

  #handleSelect(id: string): void {
    this.incident = id;
    this.#focusReport = true;
    this.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  }

  #handleRetry = (): void => {
    this.#loaded = undefined;
    this.#reportOf = undefined;
    this.requestUpdate();
  };

  async #handleCsv(report: IncidentReport): Promise<void> {
    const client = this.#activeClient;
    if (!client) return;
    this.exportError = '';
    try {
      const csv = await client.reportText(report.incident.id, 'csv');
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `lifeboat-report-${report.incident.id.replace(/[^A-Za-z0-9_-]+/g, '-')}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      this.exportError = insightsMessages().exportFailed;
    }
  }

  async #handleMarkdown(report: IncidentReport): Promise<void> {
    const client = this.#activeClient;
    if (!client) return;
    const m = insightsMessages();
    this.exportError = '';
    let text: string;
    try {
      text = await client.reportText(report.incident.id, 'markdown');
    } catch {
      this.exportError = m.exportFailed;
      return;
    }
    try {
      await navigator.clipboard.writeText(text);
      this.markdown = null;
      this.announcement = m.copied;
    } catch {
      this.markdown = text;
      this.announcement = m.copyFailed;
    }
  }

  // ---- rendering ----

  #renderHeader(): TemplateResult {
    const m = insightsMessages();
    return html`<header class="header" part="header">
      <h2 class="heading" id="heading">${m.heading}</h2>
      ${this.site ? html`<span class="site">${m.siteLabel(this.site)}</span>` : nothing}
      <div class="window" part="period" role="group" aria-label=${m.windowLabel}>
        ${DAYS.map(
          (d) =>
            html`<button
              type="button"
              class="button"
              aria-pressed=${this.days === d ? 'true' : 'false'}
              @click=${() => this.#handleDays(d)}
            >
              ${m.lastDays(d)}
            </button>`,
        )}
      </div>
    </header>`;
  }

  #tile(label: string, value: string, note?: string): TemplateResult {
    return html`<div class="tile">
      <dt>${label}</dt>
      <dd>${value}${note ? html` <span class="note">${note}</span>` : nothing}</dd>
    </div>`;
  }

  #renderTotals(insights: SiteInsights): TemplateResult {
    const m = insightsMessages();
    const t = insights.totals;
    const share = t.incidents
      ? `${Math.round((t.communityFirst / t.incidents) * 100)} %`
      : undefined;
    return html`<dl class="tiles" part="totals" aria-label=${m.totalsLabel}>
      ${this.#tile(m.incidents, String(t.incidents))}
      ${this.#tile(m.affectedReports, String(t.affected))}
      ${this.#tile(m.peerAnswers, String(t.answers))}
      ${this.#tile(m.confirmations, String(t.confirmations))}
      ${this.#tile(m.communityFirst, m.communityFirstValue(t.communityFirst, t.incidents), share)}
      ${this.#tile(
        m.medianFirstAnswer,
        t.medianTimeToFirstAnswerMs === null ? m.none : duration(t.medianTimeToFirstAnswerMs),
      )}
    </dl>`;
  }

  #groups(incidents: IncidentSummary[], values: (i: IncidentSummary) => number[]): Group[] {
    return incidents.map((i) => ({
      label: this.#date(i.startedAt),
      name: i.title,
      values: values(i),
    }));
  }

  #renderCharts(insights: SiteInsights): TemplateResult {
    const m = insightsMessages();
    const incidents = insights.incidents;
    const w = this.#chartWidth(false);
    const head = (...cells: string[]) =>
      html`<thead>
        <tr>
          ${cells.map((c) => html`<th scope="col">${c}</th>`)}
        </tr>
      </thead>`;
    const rowHead = (i: IncidentSummary) =>
      html`<th scope="row">
        ${i.title}<span class="visually-hidden">, ${this.#date(i.startedAt)}</span>
      </th>`;

    const mostAffected = incidents.reduce<IncidentSummary | null>(
      (top, i) => (i.affected > (top?.affected ?? 0) ? i : top),
      null,
    );
    const affected = figure({
      id: 'chart-affected',
      title: m.affectedChart,
      summary: m.affectedSummary(mostAffected?.affected ?? 0, mostAffected?.title ?? ''),
      width: w,
      height: 200,
      chart: columnChart(
        [{ name: m.affectedSeries, cls: 's-affected' }],
        this.#groups(incidents, (i) => [i.affected]),
        w,
      ),
      table: html`${head(m.incidentColumn, m.startedColumn, m.affectedColumn)}
        <tbody>
          ${incidents.map(
            (i) =>
              html`<tr>
                ${rowHead(i)}
                <td>${this.#date(i.startedAt, true)}</td>
                <td>${i.affected}</td>
              </tr>`,
          )}
        </tbody>`,
    });

    const activitySeries: Series[] = [
      { name: m.answersColumn, cls: 's-answers' },
      { name: m.confirmationsColumn, cls: 's-confirmations' },
    ];
    const activity = figure({
      id: 'chart-activity',
      title: m.activityChart,
      summary: m.activitySummary(insights.totals.answers, insights.totals.confirmations),
      width: w,
      height: 200,
      legend: activitySeries,
      chart: columnChart(
        activitySeries,
        this.#groups(incidents, (i) => [i.answers, i.confirmations]),
        w,
      ),
      table: html`${head(m.incidentColumn, m.answersColumn, m.confirmationsColumn)}
        <tbody>
          ${incidents.map(
            (i) =>
              html`<tr>
                ${rowHead(i)}
                <td>${i.answers}</td>
                <td>${i.confirmations}</td>
              </tr>`,
          )}
        </tbody>`,
    });

    const firstRows: BarRow[] = incidents.map((i) => ({
      label: `${this.#date(i.startedAt)} · ${i.title}`,
      value: i.timeToFirstAnswerMs,
      display: i.timeToFirstAnswerMs === null ? m.noAnswer : duration(i.timeToFirstAnswerMs),
      cls: 's-answers',
    }));
    const median = insights.totals.medianTimeToFirstAnswerMs;
    const firstAnswer = figure({
      id: 'chart-first-answer',
      title: m.firstAnswerChart,
      summary: m.firstAnswerSummary(median === null ? null : duration(median)),
      width: w,
      height: Math.max(1, firstRows.length) * BAR_ROW_HEIGHT,
      chart: barList(firstRows, w),
      table: html`${head(m.incidentColumn, m.firstAnswerColumn)}
        <tbody>
          ${incidents.map(
            (i, n) =>
              html`<tr>
                ${rowHead(i)}
                <td>${firstRows[n]!.display}</td>
              </tr>`,
          )}
        </tbody>`,
    });

    const top = insights.topWorkarounds;
    const topRows: BarRow[] = top.map((t) => ({
      label: t.title,
      value: t.confirmations,
      display: String(t.confirmations),
      cls: 's-confirmations',
    }));
    const topWorkarounds = figure({
      id: 'chart-top-workarounds',
      title: m.topWorkaroundsChart,
      summary: m.topWorkaroundsSummary(top.length),
      width: w,
      height: Math.max(1, topRows.length) * BAR_ROW_HEIGHT,
      chart: barList(topRows, w),
      table: html`${head(m.workaroundColumn, m.confirmationsColumn, m.didntWork, m.verified)}
        <tbody>
          ${top.map(
            (t) =>
              html`<tr>
                <th scope="row">${t.title}</th>
                <td>${t.confirmations}</td>
                <td>${t.didntWork}</td>
                <td>${t.verified ? m.yes : m.no}</td>
              </tr>`,
          )}
        </tbody>`,
    });

    const helpers = insights.topHelpers ?? [];
    const helperRows: BarRow[] = helpers.map((h) => ({
      label: `${h.displayName} · ${m.trustLevel(h.trust)}`,
      value: h.helped,
      display: String(h.helped),
      cls: 's-answers',
    }));
    const whoHelped = figure({
      id: 'chart-helpers',
      title: m.helpersChart,
      summary: m.helpersSummary(helpers.length),
      width: w,
      height: Math.max(1, helperRows.length) * BAR_ROW_HEIGHT,
      chart: barList(helperRows, w),
      table: html`${head(m.memberColumn, m.helpedColumn, m.reputationColumn, m.trustColumn)}
        <tbody>
          ${helpers.map(
            (h) =>
              html`<tr>
                <th scope="row">${h.displayName}</th>
                <td>${h.helped}</td>
                <td>${h.reputation}</td>
                <td>${m.trustLevel(h.trust)}</td>
              </tr>`,
          )}
        </tbody>`,
    });

    const first = incidents.filter((i) => i.communityFirst).length;
    const noFix = incidents.filter((i) => i.communityFixAt === null).length;
    const shares = [
      { name: m.shareCommunity, value: first, cls: 's-confirmations' },
      { name: m.shareStaff, value: incidents.length - first - noFix, cls: 's-staff' },
      { name: m.shareNoFix, value: noFix, cls: 's-none' },
    ];
    const shareWidth = this.#chartWidth(true);
    const share = figure({
      id: 'chart-share',
      title: m.shareChart,
      summary: m.shareSummary(first, incidents.length),
      width: shareWidth,
      height: 36,
      wide: true,
      chart: shareBar(shares, shareWidth),
      after: shareLegend(shares),
      table: html`${head(m.shareChart, m.incidents)}
        <tbody>
          ${shares.map(
            (s) =>
              html`<tr>
                <th scope="row">${s.name}</th>
                <td>${s.value}</td>
              </tr>`,
          )}
        </tbody>`,
    });

    return html`<section class="section" aria-labelledby="charts-heading">
      <h3 id="charts-heading" class="visually-hidden">${m.chartsLabel}</h3>
      <div class="charts">
        ${affected} ${activity} ${firstAnswer} ${topWorkarounds} ${whoHelped} ${share}
      </div>
    </section>`;
  }

  #renderIncidents(insights: SiteInsights, selected: string | null): TemplateResult {
    const m = insightsMessages();
    const rows = [...insights.incidents].reverse();
    const reportButton = (i: IncidentSummary) =>
      html`<button
        type="button"
        class="button"
        aria-label=${m.viewReportLabel(i.title)}
        aria-pressed=${i.id === selected ? 'true' : 'false'}
        @click=${() => this.#handleSelect(i.id)}
      >
        ${m.viewReport}
      </button>`;
    const firstAnswer = (i: IncidentSummary) =>
      i.timeToFirstAnswerMs === null ? m.none : duration(i.timeToFirstAnswerMs);
    // On a phone: one card per incident instead of a table that scrolls sideways.
    if (this.width && this.width < 640)
      return html`<section class="section" aria-labelledby="incidents-heading">
        <h3 id="incidents-heading">${m.incidentsTable}</h3>
        <ul class="incident-cards" part="incidents">
          ${rows.map(
            (i) =>
              html`<li aria-current=${i.id === selected ? 'true' : 'false'}>
                <div class="card-head">
                  <h4>${i.title}</h4>
                  ${reportButton(i)}
                </div>
                <dl>
                  <div>
                    <dt>${m.startedColumn}</dt>
                    <dd>${this.#date(i.startedAt, true)}</dd>
                  </div>
                  <div>
                    <dt>${m.affectedColumn}</dt>
                    <dd>${i.affected}</dd>
                  </div>
                  <div>
                    <dt>${m.answersColumn}</dt>
                    <dd>${i.answers}</dd>
                  </div>
                  <div>
                    <dt>${m.confirmationsColumn}</dt>
                    <dd>${i.confirmations}</dd>
                  </div>
                  <div>
                    <dt>${m.firstAnswerColumn}</dt>
                    <dd>${firstAnswer(i)}</dd>
                  </div>
                  <div>
                    <dt>${m.communityFirstColumn}</dt>
                    <dd>${i.communityFirst ? m.yes : m.no}</dd>
                  </div>
                </dl>
              </li>`,
          )}
        </ul>
      </section>`;
    return html`<section class="section" aria-labelledby="incidents-heading">
      <h3 id="incidents-heading">${m.incidentsTable}</h3>
      <div class="table-scroll">
        <table class="incidents" part="incidents">
          <thead>
            <tr>
              <th scope="col">${m.incidentColumn}</th>
              <th scope="col">${m.startedColumn}</th>
              <th scope="col">${m.affectedColumn}</th>
              <th scope="col">${m.answersColumn}</th>
              <th scope="col">${m.confirmationsColumn}</th>
              <th scope="col">${m.firstAnswerColumn}</th>
              <th scope="col">${m.communityFirstColumn}</th>
              <th scope="col"><span class="visually-hidden">${m.viewReport}</span></th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (i) =>
                html`<tr aria-current=${i.id === selected ? 'true' : 'false'}>
                  <th scope="row">${i.title}</th>
                  <td>${this.#date(i.startedAt, true)}</td>
                  <td>${i.affected}</td>
                  <td>${i.answers}</td>
                  <td>${i.confirmations}</td>
                  <td>${firstAnswer(i)}</td>
                  <td>${i.communityFirst ? m.yes : m.no}</td>
                  <td>${reportButton(i)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
  }

  #renderReport(
    report: Loadable<IncidentReport> | null | undefined,
  ): TemplateResult | typeof nothing {
    const m = insightsMessages();
    if (!report) return nothing;
    if (report.state === 'loading')
      return html`<section class="report" part="report" aria-busy="true">
        <p class="muted">${m.reportLoading}</p>
        <div class="skeleton"></div>
      </section>`;
    if (report.state === 'error')
      return html`<section class="report" part="report">
        <p class="notice error" part="notice" role="alert">
          ${m.reportError} ${report.error.message}
        </p>
      </section>`;
    const r = report.value;
    const wide = this.#chartWidth(true);
    const head = (...cells: string[]) =>
      html`<thead>
        <tr>
          ${cells.map((c) => html`<th scope="col">${c}</th>`)}
        </tr>
      </thead>`;
    const dayBuckets = r.bucketMinutes >= 1440;
    const series: Series[] = [
      { name: m.affectedSeries, cls: 's-affected' },
      { name: m.postsSeries, cls: 's-posts' },
      { name: m.confirmationsSeries, cls: 's-confirmations' },
    ];
    const groups: Group[] = r.timeline.map((b) => ({
      label: dayBuckets ? this.#date(b.start) : this.#time(b.start),
      name: this.#date(b.start, true),
      values: [b.affected, b.posts, b.confirmations],
    }));
    const timeline = figure({
      id: 'chart-timeline',
      title: m.timelineChart,
      summary: m.timelineSummary(duration(r.bucketMinutes * 60_000)),
      width: wide,
      height: 220,
      legend: series,
      wide: true,
      chart: lineChart(series, groups, wide, 220),
      table: html`${head(m.windowColumn, m.affectedSeries, m.postsSeries, m.confirmationsSeries)}
        <tbody>
          ${r.timeline.map(
            (b) =>
              html`<tr>
                <th scope="row">${this.#date(b.start, true)}</th>
                <td>${b.affected}</td>
                <td>${b.posts}</td>
                <td>${b.confirmations}</td>
              </tr>`,
          )}
        </tbody>`,
    });
    const rows: BarRow[] = r.topWorkarounds.map((t) => ({
      label: t.verified ? `${t.title} ✓` : t.title,
      value: t.confirmations,
      display: String(t.confirmations),
      cls: 's-confirmations',
    }));
    const workarounds = r.topWorkarounds.length
      ? figure({
          id: 'chart-report-workarounds',
          title: m.reportWorkarounds,
          summary: m.topWorkaroundsSummary(rows.length),
          width: wide,
          height: rows.length * BAR_ROW_HEIGHT,
          wide: true,
          chart: barList(rows, wide),
          table: html`${head(m.workaroundColumn, m.confirmationsColumn, m.didntWork, m.verified)}
            <tbody>
              ${r.topWorkarounds.map(
                (t) =>
                  html`<tr>
                    <th scope="row">${t.title}</th>
                    <td>${t.confirmations}</td>
                    <td>${t.didntWork}</td>
                    <td>${t.verified ? m.yes : m.no}</td>
                  </tr>`,
              )}
            </tbody>`,
        })
      : nothing;
    const since = (ms: number | null) => (ms === null ? m.none : m.inTime(duration(ms)));
    const named = (title: string, list: IncidentReport['components']) =>
      html`<div>
        <h4 class="muted">${title}</h4>
        ${
          list.length
            ? html`<ul class="chips">
                ${list.map((c) => html`<li>${c.name} · ${c.workarounds}</li>`)}
              </ul>`
            : html`<p class="muted">${m.noneNamed}</p>`
        }
      </div>`;
    const mod = r.moderation;
    return html`<section class="report" part="report" aria-labelledby="report-heading">
      <div class="report-head">
        <h3 id="report-heading" tabindex="-1">${m.reportHeading(r.incident.title)}</h3>
        <div class="report-actions" part="export">
          <button type="button" class="button" @click=${() => this.#handleCsv(r)}>
            ${m.downloadCsv}
          </button>
          <button type="button" class="button" @click=${() => this.#handleMarkdown(r)}>
            ${m.copyMarkdown}
          </button>
        </div>
      </div>
      <p class="meta">
        ${m.impact(r.incident.impact)} · ${this.#date(r.incident.startedAt, true)} ·
        ${r.durationMs === null ? m.ongoing : m.lasted(duration(r.durationMs))}
      </p>
      ${
        this.exportError
          ? html`<p class="notice error" role="alert">${this.exportError}</p>`
          : nothing
      }
      ${
        this.markdown !== null
          ? html`<textarea
              class="markdown"
              readonly
              aria-label=${m.copyMarkdown}
              .value=${this.markdown}
            ></textarea>`
          : nothing
      }
      <dl class="tiles">
        ${this.#tile(m.participants, String(r.participants))}
        ${this.#tile(m.affected, String(r.affected))} ${this.#tile(m.answers, String(r.answers))}
        ${this.#tile(m.workarounds, String(r.workarounds))}
        ${this.#tile(m.replies, String(r.replies))}
        ${this.#tile(m.confirmations, String(r.confirmations))}
        ${this.#tile(m.didntWork, String(r.didntWork))}
        ${this.#tile(m.verifiedWorkarounds, String(r.verifiedWorkarounds))}
        ${this.#tile(m.firstAnswer, since(r.timeToFirstAnswerMs))}
        ${this.#tile(m.verifiedFix, since(r.timeToVerifiedFixMs))}
      </dl>
      <div class="charts">${timeline} ${workarounds}</div>
      <div class="named">
        ${named(m.componentsNamed, r.components)} ${named(m.platformsNamed, r.platforms)}
      </div>
      <div class="section">
        <h4 class="muted">${m.moderation}</h4>
        <dl class="tiles">
          ${this.#tile(m.held, String(mod.held))} ${this.#tile(m.approved, String(mod.approved))}
          ${this.#tile(m.rejected, String(mod.rejected))}
          ${this.#tile(m.hidden, String(mod.hidden))} ${this.#tile(m.flagged, String(mod.flagged))}
        </dl>
      </div>
    </section>`;
  }

  protected override render(): TemplateResult {
    const m = insightsMessages();
    const site = this.#site.value;
    let body: TemplateResult;
    if (!this.#activeClient) {
      body = html`<div class="notice sign-in-notice" part="notice">
        <p>${!this.site ? m.noServer : this.ssoName ? m.signInPrompt : m.noToken}</p>
        ${this.#renderSignIn()}
      </div>`;
    } else if (this.#unauthorized()) {
      body = html`<div class="notice error sign-in-notice" part="notice" role="alert">
        <p>${m.unauthorized}</p>
        ${this.#renderSignIn()}
      </div>`;
    } else if (!site || site.state === 'loading') {
      body = html`<div aria-busy="true">
        <p class="muted">${m.loading}</p>
        <div class="tiles">${[0, 1, 2].map(() => html`<div class="skeleton"></div>`)}</div>
      </div>`;
    } else if (site.state === 'error') {
      body = html`<div class="notice error" part="notice" role="alert">
        <p>${m.loadError} ${site.error.message}</p>
        <button type="button" class="button" @click=${this.#handleRetry}>${m.retry}</button>
      </div>`;
    } else if (!site.value.incidents.length) {
      body = html`<p class="notice" part="notice">${m.noIncidents(site.value.days)}</p>`;
    } else {
      const insights = site.value;
      const selected = this.incident ?? insights.incidents.at(-1)?.id ?? null;
      body = html`${this.#renderTotals(insights)} ${this.#renderCharts(insights)}
      ${this.#renderIncidents(insights, selected)} ${this.#renderReport(this.#report.value)}`;
    }
    return html`<section class="insights" aria-labelledby="heading">
      ${this.#renderHeader()} ${body}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-insights': LifeboatInsights;
  }
}
