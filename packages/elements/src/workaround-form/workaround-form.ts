import type { Post, Session, SiteStatus, WorkaroundRisk } from '@lifeboat/protocol';
import type { LifeboatClient, Loadable } from '@lifeboat/sdk';
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
  toWorkaround,
  validateDraft,
  workaroundBody,
  type WorkaroundDraft,
} from './draft.js';
import { workaroundFormStyles } from './workaround-form.styles.js';

type Outcome = 'published' | 'pending' | 'error' | null;
const RISKS: readonly WorkaroundRisk[] = ['safe', 'temporary', 'risky'];
let stepKey = 0;

/**
 * A structured "suggest a workaround" form: title, steps, component, platform/region, risk and
 * risk note, with inline validation, server field errors, a draft kept across reloads and a clear
 * outcome (published, or waiting for review).
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
 * @csspart remove-step-button - "Remove step N".
 * @csspart risk - The risk radio group.
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
  @state() private errorDetail = '';
  @state() private busy = false;
  @state() private restored = false;

  readonly #status = new StoreController<Loadable<SiteStatus>>(this);
  readonly #session = new StoreController<Session | null>(this);
  #draftIncident: string | undefined;

  protected override clientChanged(client: LifeboatClient | undefined): void {
    this.#status.store = client?.$status;
    this.#session.store = client?.$session;
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
    }
    this.toggleState('submitting', this.busy);
    this.toggleState('invalid', Object.keys(this.errors).length > 0);
    this.toggleState('sent', this.outcome === 'published' || this.outcome === 'pending');
  }

  /** The incident the form posts to. */
  get incidentId(): string | undefined {
    return this.incident ?? this.#status.value?.value?.incidents[0]?.id;
  }

  /** Empties the form and forgets the draft. */
  reset(): void {
    const site = this.activeClient?.site;
    if (site && this.incidentId) clearDraft(site, this.incidentId);
    this.#setDraft(emptyDraft(), false);
    this.errors = {};
    this.restored = false;
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
  }

  #handleInput = (event: Event): void => {
    const target = event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    const name = target.name;
    if (name.startsWith('step-')) {
      const steps = [...this.draft.steps];
      steps[Number(name.slice(5))] = target.value;
      this.#update({ steps });
    } else if (name in this.draft && name !== 'steps' && name !== 'website') {
      this.#update({ [name]: target.value } as Partial<WorkaroundDraft>);
    }
  };

  async #addStep(): Promise<void> {
    this.stepKeys = [...this.stepKeys, ++stepKey];
    this.#update({ steps: [...this.draft.steps, ''] });
    await this.updateComplete;
    this.renderRoot
      .querySelector<HTMLInputElement>(`[name="step-${this.draft.steps.length - 1}"]`)
      ?.focus();
  }

  async #removeStep(index: number): Promise<void> {
    this.stepKeys = this.stepKeys.filter((_, i) => i !== index);
    this.#update({ steps: this.draft.steps.filter((_, i) => i !== index) });
    await this.updateComplete;
    const previous = Math.max(0, index - 1);
    this.renderRoot.querySelector<HTMLInputElement>(`[name="step-${previous}"]`)?.focus();
  }

  async #showErrors(errors: FieldErrors): Promise<void> {
    this.errors = errors;
    await this.updateComplete;
    focusFirstInvalid(this.renderRoot);
  }

  #handleSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const client = this.activeClient;
    const incidentId = this.incidentId;
    if (this.busy || !client || !incidentId) return;
    if ((form.elements.namedItem('website') as HTMLInputElement | null)?.value) {
      this.reset();
      return;
    }
    const errors = validateDraft(this.draft, !this.#session.value);
    if (Object.keys(errors).length) {
      this.outcome = null;
      await this.#showErrors(errors);
      return;
    }
    const workaround = toWorkaround(this.draft);
    if (!this.dispatchEvent(new LifeboatWorkaroundSubmitEvent(workaround))) return;
    this.busy = true;
    this.errors = {};
    this.outcome = null;
    try {
      if (!this.#session.value) await client.startSession(this.draft.displayName.trim());
      const post: Post = await client.post(incidentId, {
        kind: 'workaround',
        body: workaroundBody(workaround),
        workaround,
      });
      this.reset();
      this.outcome = post.state === 'pending' ? 'pending' : 'published';
      this.dispatchEvent(new LifeboatWorkaroundCreatedEvent({ post }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part="outcome"]')?.focus();
    } catch (error) {
      this.outcome = 'error';
      this.errorDetail = error instanceof Error ? error.message : '';
      if (isLifeboatError(error)) {
        const { fields, unmapped } = mapServerErrors(error, fieldForServerError);
        this.errorDetail = unmapped.join(' ') || this.errorDetail;
        if (Object.keys(fields).length) await this.#showErrors(fields);
      }
    } finally {
      this.busy = false;
    }
  };

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
          (step, i) =>
            html`<li class="step">
              <label class="visually-hidden" for="step-${i}">${m.stepLabel(i + 1)}</label>
              <span class="step-number" aria-hidden="true">${i + 1}</span>
              <input
                id="step-${i}"
                name="step-${i}"
                type="text"
                .value=${live(step)}
                aria-invalid=${this.#invalid(`step-${i}`)}
                aria-describedby=${this.#describedBy(`step-${i}`)}
              />
              ${
                steps.length > 1
                  ? html`<button
                      type="button"
                      class="icon-button"
                      part="remove-step-button"
                      aria-label=${m.removeStep(i + 1)}
                      @click=${() => this.#removeStep(i)}
                    >
                      ✕
                    </button>`
                  : nothing
              }
              ${this.#error(`step-${i}`)}
            </li>`,
        )}
      </ol>
      ${this.#error('steps')}
      ${
        steps.length < 20
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

  #renderOutcome(): TemplateResult | typeof nothing {
    const m = messages();
    if (this.outcome === 'published' || this.outcome === 'pending') {
      return html`<p class="outcome success" part="outcome" role="status" tabindex="-1">
        ${this.outcome === 'pending' ? m.workaroundPending : m.workaroundPublished}
      </p>`;
    }
    if (this.outcome === 'error') {
      return html`<div class="outcome failure" part="outcome" role="alert">
        <p>
          ${m.workaroundError}${this.errorDetail ? html` <span class="muted">(${this.errorDetail})</span>` : nothing}
        </p>
        <button type="submit" class="button">${m.retry}</button>
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
      ${this.#renderSteps()}
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
            ${components.map((c) => html`<option value=${c.id} ?selected=${c.id === this.draft.component}>${c.name}</option>`)}
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
      ${this.#renderRisk()}
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
