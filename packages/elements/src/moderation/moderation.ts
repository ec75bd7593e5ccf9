import type { QueueItem } from '@lifeboat/protocol';
import {
  createModeration,
  type AuditSnapshot,
  type ModerationClient,
  type QueueSnapshot,
  type SpikesSnapshot,
  type StaffConnectionState,
} from '@lifeboat/sdk/moderation';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { isDevelopment, type Theme } from '../base/lifeboat-element.js';
import {
  completeStaffSignIn,
  staffSignInProvider,
  startStaffSignIn,
} from '../base/staff-sign-in.js';
import { ClockController } from '../controllers/clock-controller.js';
import { StoreController } from '../controllers/store-controller.js';
import { onMessagesChange } from '../localize.js';
import { actionForKey, SHORTCUTS, type ItemAction } from './actions.js';
import { AuditMoreEvent, AuditRetryEvent } from './audit-log.js';
import './audit-log.js';
import { moderationMessages, onModerationMessagesChange } from './messages.js';
import { moderationStyles } from './moderation.styles.js';
import { actionLabel, QueueActionEvent, type LifeboatQueueItem } from './queue-item.js';
import './queue-item.js';
import { SpikeActionEvent } from './spikes.js';
import './spikes.js';

export {
  setModerationMessages,
  type ModerationMessageOverrides,
  type ModerationMessages,
} from './messages.js';

export type ModerationTab = 'queue' | 'audit';
export type QueueFilter = 'all' | 'pending' | 'flagged';

const THEMES: readonly Theme[] = ['light', 'dark', 'auto'];
/** Actions after which the post leaves the queue (focus moves on to the next one). */
const CLEARING = new Set<ItemAction>(['approve', 'reject', 'remove', 'hide', 'restore']);

/**
 * The staff moderation console of one site: the queue of posts waiting for review (pending and
 * flagged, each with why it is held), one-key actions on the focused post, live updates from the
 * staff stream, and the audit log. Works on any admin page given a staff token.
 *
 * Keyboard, on the focused post: A approve (keep a flagged post), R reject, H hide, S restore,
 * V verify, P pin, B ban the author; J / K or ↓ / ↑ move; Tab reaches the buttons
 * and the optional reason; Escape goes back to the post.
 *
 * @summary Moderation queue, actions and audit log for staff.
 *
 * @fires lifeboat-staff-sign-in - Signed in through the identity provider (docs/staff-sign-in.md): `detail` is `{ token, site, expiresAt, member }`; keep the token to stay signed in.
 * @csspart header - Heading, site and live state.
 * @csspart heading - "Moderation".
 * @csspart connection - The live state ("Live", "Reconnecting…").
 * @csspart slow-mode - The slow mode control.
 * @csspart tabs - The Queue / Audit log tab list.
 * @csspart tab - One tab.
 * @csspart filter - The All / Pending / Flagged buttons.
 * @csspart shortcuts - The keyboard legend.
 * @csspart queue - The list of posts to review.
 * @csspart item - One post to review (`<article>`).
 * @csspart reasons - Why a post is held (policy reasons, flags).
 * @csspart flags - Flag counts and notes.
 * @csspart body - The post's text.
 * @csspart actions - The actions of a post.
 * @csspart action-button - One action button.
 * @csspart reason - The optional reason field.
 * @csspart banned-badge - "Banned" next to an author.
 * @csspart audit-list - The audit log.
 * @csspart load-more - "Load older entries".
 * @csspart empty - Empty states ("All clear").
 * @csspart notice - No token, unauthorized, offline and error notices.
 * @csspart sign-in - "Sign in with <provider>" when the server offers staff sign-in.
 *
 * @cssproperty --lifeboat-color-surface - Background.
 * @cssproperty --lifeboat-color-surface-raised - Cards, hover and the legend.
 * @cssproperty --lifeboat-color-text - Text.
 * @cssproperty --lifeboat-color-muted - Secondary text.
 * @cssproperty --lifeboat-color-border - Borders.
 * @cssproperty --lifeboat-color-accent - Approve button, selected tab, focus.
 * @cssproperty --lifeboat-color-danger - Reject, ban, errors.
 * @cssproperty --lifeboat-color-minor - Risky-advice reasons and reconnecting.
 * @cssproperty --lifeboat-color-operational - The live dot and "All clear".
 * @cssproperty --lifeboat-space-1 - Spacing scale (1–6).
 * @cssproperty --lifeboat-radius-m - Corner radius.
 * @cssproperty --lifeboat-font-family - Font.
 * @cssproperty --lifeboat-font-mono - Matched text, ids and keys.
 *
 * @cssstate no-token - No token is set.
 * @cssstate unauthorized - The server refused the token (401/403).
 * @cssstate loading - The queue is loading.
 * @cssstate error - The queue could not be loaded.
 * @cssstate empty - Nothing waits for review.
 * @cssstate offline - The staff stream is down (offline or reconnecting).
 */
