import { css } from 'lit';
import { controlStyles, fieldStyles, tokenStyles } from '../styles/shared.styles.js';

export const workaroundFormStyles = [
  tokenStyles,
  controlStyles,
  fieldStyles,
  css`
    :host {
      container-type: inline-size;
    }
    form {
      display: grid;
      gap: var(--_s4);
      padding: var(--_s5);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-m);
      background: var(--_surface);
    }
    .intro {
      display: grid;
      gap: var(--_s1);
    }
    h2 {
      margin: 0;
      font-size: 1.1875rem;
      font-weight: 650;
      line-height: 1.3;
    }
    .intro p {
      margin: 0;
      font-size: var(--_fs-s);
    }
    .field p {
      margin: 0;
    }
    fieldset {
      margin: 0;
      padding: 0;
      border: 0;
      min-width: 0;
    }
    legend {
      padding: 0;
      margin-bottom: var(--_s1);
    }
    .optional {
      color: var(--_muted);
      font-weight: 400;
    }
    .steps {
      display: grid;
      gap: var(--_s2);
      margin: 0 0 var(--_s2);
      padding: 0;
      list-style: none;
    }
    .step {
      display: grid;
      grid-template-columns: 1.75rem 1fr auto;
      align-items: center;
      gap: var(--_s1) var(--_s2);
    }
    .step .error {
      grid-column: 2 / -1;
      margin: 0;
    }
    .step-number {
      display: inline-grid;
      place-items: center;
      width: 1.75rem;
      height: 1.75rem;
      border-radius: 50%;
      background: var(--_raised);
      border: 1px solid var(--_border);
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
      color: var(--_muted);
    }
    .icon-button {
      width: 2.5rem;
      height: 2.5rem;
      border: 1px solid transparent;
      border-radius: var(--_radius-s);
      background: none;
      color: var(--_muted);
      cursor: pointer;
    }
    .icon-button:hover {
      background: var(--_raised);
      color: var(--_danger);
    }
    .icon-button.move:hover {
      color: var(--_accent);
    }
    .step-actions {
      display: flex;
      gap: 2px;
    }
    .similar {
      display: grid;
      gap: var(--_s2);
      padding: var(--_s3) var(--_s4);
      border: 1px solid var(--_accent);
      border-radius: var(--_radius-s);
      background: color-mix(in srgb, var(--_accent) 5%, var(--_surface));
    }
    .similar h3 {
      margin: 0;
      font-size: var(--_fs-m);
      font-weight: var(--_strong);
    }
    .similar p {
      margin: 0;
    }
    .similar ul {
      display: grid;
      gap: var(--_s3);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .similar li {
      display: grid;
      gap: var(--_s1);
      justify-items: start;
    }
    .similar-title {
      font-weight: var(--_strong);
      overflow-wrap: anywhere;
    }
    .expiry .field {
      margin-top: var(--_s2);
    }
    .add-step {
      justify-self: start;
      margin-inline-start: calc(1.75rem + var(--_s2));
    }
    .row {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: var(--_s4);
    }
    .radios {
      display: grid;
      gap: var(--_s2);
    }
    .radio {
      display: flex;
      align-items: center;
      gap: var(--_s2);
      padding: var(--_s2) var(--_s3);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
      font-weight: 400;
      font-size: var(--_fs-m);
      cursor: pointer;
    }
    .radio:has(:checked) {
      border-color: var(--_accent);
      background: color-mix(in srgb, var(--_accent) 7%, var(--_surface));
    }
    .radio input {
      accent-color: var(--_accent);
      width: 1rem;
      height: 1rem;
      margin: 0;
    }
    .outcome {
      margin: 0;
      padding: var(--_s3) var(--_s4);
      border-radius: var(--_radius-s);
      font-weight: var(--_strong);
    }
    .outcome:focus {
      outline: none;
    }
    .success {
      background: color-mix(in srgb, var(--_operational) 12%, var(--_surface));
      color: color-mix(in srgb, var(--_operational) 70%, var(--_text));
    }
    .failure {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: var(--_s2);
      background: color-mix(in srgb, var(--_danger) 10%, var(--_surface));
      color: var(--_text);
    }
    .failure p {
      margin: 0;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
    }
    .notice {
      margin: 0;
      padding: var(--_s4);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-m);
      color: var(--_muted);
    }
    @container (max-width: 480px) {
      form {
        padding: var(--_s4);
      }
      .row {
        grid-template-columns: 1fr;
      }
      .actions .button {
        width: 100%;
      }
    }
  `,
];
