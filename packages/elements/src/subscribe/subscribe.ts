import type { LifeboatClient } from '@lifeboat/sdk';
import { emailRequestErrors } from '@lifeboat/sdk';
import { html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LifeboatElement } from '../base/lifeboat-element.js';
import {
  focusFirstInvalid,
  isLifeboatError,
  mapServerErrors,
  type FieldErrors,
} from '../forms/field-errors.js';
import { controlStyles, fieldStyles, tokenStyles } from '../styles/shared.styles.js';
import { subscribeStyles } from './subscribe.styles.js';

/** The words of `<lifeboat-email-updates>` (override with `emailUpdatesMessages`). */
export const emailUpdatesMessages = {
  toggle: 'Get email updates about this incident',
  intro: 'We send a link to confirm first. One email per update, and a link to stop them.',
  email: 'Email address',
  when: 'Email me when',
  onVerified: 'staff verify a fix',
  onResolved: 'the incident is resolved',
  submit: 'Email me',
  sending: 'Sending…',
  cancel: 'Cancel',
  sentTitle: 'Check your inbox',
  sent: (address: string) =>
    `We sent a link to ${address}. Open it within 24 hours to start the emails.`,
  failed: 'Could not send. Check your connection and try again.',
  limited: 'Too many requests for now. Try again later.',
  fine: 'Your address is used only for these emails and is deleted with your data.',
};

let count = 0;

const mailIcon = html`<svg
  width="16"
  height="16"
  viewBox="0 0 24 24"
  fill="none"
  stroke="currentColor"
  stroke-width="2"
  stroke-linecap="round"
  stroke-linejoin="round"
  aria-hidden="true"
>
  <rect x="3" y="5" width="18" height="14" rx="2"></rect>
  <path d="m3 7 9 6 9-6"></path>
</svg>`;

const checkIcon = html`<svg
  width="20"
  height="20"
  viewBox="0 0 24 24"
  fill="none"
  stroke="currentColor"
  stroke-width="2.25"
  stroke-linecap="round"
  stroke-linejoin="round"
  aria-hidden="true"
>
  <circle cx="12" cy="12" r="9"></circle>
  <path d="m8 12.5 2.5 2.5L16 9.5"></path>
</svg>`;

/**
 * "Email me when a fix is verified / when resolved" for one incident (docs/email.md): a
 * disclosure that opens a small native form (address, which updates), validated inline, sent with
 * `client.subscribeByEmail()`. The server mails a confirmation link first (double opt-in); the
 * form then says "check your inbox". Renders nothing when the client cannot subscribe. The
 * thread shows it above its composer when it has the `email-updates` attribute.
 *
 * @summary Email updates about one incident, for visitors.
 * @csspart toggle-button - The "Email me…" disclosure button.
 * @csspart form - The form.
 * @csspart email-input - The address field.
 * @csspart submit-button - The submit button.
 * @csspart confirmation - The "check your inbox" message.
 * @cssstate open - The form is open.
 * @cssstate sent - The confirmation link was sent.
 */
@customElement('lifeboat-email-updates')
export class LifeboatEmailUpdates extends LifeboatElement {
  static override styles = [tokenStyles, controlStyles, fieldStyles, subscribeStyles];

  /** The incident to follow. */
  @property() incident: string | null = null;

  @state() private open = false;
  @state() private email = '';
  @state() private onVerified = true;
  @state() private onResolved = true;
  @state() private errors: FieldErrors = {};
  @state() private formError = '';
  @state() private busy = false;
  @state() private sentTo: string | null = null;

  readonly #id = `lifeboat-email-updates-${++count}`;

  protected override clientChanged(_client: LifeboatClient | undefined): void {
    // No stores: the form only calls an action.
  }

  protected override updated(): void {
    this.toggleState('open', this.open);
    this.toggleState('sent', this.sentTo !== null);
  }

