import { css } from 'lit';
import { controlStyles, fieldStyles, tokenStyles } from '../styles/shared.styles.js';

/** Styles of `<lifeboat-moderation>` and its children (queue items and the audit log). */
export const moderationStyles = [
  tokenStyles,
  controlStyles,
  fieldStyles,
  css`
    :host {
      container-type: inline-size;
    }
    .moderation {
      display: grid;
      gap: var(--_s3);
      padding: var(--_s5);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-m);
      background: var(--_surface);
    }
    .header {
      display: grid;
      gap: var(--_s2);
    }
    .title-row {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s2) var(--_s3);
    }
    .heading {
      margin: 0;
      font-size: 1.1875rem;
      font-weight: 650;
      line-height: 1.3;
    }
    .site {
      font-family: var(--_mono);
      font-weight: 500;
    }
    .connection {
      display: inline-flex;
      align-items: center;
      gap: var(--_s1);
      margin-inline-start: auto;
      color: var(--_muted);
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
    }
    .dot {
      width: 0.5rem;
      height: 0.5rem;
      border-radius: 50%;
      background: var(--_minor);
    }
    .connection.live .dot {
      background: var(--_operational);
      box-shadow: 0 0 0 3px color-mix(in srgb, var(--_operational) 25%, transparent);
    }
    .slow-mode {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s1) var(--_s2);
    }
    .slow-mode label {
      color: var(--_muted);
    }
    .slow-mode select {
      width: auto;
      min-height: 2rem;
      padding-block: 0;
      padding-inline: var(--_s2);
      font-size: max(16px, var(--_fs-s));
    }
    .slow-mode .error {
      flex-basis: 100%;
      margin: 0;
    }
    .tabs {
      display: flex;
      gap: var(--_s1);
      border-bottom: 1px solid var(--_border);
    }
    .tab {
      display: inline-flex;
      align-items: center;
      gap: var(--_s2);
      min-height: 2.5rem;
      margin-bottom: -1px;
      padding: 0 var(--_s3);
      border: 0;
      border-bottom: 2px solid transparent;
      background: none;
      color: var(--_muted);
      font-weight: var(--_strong);
      cursor: pointer;
    }
    .tab:hover {
      color: var(--_text);
    }
    .tab[aria-selected='true'] {
      border-bottom-color: var(--_accent);
      color: var(--_text);
    }
    .tab .count,
    .filter-button .count {
      min-width: 1.5rem;
      padding: 0 var(--_s1);
      border-radius: var(--_radius-pill);
      background: var(--_raised);
      border: 1px solid var(--_border);
      color: var(--_text);
      font-size: 0.75rem;
      font-variant-numeric: tabular-nums;
      text-align: center;
    }
    .panel {
      display: grid;
      gap: var(--_s3);
      min-width: 0;
    }
    .panel[hidden] {
      display: none;
    }
    .filter {
      display: inline-flex;
      justify-self: start;
      padding: 2px;
      border-radius: var(--_radius-s);
      background: var(--_raised);
      border: 1px solid var(--_border);
    }
    .filter-button {
      display: inline-flex;
      align-items: center;
      gap: var(--_s1);
      min-height: 2rem;
      padding: 0 var(--_s3);
      border: 0;
      border-radius: calc(var(--_radius-s) - 2px);
      background: none;
      color: var(--_muted);
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
      cursor: pointer;
    }
    .filter-button[aria-pressed='true'] {
      background: var(--_surface);
      color: var(--_text);
      box-shadow: 0 1px 2px rgb(0 0 0 / 0.12);
    }
    .shortcuts {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: var(--_s1) var(--_s3);
      padding: var(--_s2) var(--_s3);
      border-radius: var(--_radius-s);
      background: var(--_raised);
      color: var(--_muted);
      font-size: 0.75rem;
    }
    .shortcuts-title {
      color: var(--_text);
      font-weight: var(--_strong);
    }
    .shortcuts ul {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s1) var(--_s3);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    kbd {
      display: inline-block;
      min-width: 1.25rem;
      padding: 0 0.3rem;
      border: 1px solid color-mix(in srgb, var(--_text) 22%, var(--_border));
      border-bottom-width: 2px;
      border-radius: 4px;
      background: var(--_surface);
      color: var(--_text);
      font-family: var(--_mono);
      font-size: 0.6875rem;
      font-weight: var(--_strong);
      line-height: 1.35;
      text-align: center;
    }
    kbd + kbd {
      margin-inline-start: 2px;
    }
    .queue,
    .audit {
      display: grid;
      gap: var(--_s3);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    lifeboat-queue-item,
    lifeboat-audit-log {
      display: block;
    }
    .item {
      display: grid;
      gap: var(--_s3);
      padding: var(--_s4);
      border: 1px solid var(--_border);
      border-inline-start: 3px solid var(--_maintenance);
      border-radius: var(--_radius-s);
      background: var(--_surface);
      transition:
        border-color 120ms,
        box-shadow 120ms;
    }
    .item.flagged {
      border-inline-start-color: var(--_major);
    }
    .item:focus {
      outline: none;
    }
    .item:focus-within {
      border-color: color-mix(in srgb, var(--_accent) 55%, var(--_border));
      box-shadow: 0 0 0 3px color-mix(in srgb, var(--_accent) 18%, transparent);
    }
    .item:focus-visible {
      outline: 2px solid var(--_focus);
      outline-offset: 2px;
    }
    .item.acting {
      opacity: 0.65;
    }
    .item-head {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s1) var(--_s2);
      font-size: var(--_fs-s);
    }
    .item-meta {
      display: inline-flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s1) var(--_s2);
      margin-inline-start: auto;
    }
    .avatar {
      display: inline-grid;
      place-items: center;
      width: 1.75rem;
      height: 1.75rem;
      border-radius: 50%;
      background: color-mix(in srgb, var(--_accent) 16%, var(--_surface));
      color: color-mix(in srgb, var(--_accent) 70%, var(--_text));
      font-size: 0.6875rem;
      font-weight: var(--_strong);
    }
    .author {
      font-weight: var(--_strong);
    }
    .kind[data-kind='guest'] {
      --_badge: var(--_muted);
    }
    .kind[data-kind='sso'],
    .staff {
      --_badge: var(--_accent);
    }
    .banned {
      --_badge: var(--_danger);
    }
    /* Trust levels (docs/reputation.md): quiet for new members, the accent for proven helpers. */
    .trust {
      --_badge: var(--_muted);
    }
    .trust[data-trust='helper'],
    .trust[data-trust='trusted'] {
      --_badge: var(--_operational);
    }
    /* Early warning (docs/early-warning.md): spikes before any incident is declared. */
    .spikes {
      display: grid;
      gap: var(--_s2);
      padding: var(--_s3) var(--_s4);
      border: 1px solid color-mix(in srgb, var(--_major) 40%, var(--_border));
      border-inline-start-width: 4px;
      border-radius: var(--_radius-s);
      background: color-mix(in srgb, var(--_major) 7%, var(--_surface));
    }
    .spikes-heading {
      display: flex;
      align-items: center;
      gap: var(--_s2);
      margin: 0;
      font-size: 1rem;
      font-weight: 650;
    }
    .spikes-heading .count {
      padding: 0 var(--_s2);
      border-radius: var(--_radius-pill, 999px);
      background: var(--_major);
      color: light-dark(#fff, #16181d);
      font-size: var(--_fs-s);
    }
    .spikes-hint {
      margin: 0;
      font-size: var(--_fs-s);
    }
    .spike-list {
      display: grid;
      gap: var(--_s2);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .spike {
      display: grid;
      gap: var(--_s1);
      padding: var(--_s2) var(--_s3);
      border-radius: var(--_radius-s);
      background: var(--_surface);
      border: 1px solid var(--_border);
    }
    .spike[data-state='dismissed'],
    .spike[data-state='declared'] {
      border-style: dashed;
    }
    .spike-title {
      display: flex;
      align-items: center;
      gap: var(--_s2);
      margin: 0;
      font-weight: var(--_strong);
    }
    .spike-dot {
      flex: none;
      width: 0.625rem;
      height: 0.625rem;
      border-radius: 50%;
      background: var(--_major);
    }
    .spike[data-state='dismissed'] .spike-dot,
    .spike[data-state='declared'] .spike-dot {
      background: var(--_muted);
    }
    .spike-meta,
    .spike-outcome {
      margin: 0;
      font-size: var(--_fs-s);
    }
    .spike-actions {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s2);
      margin-top: var(--_s1);
    }
    .queue-badge.pending {
      --_badge: var(--_maintenance);
    }
    .queue-badge.flagged,
    .flag {
      --_badge: var(--_major);
    }
    .verified {
      --_badge: var(--_operational);
    }
    .pinned {
      --_badge: var(--_maintenance);
    }
    .reasons {
      display: grid;
      gap: var(--_s2);
      padding: var(--_s2) var(--_s3);
      border-radius: var(--_radius-s);
      background: color-mix(in srgb, var(--_minor) 9%, var(--_surface));
      border: 1px solid color-mix(in srgb, var(--_minor) 30%, var(--_border));
      font-size: var(--_fs-s);
    }
    .reason-list,
    .flag-notes {
      display: grid;
      gap: var(--_s1);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .reason strong {
      color: color-mix(in srgb, var(--_minor) 55%, var(--_text));
    }
    .reason[data-code^='risky'] strong {
      color: color-mix(in srgb, var(--_danger) 75%, var(--_text));
    }
    .flags {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_s1) var(--_s2);
    }
    .flag-notes {
      flex-basis: 100%;
      color: var(--_muted);
      font-style: italic;
    }
    code {
      padding: 0.05rem 0.3rem;
      border-radius: 4px;
      background: var(--_raised);
      border: 1px solid var(--_border);
      font-family: var(--_mono);
      font-size: 0.85em;
    }
    pre {
      margin: 0;
      padding: var(--_s2) var(--_s3);
      border-radius: var(--_radius-s);
      background: var(--_raised);
      border: 1px solid var(--_border);
      overflow-x: auto;
    }
    pre code {
      padding: 0;
      border: 0;
      background: none;
    }
    .body {
      display: grid;
      gap: var(--_s2);
      min-width: 0;
    }
    .body p,
    .body ul,
    .body ol {
      margin: 0;
    }
    .body a {
      color: var(--_accent);
    }
    .eyebrow {
      color: var(--_muted);
      font-size: 0.75rem;
      font-weight: var(--_strong);
      letter-spacing: 0.04em;
      text-transform: uppercase;
    }
    .workaround-title {
      font-weight: var(--_strong);
    }
    .item-actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_s2);
      padding-top: var(--_s3);
      border-top: 1px solid var(--_border);
    }
    .action-buttons {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s2);
    }
    .action kbd {
      margin-inline-start: var(--_s1);
    }
    .button.primary kbd {
      border-color: color-mix(in srgb, var(--_on-accent) 50%, transparent);
      background: transparent;
      color: var(--_on-accent);
    }
    .button.danger-outline {
      color: var(--_danger);
    }
    .button.danger {
      border-color: var(--_danger);
      background: var(--_danger);
      color: light-dark(#fff, #16181d);
    }
    .button.quiet {
      border-color: transparent;
      background: none;
    }
    .reason-field {
      flex: 1 1 12rem;
      min-width: 10rem;
    }
    .reason-input {
      min-height: 2.25rem !important;
      padding-block: var(--_s1) !important;
      font-size: max(16px, var(--_fs-s)) !important;
    }
    .ban-confirm {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_s2);
      padding: var(--_s3);
      border-radius: var(--_radius-s);
      background: color-mix(in srgb, var(--_danger) 8%, var(--_surface));
      border: 1px solid color-mix(in srgb, var(--_danger) 35%, var(--_border));
    }
    .ban-question {
      flex-basis: 100%;
      font-weight: var(--_strong);
    }
    .item-error {
      margin: 0;
    }
    .entry {
      display: grid;
      gap: 2px;
      padding-bottom: var(--_s3);
      border-bottom: 1px solid var(--_border);
      font-size: var(--_fs-s);
    }
    .entry-line,
    .entry-reason {
      margin: 0;
    }
    .actor {
      font-weight: var(--_strong);
    }
    .verb[data-action='reject'],
    .verb[data-action='remove'],
    .verb[data-action='ban'],
    .verb[data-action='hide'] {
      color: var(--_danger);
      font-weight: var(--_strong);
    }
    .verb[data-action='approve'],
    .verb[data-action='restore'],
    .verb[data-action='verify'] {
      color: var(--_operational);
      font-weight: var(--_strong);
    }
    .entry-reason {
      color: var(--_muted);
      font-style: italic;
    }
    .more {
      display: grid;
      justify-items: center;
      gap: var(--_s2);
      padding-top: var(--_s2);
    }
    .empty {
      margin: 0;
      padding: var(--_s5) var(--_s4);
      text-align: center;
      color: var(--_muted);
    }
    .all-clear {
      display: grid;
      justify-items: center;
      gap: var(--_s1);
      padding: var(--_s6) var(--_s4);
    }
    .all-clear p {
      margin: 0;
    }
    .check {
      display: inline-grid;
      place-items: center;
      width: 2.5rem;
      height: 2.5rem;
      border-radius: 50%;
      background: color-mix(in srgb, var(--_operational) 15%, var(--_surface));
      color: var(--_operational);
      font-size: 1.25rem;
      font-weight: 700;
    }
    .empty-title {
      color: var(--_text);
      font-size: var(--_fs-l);
      font-weight: var(--_strong);
    }
    .notice {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s3);
      margin: 0;
      padding: var(--_s3) var(--_s4);
      border-radius: var(--_radius-s);
      background: var(--_raised);
      font-size: var(--_fs-s);
    }
    .notice p {
      margin: 0;
    }
    .notice.offline {
      border-inline-start: 3px solid var(--_minor);
    }
    .notice.setup {
      border-inline-start: 3px solid var(--_accent);
    }
    .notice .sso-error {
      flex-basis: 100%;
      color: var(--_danger);
    }
    .error-notice {
      border-inline-start: 3px solid var(--_danger);
    }
    .skeleton-list {
      display: grid;
      gap: var(--_s4);
      padding-block: var(--_s3);
    }
    .skeleton-item {
      display: grid;
      gap: var(--_s2);
      padding: var(--_s4);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
    }
    .line {
      height: 0.75rem;
    }
    .line.short {
      width: 30%;
    }
    .line.mid {
      width: 70%;
    }
    @container (max-width: 480px) {
      .moderation {
        padding: var(--_s3);
      }
      .item {
        padding: var(--_s3);
      }
      .item-meta {
        margin-inline-start: 0;
      }
      .shortcuts {
        display: none;
      }
      .reason-field {
        flex-basis: 100%;
      }
    }
  `,
];
