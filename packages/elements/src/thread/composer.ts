import { LIMITS, type Session } from '@lifeboat/protocol';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  checkLength,
  focusFirstInvalid,
  isLifeboatError,
  mapServerErrors,
  type FieldErrors,
} from '../forms/field-errors.js';
import { messages } from '../localize.js';

export interface ComposerDraft {
  displayName: string;
  body: string;
}

/** Sends a draft; resolves true when sent (the composer clears), false when canceled. */
export type ComposerSubmit = (draft: ComposerDraft) => Promise<boolean>;

let composerCount = 0;

/**
 * The answer composer: a native form with the display name (without a session) and the answer,
 * inline validation and server field errors. Presentational: it calls `submit` and shows the
 * outcome. Renders into the thread's shadow root.
 *
 * @summary The "post an answer" form of the thread.
 */
@customElement('lifeboat-composer')
export class LifeboatComposer extends LitElement {
  @property({ attribute: false }) session: Session | null = null;
  @property({ attribute: false }) submit?: ComposerSubmit;

  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private busy = false;

  readonly #id = `lifeboat-composer-${++composerCount}`;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  #validate(form: HTMLFormElement): { draft: ComposerDraft; errors: FieldErrors } {
    const data = new FormData(form);
    const draft = {
      displayName: String(data.get('displayName') ?? this.session?.member.displayName ?? '').trim(),
      body: String(data.get('body') ?? ''),
    };
    const errors: FieldErrors = {};
    if (!this.session) {
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

  #handleSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this.busy || !this.submit) return;
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
      if (sent) form.querySelector('textarea')!.value = '';
    } catch (error) {
      const m = messages();
      if (isLifeboatError(error)) {
        const { fields, unmapped } = mapServerErrors(error, (field) =>
          field === 'body' ? 'body' : field === 'displayName' ? 'displayName' : undefined,
        );
        await this.#showErrors(
          fields,
          unmapped.join(' ') ||
            (Object.keys(fields).length ? '' : `${m.postError} ${error.message}`),
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

  protected override render(): TemplateResult {
    const m = messages();
    const id = this.#id;
    return html`<form class="composer" part="composer" novalidate @submit=${this.#handleSubmit}>
      <p class="composer-heading" id="${id}-heading">${m.composerHeading}</p>
      ${
        this.session
          ? html`<p class="muted posting-as">${m.postingAs(this.session.member.displayName)}</p>`
          : html`<div class="field">
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
      }
      <div class="field">
        <label for="${id}-body">${m.answerLabel}</label>
        <textarea
          id="${id}-body"
          name="body"
          rows="4"
          maxlength=${LIMITS.postBody.max}
          aria-invalid=${this.errors.body ? 'true' : 'false'}
          aria-describedby=${this.#describedBy('body')}
        ></textarea>
        <p class="hint" id="${id}-body-hint">${m.answerHint}</p>
        ${this.#renderError('body')}
      </div>
      ${this.formError ? html`<p class="error form-error" role="alert">${this.formError}</p>` : nothing}
      <div class="composer-actions">
        <button type="submit" class="button primary" part="submit-button" ?disabled=${this.busy}>
          ${this.busy ? m.posting : m.postAnswer}
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
