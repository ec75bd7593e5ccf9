import { css } from 'lit';

/** Styles of `<lifeboat-email-updates>`. */
export const subscribeStyles = css`
  :host {
    margin-top: var(--_s4);
  }
  .toggle {
    display: inline-flex;
    align-items: center;
    gap: var(--_s2);
    padding: 0;
    border: 0;
    background: none;
    color: var(--_accent);
    font-size: var(--_fs-s);
    font-weight: var(--_strong);
    text-align: start;
    cursor: pointer;
  }
  .toggle:hover {
    text-decoration: underline;
    text-underline-offset: 2px;
  }
  .toggle svg {
    flex: none;
  }
  .done:focus {
    outline: none;
  }
  form,
  .done {
    display: grid;
    gap: var(--_s3);
    margin-top: var(--_s2);
    padding: var(--_s4);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-m);
    background: var(--_raised);
  }
  .intro {
    margin: 0;
    color: var(--_muted);
    font-size: var(--_fs-s);
  }
  input[type='email'] {
    width: 100%;
    min-height: 2.5rem;
    padding: var(--_s2) var(--_s3);
    border: 1px solid color-mix(in srgb, var(--_text) 22%, var(--_border));
    border-radius: var(--_radius-s);
    background: var(--_surface);
    font-size: max(16px, var(--_fs-m));
  }
  input[type='email']:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 0;
    border-color: var(--_focus);
  }
  fieldset {
    display: grid;
    gap: var(--_s2);
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  legend {
    margin-bottom: var(--_s1);
    padding: 0;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: var(--_s2);
    font-size: var(--_fs-m);
    font-weight: normal;
  }
  .choice input {
    width: 1.125rem;
    height: 1.125rem;
    margin: 0;
    accent-color: var(--_accent);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: flex-end;
    gap: var(--_s2);
  }
  .error,
  .done p,
  .fine-print {
    margin: 0;
  }
  .fine-print {
    color: var(--_muted);
    font-size: var(--_fs-s);
  }
  .done {
    grid-template-columns: auto 1fr;
    align-items: start;
  }
  .done svg {
    margin-top: 0.125rem;
    color: var(--_operational);
  }
  .done strong {
    display: block;
  }
`;
