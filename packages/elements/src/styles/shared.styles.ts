import { css } from 'lit';

/**
 * Tokens with the same defaults as tokens.css inline, resolved into private `--_*` properties,
 * plus the theme switch and the pieces every component shares (buttons, badges, fields).
 */
export const tokenStyles = css`
  :host {
    color-scheme: light dark;
    /* Long URLs, ids and code never widen the host page on a phone. */
    overflow-wrap: anywhere;
    min-width: 0;
    --_surface: var(--lifeboat-color-surface, light-dark(#ffffff, #16181d));
    --_raised: var(--lifeboat-color-surface-raised, light-dark(#f7f8fa, #1e2128));
    --_text: var(--lifeboat-color-text, light-dark(#16181d, #eceef2));
    --_muted: var(--lifeboat-color-muted, light-dark(#5b6270, #a1a7b3));
    --_border: var(--lifeboat-color-border, light-dark(#e2e5ea, #2e323b));
    --_accent: var(--lifeboat-color-accent, light-dark(#4f46e5, #a5b4fc));
    --_on-accent: var(--lifeboat-color-on-accent, light-dark(#ffffff, #16181d));
    --_focus: var(--lifeboat-color-focus, light-dark(#4f46e5, #a5b4fc));
    --_danger: var(--lifeboat-color-danger, light-dark(#c0262d, #ff8a8f));
    --_operational: var(--lifeboat-color-operational, light-dark(#1a7f4b, #4ade80));
    --_minor: var(--lifeboat-color-minor, light-dark(#a15c00, #fbbf24));
    --_major: var(--lifeboat-color-major, light-dark(#c2410c, #fb923c));
    --_critical: var(--lifeboat-color-critical, light-dark(#c0262d, #f87171));
    --_maintenance: var(--lifeboat-color-maintenance, light-dark(#1d64c2, #60a5fa));
    --_s1: var(--lifeboat-space-1, 0.25rem);
    --_s2: var(--lifeboat-space-2, 0.5rem);
    --_s3: var(--lifeboat-space-3, 0.75rem);
    --_s4: var(--lifeboat-space-4, 1rem);
    --_s5: var(--lifeboat-space-5, 1.5rem);
    --_s6: var(--lifeboat-space-6, 2rem);
    --_radius-s: var(--lifeboat-radius-s, 6px);
    --_radius-m: var(--lifeboat-radius-m, 10px);
    --_radius-pill: var(--lifeboat-radius-pill, 999px);
    --_font: var(
      --lifeboat-font-family,
      ui-sans-serif,
      system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      sans-serif
    );
    --_mono: var(--lifeboat-font-mono, ui-monospace, 'SF Mono', Menlo, Consolas, monospace);
    --_fs-s: var(--lifeboat-font-size-s, 0.8125rem);
    --_fs-m: var(--lifeboat-font-size-m, 0.9375rem);
    --_fs-l: var(--lifeboat-font-size-l, 1.0625rem);
    --_strong: var(--lifeboat-font-weight-strong, 600);

    display: block;
    box-sizing: border-box;
    color: var(--_text);
    font-family: var(--_font);
    font-size: var(--_fs-m);
    line-height: 1.5;
    -webkit-text-size-adjust: 100%;
  }
  /* theme="auto" follows the host page's own switch when it has one (HostThemeController). */
  :host(:not([theme='light']):not([theme='dark']):state(host-light)) {
    color-scheme: light;
  }
  :host(:not([theme='light']):not([theme='dark']):state(host-dark)) {
    color-scheme: dark;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
`;

export const controlStyles = css`
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--_s2);
    min-height: 2.25rem;
    padding: 0 var(--_s3);
    border: 1px solid var(--_border);
    border-radius: var(--_radius-s);
    background: var(--_surface);
    color: var(--_text);
    font-size: var(--_fs-s);
    font-weight: var(--_strong);
    line-height: 1.2;
    cursor: pointer;
    transition:
      background-color 120ms,
      border-color 120ms;
    white-space: nowrap;
  }
  .button:hover {
    background: var(--_raised);
    border-color: color-mix(in srgb, var(--_text) 25%, var(--_border));
  }
  .button[aria-pressed='true'] {
    border-color: var(--_accent);
    background: color-mix(in srgb, var(--_accent) 12%, var(--_surface));
    color: var(--_text);
  }
  .button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  .button.primary:hover {
    background: color-mix(in srgb, var(--_accent) 88%, var(--_text));
  }
  .button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  .link {
    color: var(--_accent);
    font-weight: var(--_strong);
    text-decoration: underline;
    text-underline-offset: 2px;
    text-decoration-thickness: 1px;
  }
  .badge {
    display: inline-flex;
    align-items: center;
    gap: var(--_s1);
    padding: 0.0625rem var(--_s2);
    border-radius: var(--_radius-pill);
    background: color-mix(in srgb, var(--_badge, var(--_muted)) 14%, var(--_surface));
    color: color-mix(in srgb, var(--_badge, var(--_muted)) 80%, var(--_text));
    font-size: 0.75rem;
    font-weight: var(--_strong);
    line-height: 1.4;
    white-space: nowrap;
  }
  .muted {
    color: var(--_muted);
  }
  .skeleton {
    border-radius: var(--_radius-s);
    background: linear-gradient(90deg, var(--_raised), var(--_border), var(--_raised));
    background-size: 200% 100%;
    animation: shimmer 1.4s ease-in-out infinite;
  }
  @keyframes shimmer {
    from {
      background-position: 100% 0;
    }
    to {
      background-position: -100% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
`;

export const fieldStyles = css`
  .field {
    display: grid;
    gap: var(--_s1);
  }
  label,
  legend {
    font-size: var(--_fs-s);
    font-weight: var(--_strong);
  }
  .hint {
    color: var(--_muted);
    font-size: var(--_fs-s);
  }
  .error {
    color: var(--_danger);
    font-size: var(--_fs-s);
    font-weight: var(--_strong);
  }
  input[type='text'],
  select,
  textarea {
    width: 100%;
    min-height: 2.5rem;
    padding: var(--_s2) var(--_s3);
    border: 1px solid color-mix(in srgb, var(--_text) 22%, var(--_border));
    border-radius: var(--_radius-s);
    background: var(--_surface);
    font-size: max(16px, var(--_fs-m));
  }
  textarea {
    min-height: 6rem;
    resize: vertical;
  }
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 0;
    border-color: var(--_focus);
  }
  [aria-invalid='true'] {
    border-color: var(--_danger) !important;
  }
  .honeypot {
    position: absolute;
    left: -10000px;
    width: 1px;
    height: 1px;
    overflow: hidden;
  }
`;
