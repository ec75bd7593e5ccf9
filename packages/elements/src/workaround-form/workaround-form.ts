import {
  ulid,
  type Post,
  type Session,
  type SimilarWorkaround,
  type SiteStatus,
  type StatusComponent,
  type WorkaroundRisk,
} from '@lifeboat/protocol';
import {
  createSimilarSearch,
  type LifeboatClient,
  type Loadable,
  type LocalPost,
  type SimilarSearch,
  type ThreadSnapshot,
} from '@lifeboat/sdk';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { LifeboatElement } from '../base/lifeboat-element.js';
import { StoreController } from '../controllers/store-controller.js';
import { LifeboatWorkaroundCreatedEvent } from '../events/workaround-created.js';
import { LifeboatWorkaroundSubmitEvent } from '../events/workaround-submit.js';
import {
  focusFirstInvalid,
  isLifeboatError,
  mapServerErrors,
  type FieldErrors,
} from '../forms/field-errors.js';
import { messages } from '../localize.js';
import {
  clearDraft,
  emptyDraft,
  fieldForServerError,
  loadDraft,
  saveDraft,
  similarityText,
  toWorkaround,
  validateDraft,
  workaroundBody,
  type ExpiryMode,
  type WorkaroundDraft,
} from './draft.js';
import { workaroundFormStyles } from './workaround-form.styles.js';

type Outcome = 'published' | 'pending' | 'error' | null;
/** Why the last submission failed, for the message and the retry policy. */
type Failure = 'offline' | 'rate_limited' | 'fields' | 'resent_edited' | 'other';
const RISKS: readonly WorkaroundRisk[] = ['safe', 'temporary', 'risky'];
const EXPIRY_MODES: readonly ExpiryMode[] = ['resolved', 'time'];
const MAX_STEPS = 20;
let stepKey = 0;