@customElement('lifeboat-moderation')
export class LifeboatModeration extends LitElement {
  static override styles = moderationStyles;
  static override shadowRootOptions: ShadowRootInit = {
    ...LitElement.shadowRootOptions,
    delegatesFocus: true,
  };
  /** The server used when the `server` attribute is missing (the CDN entry sets its own origin). */
  static defaultServer: string | undefined;

  /** Base URL of the Lifeboat server; defaults to the page's origin. */
  @property({ reflect: true }) server: string | null = null;

  /** Slug of the site to moderate. */
  @property({ reflect: true }) site: string | null = null;

  /**
   * A staff or moderator session token of this site, or the server's admin key. Sent only in the
   * `Authorization` header; never reflected back to the attribute.
   */
  @property() token: string | null = null;

  /** Color scheme: `light`, `dark`, or `auto` (follows prefers-color-scheme). */
  @property({ reflect: true }) theme: Theme = 'auto';

  /** The view shown: the queue or the audit log. */
  @property({ reflect: true }) tab: ModerationTab = 'queue';

  /** A moderation client to use instead of one made from server, site and token (tests, apps). */
  @property({ attribute: false }) client?: ModerationClient;

  @state() private filter: QueueFilter = 'all';
  /** The post the keyboard acts on. */
  @state() private activeId: string | null = null;
  @state() private announcement = '';
  @state() private slowModeError = '';
  /** The identity provider's name when the server offers staff sign-in (docs/staff-sign-in.md). */
  @state() private ssoName: string | null = null;
  @state() private ssoError = '';

