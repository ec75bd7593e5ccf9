import { LIMITS, type Session } from '@lifeboat/protocol';
import type { LifeboatError } from '@lifeboat/sdk';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  checkLength,
  focusFirstInvalid,
  isLifeboatError,
  mapServerErrors,
  type FieldErrors,
} from '../forms/field-errors.js';
import { messages } from '../localize.js';
import { renderSafeText } from '../text/safe-text.js';

export interface ComposerDraft {
  displayName: string;
  body: string;
}

/** Sends a draft; resolves true when sent (the composer clears), false when canceled. */
export type ComposerSubmit = (draft: ComposerDraft) => Promise<boolean>;

/** What the composer writes: a new answer, a reply under an answer, or an edit of one's post. */
export type ComposerKind = 'answer' | 'reply' | 'edit';

let composerCount = 0;

/**
 * The answer composer: a native form with the display name (without a session) and the text,
 * a live preview of the safe text subset, inline validation and server field errors. Also the
 * reply form under an answer and the edit form of one's own post (`kind`). Presentational: it
 * calls `submit` and shows the outcome. Renders into the thread's shadow root. A refusal keeps the
 * text: banned words show the server's message on the field, slow mode counts down until the
 * member may post again, a ban says so.
 *
 * @summary The "post an answer" form of the thread.
 */
@customElement('lifeboat-composer')
export class LifeboatComposer extends LitElement {
  @property({ attribute: false }) session: Session | null = null;
  @property({ attribute: false }) submit?: ComposerSubmit;
  /** Answer, reply or edit: changes the labels (and an edit needs no name). */
  @property() kind: ComposerKind = 'answer';
  /** The text to start from (an edit). */
  @property({ attribute: false }) value = '';
  /** Whose answer a reply answers (for its heading). */
  @property({ attribute: false }) replyTo = '';
  /** When set, a Cancel button calls it (reply and edit forms). */
  @property({ attribute: false }) cancel?: () => void;

  @state() private preview = false;
  @state() private draft = '';

  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private busy = false;
  /** Seconds until slow mode lets the member post again (0: may post). */
  @state() private retryIn = 0;
  #countdown: ReturnType<typeof setInterval> | undefined;
  /** Announced once when slow mode starts (the visible countdown is not a live region). */
  #slowModeNotice = '';