  #toggle = async () => {
    this.open = !this.open;
    if (this.open) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('input[type="email"]')?.focus();
    }
  };

  #submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const client = this.activeClient;
    if (!client?.subscribeByEmail || !this.incident || this.busy) return;
    const request = {
      email: this.email.trim(),
      onVerified: this.onVerified,
      onResolved: this.onResolved,
    };
    this.formError = '';
    this.errors = Object.fromEntries(emailRequestErrors(request).map((e) => [e.field, e.message]));
    if (Object.keys(this.errors).length) {
      await this.updateComplete;
      focusFirstInvalid(this.renderRoot);
      return;
    }
    this.busy = true;
    try {
      await client.subscribeByEmail(this.incident, request);
      this.sentTo = request.email;
      this.open = false;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.done')?.focus();
    } catch (error) {
      const m = emailUpdatesMessages;
      if (isLifeboatError(error)) {
        const { fields, unmapped } = mapServerErrors(error, (field) =>
          field === 'email' || field === 'onVerified' ? field : undefined,
        );
        this.errors = fields;
        this.formError = Object.keys(fields).length
          ? (unmapped[0] ?? '')
          : error.status === 429
            ? m.limited
            : error.status === 0 || error.code === 'network'
              ? m.failed
              : error.message;
      } else this.formError = m.failed;
      await this.updateComplete;
      focusFirstInvalid(this.renderRoot);
    } finally {
      this.busy = false;
    }
  };

  #describedBy(field: string, hint?: string): string | typeof nothing {
    const ids = [hint, this.errors[field] ? `${this.#id}-${field}-error` : undefined].filter(
      Boolean,
    );
    return ids.length ? ids.join(' ') : nothing;
  }

  #error(field: string): TemplateResult | typeof nothing {
    const message = this.errors[field];
    return message
      ? html`<p class="error" id="${this.#id}-${field}-error">${message}</p>`
      : nothing;
  }

  #renderForm(): TemplateResult {
    const m = emailUpdatesMessages;
    const id = this.#id;
    return html`<form id="${id}-form" part="form" novalidate @submit=${this.#submit}>
      <p class="intro" id="${id}-intro">${m.intro}</p>
      <div class="field">
        <label for="${id}-email">${m.email}</label>
        <input
          id="${id}-email"
          part="email-input"
          type="email"
          name="email"
          autocomplete="email"
          inputmode="email"
          spellcheck="false"
          maxlength="254"
          .value=${this.email}
          aria-invalid=${this.errors['email'] ? 'true' : 'false'}
          aria-describedby=${this.#describedBy('email', `${id}-intro`)}
          @input=${(e: Event) => {
            this.email = (e.target as HTMLInputElement).value;
            if (this.errors['email']) this.errors = { ...this.errors, email: '' };
          }}
        />
        ${this.#error('email')}
      </div>
      <fieldset aria-describedby=${this.#describedBy('onVerified')}>
        <legend>${m.when}</legend>
        <label class="choice">
          <input
            type="checkbox"
            name="onVerified"
            .checked=${this.onVerified}
            aria-invalid=${this.errors['onVerified'] ? 'true' : 'false'}
            @change=${(e: Event) => {
              this.onVerified = (e.target as HTMLInputElement).checked;
              this.errors = { ...this.errors, onVerified: '' };
            }}
          />${m.onVerified}
        </label>
        <label class="choice">
          <input
            type="checkbox"
            name="onResolved"
            .checked=${this.onResolved}
            @change=${(e: Event) => {
              this.onResolved = (e.target as HTMLInputElement).checked;
              this.errors = { ...this.errors, onVerified: '' };
            }}
          />${m.onResolved}
        </label>
        ${this.#error('onVerified')}
      </fieldset>
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
      <p class="fine-print">${m.fine}</p>
      <div class="actions">
        <button type="button" class="button" @click=${this.#toggle}>${m.cancel}</button>
        <button
          type="submit"
          class="button primary"
          part="submit-button"
          ?disabled=${this.busy}
          aria-disabled=${this.busy ? 'true' : 'false'}
        >
          ${this.busy ? m.sending : m.submit}
        </button>
      </div>
    </form>`;
  }

  protected override render(): TemplateResult | typeof nothing {
    if (!this.activeClient?.subscribeByEmail || !this.incident) return nothing;
    const m = emailUpdatesMessages;
    if (this.sentTo !== null)
      return html`<div class="done" part="confirmation" role="status" tabindex="-1">
        ${checkIcon}
        <p><strong>${m.sentTitle}</strong>${m.sent(this.sentTo)}</p>
      </div>`;
    return html`<button
        type="button"
        class="toggle"
        part="toggle-button"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="${this.#id}-form"
        @click=${this.#toggle}
      >
        ${mailIcon}${m.toggle}
      </button>
      ${this.open ? this.#renderForm() : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lifeboat-email-updates': LifeboatEmailUpdates;
  }
}