  readonly #queue = new StoreController<QueueSnapshot>(this);
  readonly #audit = new StoreController<AuditSnapshot>(this);
  readonly #connection = new StoreController<StaffConnectionState>(this);
  readonly #slowMode = new StoreController<number | null>(this);
  /** Early warning (./spikes.ts); absent from clients without it. */
  readonly #spikes = new StoreController<SpikesSnapshot>(this);
  /** Spike ids seen so far (to announce a new one); undefined before the first list. */
  #seenSpikes: Set<string> | undefined;
  readonly #clock = new ClockController(this);
  readonly #internals: ElementInternals = this.attachInternals();
  #ownClient: { key: string; client: ModerationClient } | undefined;
  #activeClient: ModerationClient | undefined;
  /** Post ids seen so far (to announce live arrivals); undefined before the first snapshot. */
  #seen: Set<string> | undefined;
  /** Position of the active post in the visible list, to pick the next one when it leaves. */
  #activeIndex = 0;
  /** Focus the active post after the next render (it replaced one that had focus). */
  #refocus = false;
  #unlisten: Array<() => void> = [];
  #auditOpened = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unlisten = [
      onMessagesChange(() => this.requestUpdate()),
      onModerationMessagesChange(() => this.requestUpdate()),
    ];
    void this.#checkSignIn();
  }

  #server(): string | undefined {
    return this.server || LifeboatModeration.defaultServer || globalThis.location?.origin;
  }

  /**
   * Finishes a staff sign-in this page came back from (the token is set, and
   * `lifeboat-staff-sign-in` tells the page so it can keep it), and asks whether the server
   * offers one ("Sign in with <provider>").
   */
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
    const m = moderationMessages();
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
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('theme') && !THEMES.includes(this.theme) && isDevelopment()) {
      console.warn(
        `<lifeboat-moderation>: theme="${this.theme}" is not one of ${THEMES.join(', ')}.`,
      );
    }
    const client = this.#resolveClient();
    if (client !== this.#activeClient) {
      this.#activeClient = client;
      this.#queue.store = client?.$queue;
      this.#connection.store = client?.$connection;
      this.#slowMode.store = client?.$slowMode;
      this.#spikes.store = client?.$spikes;
      this.#seenSpikes = undefined;
      this.#auditOpened = false;
      this.#seen = undefined;
      this.activeId = null;
    }
    this.#announceSpikes();
    // The audit log loads when first shown, then stays live.
    if (this.tab === 'audit') this.#auditOpened = true;
    this.#audit.store = this.#auditOpened ? client?.$audit : undefined;
    const queue = this.#queue.value;
    const connection = this.#connection.value;
    this.#trackArrivals(queue);
    this.#keepActive();
    const unauthorized = this.#unauthorized();
    this.toggleState('no-token', !client);
    this.toggleState('unauthorized', unauthorized);
    this.toggleState('loading', !!client && !unauthorized && (!queue || queue.state === 'loading'));
    this.toggleState('error', !unauthorized && queue?.state === 'error');
    this.toggleState('empty', queue?.state === 'ready' && queue.items.length === 0);
    this.toggleState('offline', connection === 'offline' || connection === 'reconnecting');
  }

  protected override updated(): void {
    if (!this.#refocus) return;
    this.#refocus = false;
    this.#activeItem()?.article?.focus();
  }

  /** Moves keyboard focus to the active post of the queue (or the first one). */
  focusQueue(): void {
    this.#activeItem()?.article?.focus();
  }

  #resolveClient(): ModerationClient | undefined {
    if (this.client) return this.client;
    const server = this.#server();
    if (!server || !this.site || !this.token) {
      this.#ownClient?.client.close();
      this.#ownClient = undefined;
      return undefined;
    }
    const key = `${server}\n${this.site}\n${this.token}`;
    if (this.#ownClient?.key !== key) {
      this.#ownClient?.client.close();
      this.#ownClient = {
        key,
        client: createModeration({ server, site: this.site, token: this.token }),
      };
    }
    return this.#ownClient.client;
  }

  #unauthorized(): boolean {
    const status = this.#queue.value?.error?.status;
    return this.#connection.value === 'unauthorized' || status === 401 || status === 403;
  }

  #visibleItems(): QueueItem[] {
    const items = this.#queue.value?.items ?? [];
    return this.filter === 'all' ? items : items.filter((i) => i.queue === this.filter);
  }

  /** Announces posts that arrived live (politely; focus stays where it is). */
  #trackArrivals(queue: QueueSnapshot | undefined): void {
    if (!queue || queue.state !== 'ready') return;
    if (!this.#seen) {
      this.#seen = new Set(queue.items.map((i) => i.post.id));
      return;
    }
    let fresh = 0;
    for (const item of queue.items) {
      if (this.#seen.has(item.post.id)) continue;
      this.#seen.add(item.post.id);
      fresh++;
    }
    if (fresh) this.announcement = moderationMessages().announceNew(fresh);
  }

  /** Keeps the active post among the visible ones: the next one takes the place of one that left. */
  #keepActive(): void {
    const items = this.#visibleItems();
    const index = items.findIndex((i) => i.post.id === this.activeId);
    if (index >= 0) {
      this.#activeIndex = index;
      return;
    }
    const next = items[Math.min(this.#activeIndex, items.length - 1)];
    this.activeId = next?.post.id ?? null;
  }

  #activeItem(): LifeboatQueueItem | null {
    if (!this.activeId) return null;
    return (
      [...this.renderRoot.querySelectorAll('lifeboat-queue-item')].find(
        (el) => el.item?.post.id === this.activeId,
      ) ?? null
    );
  }

  #move(delta: number | 'first' | 'last'): void {
    const items = this.#visibleItems();
    if (!items.length) return;
    const index = items.findIndex((i) => i.post.id === this.activeId);
    const next =
      delta === 'first'
        ? 0
        : delta === 'last'
          ? items.length - 1
          : Math.max(0, Math.min(items.length - 1, (index < 0 ? 0 : index) + delta));
    this.activeId = items[next]!.post.id;
    this.#activeIndex = next;
    this.#refocus = true;
  }

  #handleQueueKeydown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.composedPath()[0] as HTMLElement;
    const host = target.closest?.('lifeboat-queue-item');
    if (!host || !host.item) return;
    if (target.matches('input, textarea, select')) {
      if (event.key === 'Escape') {
        event.preventDefault();
        host.article?.focus();
      }
      return;
    }
    if (host.item.post.id !== this.activeId) {
      this.activeId = host.item.post.id;
    }
    switch (event.key) {
      case 'j':
      case 'J':
      case 'ArrowDown':
        event.preventDefault();
        return this.#move(1);
      case 'k':
      case 'K':
      case 'ArrowUp':
        event.preventDefault();
        return this.#move(-1);
      case 'Home':
        event.preventDefault();
        return this.#move('first');
      case 'End':
        event.preventDefault();
        return this.#move('last');
      case 'Escape':
        if (host.cancelBan()) event.preventDefault();
        return;
      default: {
        if (event.key.length !== 1) return;
        const action = actionForKey(host.item, event.key);
        if (!action) return;
        event.preventDefault();
        host.request(action);
      }
    }
  };

  #handleFocusIn = (event: FocusEvent): void => {
    const host = (event.composedPath()[0] as HTMLElement).closest?.('lifeboat-queue-item');
    const id = host?.item?.post.id;
    if (id && id !== this.activeId) this.activeId = id;
  };

  #handleAction = (event: Event): void => {
    if (!(event instanceof QueueActionEvent)) return;
    const client = this.#activeClient;
    const item = this.#queue.value?.items.find((i) => i.post.id === event.postId);
    if (!client || !item) return;
    const m = moderationMessages();
    const label = actionLabel(item, event.action);
    const name = item.author.displayName;
    // The post leaves the list at once (optimistic): the next one takes focus.
    const inside =
      this.renderRoot.querySelector(':focus-within') !== null || this.matches(':focus-within');
    if (CLEARING.has(event.action) && inside) this.#refocus = true;
    if (event.action !== 'ban' && event.action !== 'unban') this.activeId = event.postId;
    const reason = event.reason.trim() || null;
    const done =
      event.action === 'ban'
        ? client.ban(item.author.id, reason, event.hours)
        : event.action === 'unban'
          ? client.unban(item.author.id, reason)
          : client.act(event.postId, event.action, reason);
    done.then(
      () => (this.announcement = m.announceDone(label, name)),
      () => {
        // The SDK put the post back with its error; keep it active so the error is in view.
        this.activeId = event.postId;
      },
    );
  };

  #handleAuditMore = (event: Event): void => {
    if (!(event instanceof AuditMoreEvent)) return;
    void this.#activeClient?.loadMoreAudit().catch(() => {});
  };

  #handleSpikeAction = (event: Event): void => {
    if (!(event instanceof SpikeActionEvent)) return;
    // The panel shows the failure next to the spike (SpikesSnapshot.failures).
    void this.#activeClient?.spikeAction?.(event.spikeId, event.action).catch(() => {});
  };

  /** Announces a spike the staff stream brought in (not those of the first list). */
  #announceSpikes(): void {
    const snapshot = this.#spikes.value;
    if (snapshot?.state !== 'ready') return;
    const open = snapshot.spikes.filter((s) => s.state === 'open');
    if (this.#seenSpikes) {
      const fresh = open.find((s) => !this.#seenSpikes!.has(s.id));
      if (fresh)
        this.announcement = moderationMessages().announceSpike(
          fresh.members,
          fresh.componentName ?? fresh.component,
        );
    }
    this.#seenSpikes = new Set(snapshot.spikes.map((s) => s.id));
  }

  #handleAuditRetry = (event: Event): void => {
    if (event instanceof AuditRetryEvent) this.#activeClient?.retry();
  };

  #handleSlowMode = (event: Event): void => {
    const client = this.#activeClient;
    const seconds = Number((event.target as HTMLSelectElement).value);
    if (!client || !Number.isFinite(seconds)) return;
    const m = moderationMessages();
    this.slowModeError = '';
    client.setSlowMode(seconds, null).then(
      () => (this.announcement = m.slowModeSet(m.slowModeOptions(seconds))),
      (error: Error) => (this.slowModeError = `${m.slowModeFailed} ${error.message}`),
    );
  };

  #selectTab(tab: ModerationTab, focus = false): void {
    this.tab = tab;
    if (focus) {
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>(`#lifeboat-tab-${tab}`)?.focus(),
      );
    }
  }

  #handleTabKeydown = (event: KeyboardEvent): void => {
    const keys: Record<string, ModerationTab> = {
      ArrowRight: this.tab === 'queue' ? 'audit' : 'queue',
      ArrowLeft: this.tab === 'queue' ? 'audit' : 'queue',
      Home: 'queue',
      End: 'audit',
    };
    const tab = keys[event.key];
    if (!tab) return;
    event.preventDefault();
    this.#selectTab(tab, true);
  };

  /** Turns a custom state (`:host(:state(name))`) on or off. */
  private toggleState(name: string, on: boolean): void {
    try {
      if (on) this.#internals.states.add(name);
      else this.#internals.states.delete(name);
    } catch {
      // Browsers without CustomStateSet: styling by state is an enhancement.
    }
  }

  #renderSlowMode(): TemplateResult | typeof nothing {
    const seconds = this.#slowMode.value;
    if (seconds === null || seconds === undefined) return nothing;
    const m = moderationMessages();
    const choices = [...new Set([0, 10, 30, 60, 120, 300, 600, seconds])].sort((a, b) => a - b);
    return html`<div class="slow-mode" part="slow-mode">
      <label for="lifeboat-slow-mode">${m.slowModeLabel}</label>
      <select
        id="lifeboat-slow-mode"
        title=${m.slowModeHint}
        aria-describedby=${this.slowModeError ? 'lifeboat-slow-mode-error' : nothing}
        @change=${this.#handleSlowMode}
      >
        ${choices.map(
          (s) =>
            html`<option value=${s} .selected=${live(s === seconds)}>
              ${m.slowModeOptions(s)}
            </option>`,
        )}
      </select>
      ${
        this.slowModeError
          ? html`<p class="error" id="lifeboat-slow-mode-error" role="alert">
              ${this.slowModeError}
            </p>`
          : nothing
      }
    </div>`;
  }

  #renderHeader(): TemplateResult {
    const m = moderationMessages();
    const connection = this.#connection.value ?? 'idle';
    const live = connection === 'open';
    const label = connection === 'unauthorized' ? '' : m.connection[connection];
    return html`<header class="header" part="header">
      <div class="title-row">
        <h2 class="heading" part="heading" id="heading">${m.heading}</h2>
        ${this.site ? html`<span class="badge site">${m.siteLabel(this.site)}</span>` : nothing}
        ${
          this.#activeClient && label && !this.#unauthorized()
            ? html`<span
                class="connection ${live ? 'live' : ''}"
                part="connection"
                data-state=${connection}
              >
                <span class="dot" aria-hidden="true"></span>${label}
              </span>`
            : nothing
        }
        ${this.#activeClient && !this.#unauthorized() ? this.#renderSlowMode() : nothing}
      </div>
    </header>`;
  }

  #renderTabs(queue: QueueSnapshot | undefined): TemplateResult {
    const m = moderationMessages();
    const count = queue?.state === 'ready' ? queue.items.length : null;
    const tab = (id: ModerationTab, label: TemplateResult | string) =>
      html`<button
        type="button"
        role="tab"
        class="tab"
        part="tab"
        id="lifeboat-tab-${id}"
        aria-selected=${this.tab === id ? 'true' : 'false'}
        aria-controls="lifeboat-panel-${id}"
        tabindex=${this.tab === id ? 0 : -1}
        @click=${() => this.#selectTab(id)}
      >
        ${label}
      </button>`;
    return html`<div
      class="tabs"
      part="tabs"
      role="tablist"
      aria-label=${m.tabsLabel}
      @keydown=${this.#handleTabKeydown}
    >
      ${tab(
        'queue',
        html`${m.queueTab}${count !== null ? html` <span class="count">${count}</span>` : nothing}`,
      )}
      ${tab('audit', m.auditTab)}
    </div>`;
  }

  #renderShortcuts(): TemplateResult {
    const m = moderationMessages();
    return html`<div class="shortcuts" part="shortcuts">
      <span class="shortcuts-title" id="lifeboat-shortcuts">${m.shortcutsLabel}</span>
      <ul aria-labelledby="lifeboat-shortcuts">
        ${SHORTCUTS.map(
          ({ key, label }) =>
            html`<li><kbd>${key}</kbd> ${label === 'ban' ? m.actions.ban : m.actions[label]}</li>`,
        )}
        <li><kbd>J</kbd><kbd>K</kbd> ${m.shortcutMove}</li>
        <li><kbd>Tab</kbd> ${m.shortcutReason}</li>
        <li><kbd>Esc</kbd> ${m.shortcutBack}</li>
      </ul>
    </div>`;
  }

  #renderFilter(queue: QueueSnapshot): TemplateResult {
    const m = moderationMessages();
    const count = (f: QueueFilter) =>
      f === 'all' ? queue.items.length : queue.items.filter((i) => i.queue === f).length;
    const labels: Record<QueueFilter, string> = {
      all: m.filterAll,
      pending: m.filterPending,
      flagged: m.filterFlagged,
    };
    return html`<div class="filter" part="filter" role="group" aria-label=${m.filterLabel}>
      ${(['all', 'pending', 'flagged'] as const).map(
        (f) =>
          html`<button
            type="button"
            class="filter-button"
            aria-pressed=${this.filter === f ? 'true' : 'false'}
            @click=${() => (this.filter = f)}
          >
            ${labels[f]} <span class="count">${count(f)}</span>
          </button>`,
      )}
    </div>`;
  }

  #renderQueue(queue: QueueSnapshot | undefined): TemplateResult {
    const m = moderationMessages();
    if (!queue || queue.state === 'loading') return this.#renderSkeleton();
    if (queue.state === 'error') {
      return html`<div class="notice error-notice" part="notice" role="alert">
        <span>${m.loadError} ${queue.error?.message ?? ''}</span>
        <button type="button" class="button" @click=${() => this.#activeClient?.retry()}>
          ${m.retry}
        </button>
      </div>`;
    }
    if (!queue.items.length) {
      return html`<div class="empty all-clear" part="empty">
        <span class="check" aria-hidden="true">✓</span>
        <p class="empty-title">${m.allClear}</p>
        <p class="muted">${m.allClearHint}</p>
      </div>`;
    }
    const items = this.#visibleItems();
    const now = this.#clock.now;
    return html`${this.#renderFilter(queue)} ${this.#renderShortcuts()}
    ${
      items.length
        ? html`<ol
            class="queue"
            part="queue"
            aria-label=${m.queueLabel}
            @keydown=${this.#handleQueueKeydown}
            @focusin=${this.#handleFocusIn}
          >
            ${repeat(
              items,
              (item) => item.post.id,
              (item) =>
                html`<li>
                  <lifeboat-queue-item
                    .item=${item}
                    .acting=${queue.acting[item.post.id]}
                    .failure=${queue.failures[item.post.id]}
                    .now=${now}
                    ?active=${item.post.id === this.activeId}
                  ></lifeboat-queue-item>
                </li>`,
            )}
          </ol>`
        : html`<p class="empty" part="empty">
            ${this.filter === 'pending' ? m.nothingPending : m.nothingFlagged}
          </p>`
    }`;
  }

  #renderSkeleton(): TemplateResult {
    return html`<div class="skeleton-list" aria-busy="true">
      <span class="visually-hidden">${moderationMessages().loading}</span>
      ${[0, 1].map(
        () =>
          html`<div class="skeleton-item">
            <div class="skeleton line short"></div>
            <div class="skeleton line"></div>
            <div class="skeleton line mid"></div>
          </div>`,
      )}
    </div>`;
  }

  #renderNotice(): TemplateResult | typeof nothing {
    const m = moderationMessages();
    const connection = this.#connection.value;
    if (connection === 'offline' || connection === 'reconnecting') {
      return html`<p class="notice offline" part="notice">
        ${connection === 'offline' ? m.offline : m.reconnecting}
      </p>`;
    }
    return nothing;
  }

  protected override render(): TemplateResult {
    const m = moderationMessages();
    const queue = this.#queue.value;
    let body: TemplateResult;
    if (!this.#activeClient) {
      body = html`<div class="notice setup" part="notice">
        <p>${!this.site ? m.noServer : this.ssoName ? m.signInPrompt : m.noToken}</p>
        ${this.#renderSignIn()}
      </div>`;
    } else if (this.#unauthorized()) {
      body = html`<div class="notice error-notice" part="notice" role="alert">
        <p>${m.unauthorized}</p>
        ${this.#renderSignIn()}
      </div>`;
    } else {
      body = html`<lifeboat-spike-panel
          .snapshot=${this.#spikes.value}
          .now=${this.#clock.now}
          @spike-action=${this.#handleSpikeAction}
        ></lifeboat-spike-panel>
        ${this.#renderTabs(queue)} ${this.#renderNotice()}
        <div
          class="panel"
          role="tabpanel"
          id="lifeboat-panel-queue"
          aria-labelledby="lifeboat-tab-queue"
          ?hidden=${this.tab !== 'queue'}
          @queue-action=${this.#handleAction}
        >
          ${this.#renderQueue(queue)}
        </div>
        <div
          class="panel"
          role="tabpanel"
          id="lifeboat-panel-audit"
          aria-labelledby="lifeboat-tab-audit"
          ?hidden=${this.tab !== 'audit'}
          @audit-more=${this.#handleAuditMore}
          @audit-retry=${this.#handleAuditRetry}
        >
          ${
            this.#auditOpened
              ? html`<lifeboat-audit-log
                  .snapshot=${this.#audit.value}
                  .now=${this.#clock.now}
                ></lifeboat-audit-log>`
              : nothing
          }
        </div>`;
    }
    return html`<section class="moderation" aria-labelledby="heading">
      ${this.#renderHeader()} ${body}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-moderation': LifeboatModeration;
  }
}