  readonly #id = `lifeboat-composer-${++composerCount}`;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('value')) this.draft = this.value;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopCountdown();
  }

  protected override firstUpdated(): void {
    if (this.kind !== 'answer') this.querySelector('textarea')?.focus();
  }

  #handleInput = (event: Event): void => {
    this.draft = (event.target as HTMLTextAreaElement).value;
  };

  #handleKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.cancel) {
      event.stopPropagation();
      this.cancel();
    }
  };

  #validate(form: HTMLFormElement): { draft: ComposerDraft; errors: FieldErrors } {
    const data = new FormData(form);
    const draft = {
      displayName: String(data.get('displayName') ?? this.session?.member.displayName ?? '').trim(),
      body: String(data.get('body') ?? ''),
    };
    const errors: FieldErrors = {};
    if (!this.session && this.kind !== 'edit') {
      const name = checkLength(draft.displayName, LIMITS.displayName);
      if (name) errors.displayName = name;
    }
    const body = checkLength(draft.body, LIMITS.postBody);
    if (body) errors.body = body;
    return { draft, errors };
  }

  async #showErrors(errors: FieldErrors, formError = ''): Promise<void> {
    this.errors = errors;
    this.formError = formError;
    await this.updateComplete;
    focusFirstInvalid(this);
  }

  /** Slow mode: the submit button waits `seconds`, counting down. */
  #startCountdown(seconds: number): void {
    this.#stopCountdown();
    this.retryIn = Math.max(1, Math.ceil(seconds));
    this.#slowModeNotice = messages().slowMode(this.retryIn);
    this.#countdown = setInterval(() => {
      this.retryIn = Math.max(0, this.retryIn - 1);
      if (this.retryIn === 0) this.#stopCountdown();
    }, 1000);
  }

  #stopCountdown(): void {
    clearInterval(this.#countdown);
    this.#countdown = undefined;
  }

  /** The form-level message for a refusal that names no field. */
  #refusal(error: LifeboatError, unmapped: string[], hasFields: boolean): string {
    const m = messages();
    if (error.code === 'banned') return `${m.banned} ${error.message}`.trim();
    if (error.code === 'content_rejected' && !hasFields)
      return unmapped.join(' ') || `${m.contentRejected} ${error.message}`.trim();
    return unmapped.join(' ') || (hasFields ? '' : `${m.postError} ${error.message}`);
  }

  #handleSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this.busy || this.retryIn > 0 || !this.submit) return;
    const form = event.currentTarget as HTMLFormElement;
    const { draft, errors } = this.#validate(form);
    if (Object.keys(errors).length) {
      await this.#showErrors(errors);
      return;
    }
    this.busy = true;
    this.errors = {};
    this.formError = '';
    try {
      const sent = await this.submit({ ...draft, body: draft.body.trim() });
      if (sent && this.kind !== 'edit') {
        form.querySelector('textarea')!.value = '';
        this.draft = '';
        this.preview = false;
      }
    } catch (error) {
      const m = messages();
      if (isLifeboatError(error) && error.code === 'slow_mode') {
        this.#startCountdown(error.retryAfter ?? 30);
        await this.#showErrors({});
      } else if (isLifeboatError(error)) {
        const { fields, unmapped } = mapServerErrors(error, (field) =>
          field === 'body' ? 'body' : field === 'displayName' ? 'displayName' : undefined,
        );
        await this.#showErrors(
          fields,
          this.#refusal(error, unmapped, Object.keys(fields).length > 0),
        );
      } else {
        await this.#showErrors({}, m.postError);
      }
    } finally {
      this.busy = false;
    }
  };

  #renderError(name: string): TemplateResult | typeof nothing {
    const error = this.errors[name];
    return error ? html`<p class="error" id="${this.#id}-${name}-error">${error}</p>` : nothing;
  }

  #describedBy(name: string, hint = true): string {
    return [
      hint ? `${this.#id}-${name}-hint` : '',
      this.errors[name] ? `${this.#id}-${name}-error` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  #labels(): { heading: string; label: string; submit: string } {
    const m = messages();
    if (this.kind === 'reply')
      return { heading: m.replyTo(this.replyTo), label: m.replyLabel, submit: m.postReply };
    if (this.kind === 'edit')
      return { heading: m.editLabel, label: m.editLabel, submit: m.saveEdit };
    return { heading: m.composerHeading, label: m.answerLabel, submit: m.postAnswer };
  }

  protected override render(): TemplateResult {
    const m = messages();
    const id = this.#id;
    const labels = this.#labels();
    const needsName = !this.session && this.kind !== 'edit';
    return html`<form
      class="composer ${this.kind}"
      part="composer"
      novalidate
      aria-labelledby="${id}-heading"
      @submit=${this.#handleSubmit}
      @keydown=${this.#handleKeydown}
    >
      <p class="composer-heading" id="${id}-heading">${labels.heading}</p>
      ${
        needsName
          ? html`<div class="field">
              <label for="${id}-name">${m.displayName}</label>
              <input
                id="${id}-name"
                name="displayName"
                type="text"
                autocomplete="nickname"
                maxlength=${LIMITS.displayName.max}
                aria-invalid=${this.errors.displayName ? 'true' : 'false'}
                aria-describedby=${this.#describedBy('displayName')}
              />
              <p class="hint" id="${id}-displayName-hint">${m.displayNameHint}</p>
              ${this.#renderError('displayName')}
            </div>`
          : this.session && this.kind !== 'edit'
            ? html`<p class="muted posting-as">${m.postingAs(this.session.member.displayName)}</p>`
            : nothing
      }
      <div class="field">
        <label for="${id}-body">${labels.label}</label>
        <textarea
          id="${id}-body"
          name="body"
          rows=${this.kind === 'answer' ? 4 : 3}
          maxlength=${LIMITS.postBody.max}
          .value=${this.value}
          aria-invalid=${this.errors.body ? 'true' : 'false'}
          aria-describedby=${this.#describedBy('body')}
          @input=${this.#handleInput}
        ></textarea>
        <p class="hint" id="${id}-body-hint">${m.answerHint}</p>
        ${this.#renderError('body')}
      </div>
      ${
        this.preview
          ? html`<div class="preview body" role="region" aria-label=${m.previewLabel}>
              ${this.draft.trim() ? renderSafeText(this.draft) : html`<p class="muted">${m.previewEmpty}</p>`}
            </div>`
          : nothing
      }
      ${this.formError ? html`<p class="error form-error" role="alert">${this.formError}</p>` : nothing}
      ${
        this.retryIn > 0
          ? html`<p class="error form-error slow-mode" part="retry-after" id="${id}-retry">
                ${m.slowMode(this.retryIn)}
              </p>
              <span class="visually-hidden" role="alert">${this.#slowModeNotice}</span>`
          : nothing
      }
      <div class="composer-actions">
        <button
          type="button"
          class="button quiet"
          aria-pressed=${this.preview ? 'true' : 'false'}
          @click=${() => (this.preview = !this.preview)}
        >
          ${m.preview}
        </button>
        ${
          this.cancel
            ? html`<button type="button" class="button quiet" @click=${() => this.cancel?.()}>
                ${m.cancel}
              </button>`
            : nothing
        }
        <button
          type="submit"
          class="button primary"
          part="submit-button"
          ?disabled=${this.busy || this.retryIn > 0}
          aria-describedby=${this.retryIn > 0 ? `${id}-retry` : nothing}
        >
          ${this.busy ? (this.kind === 'edit' ? m.saving : m.posting) : labels.submit}
        </button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-composer': LifeboatComposer;
  }
}