/** `<input type="datetime-local">` value of a time (local), for `min`. */
function localInputValue(time: number): string {
  const d = new Date(time - new Date(time).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * A structured "suggest a workaround" form: title, ordered steps (add, reorder, remove), the
 * component it helps with (from the live status), platform/region, risk and risk note, and how
 * long it helps. Validation uses the server's own rules (`validateWorkaround`), inline; similar
 * workarounds already posted are suggested while typing, so a visitor can confirm one instead of
 * posting a duplicate. The draft — and the id of a submission in progress, which doubles as its
 * Idempotency-Key — survive reloads until the server accepted the workaround.
 *
 * @summary Suggest a workaround for the current incident.
 *
 * @event lifeboat-workaround-submit - Before the workaround is sent; detail is the workaround. Cancelable.
 * @event lifeboat-workaround-created - After the server accepted it; detail `{ post }`.
 *
 * @csspart form - The form.
 * @csspart heading - "Suggest a workaround".
 * @csspart field - Each field wrapper.
 * @csspart steps - The list of steps.
 * @csspart add-step-button - "Add step".
 * @csspart move-step-button - "Move step N up/down".
 * @csspart remove-step-button - "Remove step N".
 * @csspart similar - The list of similar workarounds already posted.
 * @csspart similar-confirm-button - "This worked for me" on a similar workaround.
 * @csspart risk - The risk radio group.
 * @csspart expiry - How long the workaround helps.
 * @csspart submit-button - "Submit workaround".
 * @csspart outcome - The success or error message.
 *
 * @cssproperty --lifeboat-color-surface - Background.
 * @cssproperty --lifeboat-color-text - Text.
 * @cssproperty --lifeboat-color-muted - Hints.
 * @cssproperty --lifeboat-color-border - Borders and fields.
 * @cssproperty --lifeboat-color-accent - Primary button and focus.
 * @cssproperty --lifeboat-color-danger - Errors.
 * @cssproperty --lifeboat-space-1 - Spacing scale (1–6).
 * @cssproperty --lifeboat-radius-m - Corner radius.
 * @cssproperty --lifeboat-font-family - Font.
 *
 * @cssstate submitting - The workaround is being sent.
 * @cssstate invalid - Some fields have errors.
 * @cssstate sent - The last workaround was accepted.
 * @cssstate offline - The last attempt failed for want of a connection; it is retried when back online.
 */
@customElement('lifeboat-workaround-form')
export class LifeboatWorkaroundForm extends LifeboatElement {
  static override styles = workaroundFormStyles;
  static override shadowRootOptions: ShadowRootInit = {
    ...LifeboatElement.shadowRootOptions,
    delegatesFocus: true,
  };

  /** The incident the workaround is for; by default the first open incident. */
  @property({ reflect: true }) incident: string | null = null;

  @state() private draft: WorkaroundDraft = emptyDraft();
  @state() private stepKeys: number[] = [++stepKey];
  @state() private errors: FieldErrors = {};
  @state() private outcome: Outcome = null;
  @state() private failure: Failure | null = null;
  @state() private errorDetail = '';
  @state() private retryIn = 0;
  @state() private busy = false;
  @state() private restored = false;
  @state() private confirmed: ReadonlySet<string> = new Set();

  readonly #status = new StoreController<Loadable<SiteStatus>>(this);
  readonly #session = new StoreController<Session | null>(this);
  readonly #similar = new StoreController<SimilarWorkaround[]>(this);
  /** The thread, watched only while a submission is in progress (the outbox may finish it). */
  readonly #thread = new StoreController<ThreadSnapshot>(this);
  readonly #accepted = new Set<string>();
  #search: SimilarSearch | undefined;
  #draftIncident: string | undefined;
  #retryTimer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.#handleOnline);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.#handleOnline);
    clearInterval(this.#retryTimer);
    this.#search?.clear();
  }

  protected override clientChanged(client: LifeboatClient | undefined): void {
    this.#status.store = client?.$status;
    this.#session.store = client?.$session;
    this.#search?.clear();
    this.#search = client ? createSimilarSearch(client) : undefined;
    this.#similar.store = this.#search?.$similar;
    this.#draftIncident = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const incidentId = this.incidentId;
    const site = this.activeClient?.site;
    if (incidentId && site && incidentId !== this.#draftIncident) {
      this.#draftIncident = incidentId;
      const saved = loadDraft(site, incidentId);
      this.#setDraft(saved ?? emptyDraft(), false);
      this.restored = Boolean(saved);
      this.#searchSimilar();
    }
    this.#watchSubmission(incidentId);
    this.toggleState('submitting', this.busy);
    this.toggleState('invalid', Object.keys(this.errors).length > 0);
    this.toggleState('sent', this.outcome === 'published' || this.outcome === 'pending');
    this.toggleState('offline', this.failure === 'offline');
  }

  /**
   * While a submission is in progress (its id in the draft), watches the thread: the SDK's outbox
   * may send it on its own (back online, or after a reload), and then the form is done too.
   */
  #watchSubmission(incidentId: string | undefined): void {
    const id = this.draft.clientId;
    this.#thread.store = id && incidentId ? this.activeClient?.thread(incidentId) : undefined;
    const sent = id ? this.#thread.value?.posts.find((p) => p.id === id && !p.local) : undefined;
    if (sent) this.#accept(sent);
  }

  /** The server has the workaround: clear the form, say so, tell the page (once per post). */
  #accept(post: Post): void {
    if (this.#accepted.has(post.id)) return;
    this.#accepted.add(post.id);
    this.reset();
    this.outcome = post.state === 'pending' ? 'pending' : 'published';
    this.failure = null;
    const created = new LifeboatWorkaroundCreatedEvent({ post });
    this.dispatchEvent(created);
    void this.updateComplete.then(() => this.#focus('[part="outcome"]'));
  }

  /** The incident the form posts to. */
  get incidentId(): string | undefined {
    return this.incident ?? this.#status.value?.value?.incidents[0]?.id;
  }

  /** Empties the form and forgets the draft (and the id of any submission in progress). */
  reset(): void {
    const site = this.activeClient?.site;
    if (site && this.incidentId) clearDraft(site, this.incidentId);
    this.#setDraft(emptyDraft(), false);
    this.errors = {};
    this.restored = false;
    this.#search?.clear();
  }

  #setDraft(draft: WorkaroundDraft, persist = true): void {
    if (draft.steps.length !== this.stepKeys.length) {
      this.stepKeys = draft.steps.map((_, i) => this.stepKeys[i] ?? ++stepKey);
    }
    this.draft = draft;
    const site = this.activeClient?.site;
    if (persist && site && this.incidentId) saveDraft(site, this.incidentId, draft);
  }

  #update(patch: Partial<WorkaroundDraft>): void {
    this.#setDraft({ ...this.draft, ...patch });
    if (this.outcome && this.outcome !== 'error') this.outcome = null;
    if ('title' in patch || 'steps' in patch) this.#searchSimilar();
  }

  #searchSimilar(): void {
    const incidentId = this.incidentId;
    if (incidentId) this.#search?.search(incidentId, similarityText(this.draft));
  }

  #handleInput = (event: Event): void => {
    const target = event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    const name = target.name;
    if (name.startsWith('step-')) {
      const steps = [...this.draft.steps];
      steps[Number(name.slice(5))] = target.value;
      this.#update({ steps });
    } else if (name in this.draft && !['steps', 'website', 'clientId'].includes(name)) {
      this.#update({ [name]: target.value } as Partial<WorkaroundDraft>);
    }
  };

  #focus(selector: string): void {
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  async #addStep(): Promise<void> {
    this.stepKeys = [...this.stepKeys, ++stepKey];
    this.#update({ steps: [...this.draft.steps, ''] });
    await this.updateComplete;
    this.#focus(`[name="step-${this.draft.steps.length - 1}"]`);
  }

  async #removeStep(index: number): Promise<void> {
    this.stepKeys = this.stepKeys.filter((_, i) => i !== index);
    this.#update({ steps: this.draft.steps.filter((_, i) => i !== index) });
    this.errors = {};
    await this.updateComplete;
    this.#focus(`[name="step-${Math.max(0, index - 1)}"]`);
  }

  /** Moves a step up (-1) or down (+1); focus stays with the moved step. */
  async #moveStep(index: number, by: -1 | 1, focus: 'button' | 'input'): Promise<void> {
    const to = index + by;
    if (to < 0 || to >= this.draft.steps.length) return;
    const swap = <T>(list: readonly T[]): T[] => {
      const next = [...list];
      [next[index], next[to]] = [next[to]!, next[index]!];
      return next;
    };
    this.stepKeys = swap(this.stepKeys);
    this.#update({ steps: swap(this.draft.steps) });
    this.errors = {};
    await this.updateComplete;
    if (focus === 'input') return this.#focus(`[name="step-${to}"]`);
    const last = this.draft.steps.length - 1;
    const direction = (by < 0 && to > 0) || to === last ? 'up' : 'down';
    this.#focus(`#step-${to}-${direction}`);
  }

  #handleStepKeydown(event: KeyboardEvent, index: number): void {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    void this.#moveStep(index, event.key === 'ArrowUp' ? -1 : 1, 'input');
  }

  async #confirmSimilar(post: Post): Promise<void> {
    const client = this.activeClient;
    if (!client || this.confirmed.has(post.id)) return;
    this.confirmed = new Set([...this.confirmed, post.id]);
    try {
      await client.react(post.incidentId, post.id, 'worked');
    } catch {
      const next = new Set(this.confirmed);
      next.delete(post.id);
      this.confirmed = next;
    }
  }

  async #showErrors(errors: FieldErrors): Promise<void> {
    this.errors = errors;
    await this.updateComplete;
    focusFirstInvalid(this.renderRoot);
  }

  #handleOnline = (): void => {
    if (this.outcome === 'error' && this.failure === 'offline' && !this.busy) void this.#send();
  };

  #startRetryCountdown(seconds: number): void {
    clearInterval(this.#retryTimer);
    this.retryIn = seconds;
    this.#retryTimer = setInterval(() => {
      this.retryIn = Math.max(0, this.retryIn - 1);
      if (this.retryIn === 0) clearInterval(this.#retryTimer);
    }, 1000);
  }

  #handleSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if ((form.elements.namedItem('website') as HTMLInputElement | null)?.value) {
      this.reset();
      return;
    }
    await this.#send();
  };

  async #send(): Promise<void> {
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (this.busy || this.retryIn > 0 || !client || !incidentId) return;
    const components = this.#status.value?.value?.components.map((c) => c.id);
    const errors = validateDraft(this.draft, !this.#session.value, {
      components: components?.length ? components : undefined,
    });
    if (Object.keys(errors).length) {
      this.outcome = null;
      this.failure = null;
      await this.#showErrors(errors);
      return;
    }
    const workaround = toWorkaround(this.draft);
    const submit = new LifeboatWorkaroundSubmitEvent(workaround);
    if (!this.dispatchEvent(submit)) return;
    // One id per intended workaround: kept (in the draft) across retries and reloads.
    const id = this.draft.clientId || ulid();
    if (id !== this.draft.clientId) this.#setDraft({ ...this.draft, clientId: id });
    this.busy = true;
    this.errors = {};
    try {
      if (!this.#session.value) await client.startSession(this.draft.displayName.trim());
      const post: LocalPost = await client.post(incidentId, {
        id,
        kind: 'workaround',
        body: workaroundBody(workaround),
        workaround,
      });
      if (post.local) {
        // Offline: the SDK's outbox keeps it and sends it (same id) when the browser is back
        // online; the draft stays too, until the server has it.
        this.outcome = 'error';
        this.failure = 'offline';
        this.errorDetail = '';
        return;
      }
      this.#accept(post);
    } catch (error) {
      await this.#handleFailure(error);
    } finally {
      this.busy = false;
    }
  }

  async #handleFailure(error: unknown): Promise<void> {
    const m = messages();
    this.outcome = 'error';
    this.errorDetail = error instanceof Error ? error.message : '';
    if (!isLifeboatError(error)) {
      this.failure = 'other';
      return;
    }
    if (error.code === 'network' || (error.status === 0 && !navigator.onLine)) {
      this.failure = 'offline';
      this.errorDetail = '';
    } else if (error.code === 'rate_limited') {
      this.failure = 'rate_limited';
      this.errorDetail = '';
      this.#startRetryCountdown(error.retryAfter ?? 30);
    } else if (error.code === 'idempotency_mismatch') {
      // An earlier attempt under this id was stored, then the text changed: a new id sends this one.
      this.failure = 'resent_edited';
      this.errorDetail = m.alreadySentEdited;
      this.#setDraft({ ...this.draft, clientId: '' });
    } else {
      const { fields, unmapped } = mapServerErrors(error, (f) =>
        fieldForServerError(f, this.draft),
      );
      this.failure = Object.keys(fields).length ? 'fields' : 'other';
      this.errorDetail = unmapped.join(' ') || (this.failure === 'fields' ? '' : this.errorDetail);
      if (Object.keys(fields).length) await this.#showErrors(fields);
    }
  }

  #describedBy(name: string, hint = false): string | typeof nothing {
    const ids = [hint ? `${name}-hint` : '', this.errors[name] ? `${name}-error` : ''];
    return ids.filter(Boolean).join(' ') || nothing;
  }

  #error(name: string): TemplateResult | typeof nothing {
    const error = this.errors[name];
    return error ? html`<p class="error" id="${name}-error">${error}</p>` : nothing;
  }

  #invalid(name: string): 'true' | 'false' {
    return this.errors[name] ? 'true' : 'false';
  }

  #renderStep(step: string, i: number, count: number): TemplateResult {
    const m = messages();
    return html`<li class="step">
      <label class="visually-hidden" for="step-${i}">${m.stepLabel(i + 1)}</label>
      <span class="step-number" aria-hidden="true">${i + 1}</span>
      <input
        id="step-${i}"
        name="step-${i}"
        type="text"
        .value=${live(step)}
        aria-invalid=${this.#invalid(`step-${i}`)}
        aria-describedby=${this.#describedBy(`step-${i}`)}
        @keydown=${(e: KeyboardEvent) => this.#handleStepKeydown(e, i)}
      />
      <span class="step-actions">
        ${
          i > 0
            ? html`<button
                type="button"
                id="step-${i}-up"
                class="icon-button move"
                part="move-step-button"
                aria-label=${m.moveStepUp(i + 1)}
                @click=${() => this.#moveStep(i, -1, 'button')}
              >
                ↑
              </button>`
            : nothing
        }
        ${
          i < count - 1
            ? html`<button
                type="button"
                id="step-${i}-down"
                class="icon-button move"
                part="move-step-button"
                aria-label=${m.moveStepDown(i + 1)}
                @click=${() => this.#moveStep(i, 1, 'button')}
              >
                ↓
              </button>`
            : nothing
        }
        ${
          count > 1
            ? html`<button
                type="button"
                class="icon-button remove"
                part="remove-step-button"
                aria-label=${m.removeStep(i + 1)}
                @click=${() => this.#removeStep(i)}
              >
                ✕
              </button>`
            : nothing
        }
      </span>
      ${this.#error(`step-${i}`)}
    </li>`;
  }

  #renderSteps(): TemplateResult {
    const m = messages();
    const steps = this.draft.steps;
    return html`<fieldset
      class="field steps-field"
      part="field"
      aria-describedby=${this.#describedBy('steps')}
    >
      <legend>${m.stepsLabel}</legend>
      <ol class="steps" part="steps">
        ${repeat(
          steps,
          (_, i) => this.stepKeys[i],
          (step, i) => this.#renderStep(step, i, steps.length),
        )}
      </ol>
      ${this.#error('steps')}
      ${
        steps.length < MAX_STEPS
          ? html`<button
              type="button"
              class="button add-step"
              part="add-step-button"
              @click=${() => this.#addStep()}
            >
              + ${m.addStep}
            </button>`
          : nothing
      }
    </fieldset>`;
  }

  #renderSimilar(): TemplateResult {
    const m = messages();
    const similar = this.#similar.value ?? [];
    const components = this.#status.value?.value?.components ?? [];
    // The live region is always rendered, so screen readers hear the count when it changes.
    return html`<p class="visually-hidden" role="status">
        ${similar.length ? m.similarFound(similar.length) : ''}
      </p>
      ${
        similar.length === 0
          ? nothing
          : html`<section class="similar" part="similar" aria-labelledby="similar-heading">
              <h3 id="similar-heading">${m.similarHeading}</h3>
              <p class="hint">${m.similarHint}</p>
              <ul>
                ${repeat(
                  similar,
                  (s) => s.post.id,
                  ({ post }) => {
                    const w = post.workaround;
                    const done = this.confirmed.has(post.id);
                    const component = components.find((c) => c.id === w?.component)?.name;
                    return html`<li>
                      <p class="similar-title" id="similar-${post.id}">${w?.title ?? post.body}</p>
                      <p class="hint">
                        ${component ? html`${component} · ` : nothing}${m.similarConfirmations(post.counts.worked)}
                      </p>
                      <button
                        type="button"
                        class="button"
                        part="similar-confirm-button"
                        aria-describedby="similar-${post.id}"
                        aria-pressed=${done ? 'true' : 'false'}
                        @click=${() => this.#confirmSimilar(post)}
                      >
                        ${done ? `✓ ${m.similarConfirmed}` : m.similarWorked}
                      </button>
                    </li>`;
                  },
                )}
              </ul>
            </section>`
      }`;
  }

  /** The incident's affected components first (the likeliest choice), then the others. */
  #renderComponentOptions(components: readonly StatusComponent[]): TemplateResult {
    const m = messages();
    const status = this.#status.value?.value;
    const affected = new Set(
      status?.incidents.find((i) => i.id === this.incidentId)?.components ?? [],
    );
    const option = (c: StatusComponent) =>
      html`<option value=${c.id} ?selected=${c.id === this.draft.component}>${c.name}</option>`;
    const first = components.filter((c) => affected.has(c.id));
    const rest = components.filter((c) => !affected.has(c.id));
    if (first.length === 0 || rest.length === 0) return html`${components.map(option)}`;
    return html`<optgroup label=${m.componentsAffected}>${first.map(option)}</optgroup>
      <optgroup label=${m.componentsOther}>${rest.map(option)}</optgroup>`;
  }

  #renderRisk(): TemplateResult {
    const m = messages();
    const labels: Record<WorkaroundRisk, string> = {
      safe: m.riskSafe,
      temporary: m.riskTemporary,
      risky: m.riskRisky,
    };
    return html`<fieldset
        class="field risk"
        part="risk"
        aria-describedby=${this.#describedBy('risk')}
      >
        <legend>${m.riskLabel}</legend>
        <div class="radios">
          ${RISKS.map(
            (risk) =>
              html`<label class="radio" data-risk=${risk}>
                <input
                  type="radio"
                  name="risk"
                  value=${risk}
                  .checked=${live(this.draft.risk === risk)}
                  aria-invalid=${this.#invalid('risk')}
                />
                <span>${labels[risk]}</span>
              </label>`,
          )}
        </div>
        ${this.#error('risk')}
      </fieldset>
      <div class="field" part="field">
        <label for="riskNote"
          >${m.riskNoteLabel}
          ${this.draft.risk === 'risky' ? nothing : html`<span class="optional">(${m.optional})</span>`}</label
        >
        <textarea
          id="riskNote"
          name="riskNote"
          rows="2"
          ?required=${this.draft.risk === 'risky'}
          .value=${live(this.draft.riskNote)}
          aria-invalid=${this.#invalid('riskNote')}
          aria-describedby=${this.#describedBy('riskNote', true)}
        ></textarea>
        <p class="hint" id="riskNote-hint">${m.riskNoteHint}</p>
        ${this.#error('riskNote')}
      </div>`;
  }

  #renderExpiry(): TemplateResult {
    const m = messages();
    const labels: Record<ExpiryMode, string> = {
      resolved: m.expiryResolved,
      time: m.expiryTime,
    };
    return html`<fieldset class="field expiry" part="expiry">
      <legend>${m.expiryLabel}</legend>
      <div class="radios">
        ${EXPIRY_MODES.map(
          (mode) =>
            html`<label class="radio">
              <input
                type="radio"
                name="expiryMode"
                value=${mode}
                .checked=${live(this.draft.expiryMode === mode)}
              />
              <span>${labels[mode]}</span>
            </label>`,
        )}
      </div>
      ${
        this.draft.expiryMode === 'time'
          ? html`<div class="field">
              <label for="expiresAt">${m.expiryTimeLabel}</label>
              <input
                id="expiresAt"
                name="expiresAt"
                type="datetime-local"
                min=${localInputValue(Date.now())}
                .value=${live(this.draft.expiresAt)}
                aria-invalid=${this.#invalid('expiresAt')}
                aria-describedby=${this.#describedBy('expiresAt')}
              />
              ${this.#error('expiresAt')}
            </div>`
          : nothing
      }
    </fieldset>`;
  }

  #renderOutcome(): TemplateResult | typeof nothing {
    const m = messages();
    if (this.outcome === 'published' || this.outcome === 'pending') {
      return html`<p class="outcome success" part="outcome" role="status" tabindex="-1">
        ${this.outcome === 'pending' ? m.workaroundPending : m.workaroundPublished}
      </p>`;
    }
    if (this.outcome === 'error') {
      const message =
        this.failure === 'offline'
          ? m.offlineKept
          : this.failure === 'rate_limited'
            ? m.rateLimited(this.retryIn)
            : m.workaroundError;
      return html`<div class="outcome failure" part="outcome" role="alert">
        <p>
          ${message}${this.errorDetail ? html` <span class="muted">(${this.errorDetail})</span>` : nothing}
        </p>
        <button type="submit" class="button" ?disabled=${this.busy || this.retryIn > 0}>
          ${m.retry}
        </button>
      </div>`;
    }
    return nothing;
  }

  protected override render(): TemplateResult {
    const m = messages();
    const components = this.#status.value?.value?.components ?? [];
    if (!this.activeClient) return html`<p class="notice">${m.noClient}</p>`;
    if (!this.incidentId && this.#status.value?.state === 'ready')
      return html`<p class="notice">${m.noIncident}</p>`;
    return html`<form
      part="form"
      novalidate
      aria-labelledby="heading"
      @input=${this.#handleInput}
      @change=${this.#handleInput}
      @submit=${this.#handleSubmit}
    >
      <div class="intro">
        <h2 id="heading" part="heading">${m.workaroundHeading}</h2>
        <p class="muted">${m.workaroundIntro}</p>
        ${this.restored ? html`<p class="hint restored">${m.draftRestored}</p>` : nothing}
      </div>
      ${
        this.#session.value
          ? nothing
          : html`<div class="field" part="field">
              <label for="displayName">${m.displayName}</label>
              <input
                id="displayName"
                name="displayName"
                type="text"
                autocomplete="nickname"
                .value=${live(this.draft.displayName)}
                aria-invalid=${this.#invalid('displayName')}
                aria-describedby=${this.#describedBy('displayName')}
              />
              ${this.#error('displayName')}
            </div>`
      }
      <div class="field" part="field">
        <label for="title">${m.titleLabel}</label>
        <input
          id="title"
          name="title"
          type="text"
          .value=${live(this.draft.title)}
          aria-invalid=${this.#invalid('title')}
          aria-describedby=${this.#describedBy('title', true)}
        />
        <p class="hint" id="title-hint">${m.titleHint}</p>
        ${this.#error('title')}
      </div>
      ${this.#renderSteps()} ${this.#renderSimilar()}
      <div class="row">
        <div class="field" part="field">
          <label for="component"
            >${m.componentLabel} <span class="optional">(${m.optional})</span></label
          >
          <select
            id="component"
            name="component"
            .value=${live(this.draft.component)}
            aria-invalid=${this.#invalid('component')}
            aria-describedby=${this.#describedBy('component')}
          >
            <option value="">${m.notSure}</option>
            ${this.#renderComponentOptions(components)}
          </select>
          ${this.#error('component')}
        </div>
        <div class="field" part="field">
          <label for="platform"
            >${m.platformLabel} <span class="optional">(${m.optional})</span></label
          >
          <input
            id="platform"
            name="platform"
            type="text"
            .value=${live(this.draft.platform)}
            aria-invalid=${this.#invalid('platform')}
            aria-describedby=${this.#describedBy('platform')}
          />
          ${this.#error('platform')}
        </div>
      </div>
      ${this.#renderRisk()} ${this.#renderExpiry()}
      <div class="honeypot" aria-hidden="true">
        <label for="website">${m.honeypotLabel}</label>
        <input id="website" name="website" type="text" tabindex="-1" autocomplete="off" />
      </div>
      ${this.#renderOutcome()}
      <div class="actions">
        <button type="submit" class="button primary" part="submit-button" ?disabled=${this.busy}>
          ${this.busy ? m.submitting : m.submitWorkaround}
        </button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-workaround-form': LifeboatWorkaroundForm;
  }
}
