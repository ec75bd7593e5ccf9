import { css } from 'lit';
import { controlStyles, tokenStyles } from '../styles/shared.styles.js';

export const bannerStyles = [
  tokenStyles,
  controlStyles,
  css`
    :host {
      --_sev: var(--lifeboat-banner-accent, var(--_muted));
      --_compact-reserve: var(--lifeboat-banner-min-height, 3.75rem);
      --_incident-reserve: var(--lifeboat-banner-incident-height, 25rem);
    }
    /*
     * Host-page safety: a page's own global rules (even * { all: unset !important }) reach
     * only the host element. Important declarations of the shadow tree win over the page's
     * important ones, so these keep the banner laid out and legible. Hide it with hidden.
     */
    :host {
      display: block !important;
      position: relative !important;
      container-type: inline-size !important;
      box-sizing: border-box !important;
      color: var(--_text) !important;
      font-family: var(--_font) !important;
      font-size: var(--_fs-m) !important;
      font-style: normal !important;
      font-weight: 400 !important;
      line-height: 1.5 !important;
      letter-spacing: normal !important;
      word-spacing: normal !important;
      text-align: start !important;
      text-indent: 0 !important;
      text-transform: none !important;
      white-space: normal !important;
      visibility: visible !important;
      pointer-events: auto !important;
      cursor: auto !important;
    }
    :host([hidden]) {
      display: none !important;
    }
    :host([data-severity='operational']) {
      --_sev: var(--lifeboat-banner-accent, var(--_operational));
    }
    :host([data-severity='maintenance']) {
      --_sev: var(--lifeboat-banner-accent, var(--_maintenance));
    }
    :host([data-severity='minor']) {
      --_sev: var(--lifeboat-banner-accent, var(--_minor));
    }
    :host([data-severity='major']) {
      --_sev: var(--lifeboat-banner-accent, var(--_major));
    }
    :host([data-severity='critical']) {
      --_sev: var(--lifeboat-banner-accent, var(--_critical));
    }
    /*
     * The reserved height: set before data arrives, never changed by data while in view. One
     * compact line, or the incident height when one is expected.
     */
    .banner {
      --_default-reserve: var(--_compact-reserve);
      position: relative;
      min-height: var(--_reserve, var(--_default-reserve));
      max-height: var(--_reserve, var(--_default-reserve));
      /* clip, not hidden: focus must not scroll the clipped content (focus expands it instead). */
      overflow: clip;
      padding: var(--_s4) var(--_s5);
      border: 1px solid var(--_border);
      border-top: 3px solid var(--_sev);
      border-radius: var(--_radius-m);
      background: var(--_surface);
      box-shadow:
        0 1px 2px rgb(0 0 0 / 0.04),
        0 4px 16px -8px rgb(0 0 0 / 0.08);
    }
    :host(:state(incident-reserve)) .banner {
      --_default-reserve: var(--_incident-reserve);
    }
    :host(:state(expanded)) .banner {
      max-height: none;
    }
    .content {
      /* Room for focus rings inside the clipped box. */
      margin: -4px;
      padding: 4px;
    }
    .inner {
      display: grid;
      gap: var(--_s3);
    }
    :host(:state(operational)) .banner,
    :host(:state(summary)) .banner,
    :host(:state(loading)) .banner {
      display: grid;
      align-content: center;
    }
    .more {
      display: flex;
      justify-content: center;
      padding-top: var(--_s3);
    }
    /* Clipped: a short fade over the last line and a small pill in the corner. */
    :host(:state(clipped)) .more {
      position: absolute;
      inset: auto 1px 1px;
      justify-content: flex-end;
      padding: var(--_s5) var(--_s3) var(--_s2);
      border-radius: 0 0 var(--_radius-m) var(--_radius-m);
      background: linear-gradient(to bottom, transparent, var(--_surface) 60%);
      pointer-events: none;
    }
    :host(:state(clipped)) .more .button {
      pointer-events: auto;
      min-height: 1.75rem;
      border-radius: var(--_radius-pill);
      box-shadow: 0 1px 3px rgb(0 0 0 / 0.12);
    }
    .icon-button {
      display: inline-grid;
      place-items: center;
      width: 2rem;
      height: 2rem;
      padding: 0;
      border: 0;
      border-radius: var(--_radius-s);
      background: none;
      color: var(--_muted);
      cursor: pointer;
      font-size: var(--_fs-s);
    }
    .icon-button:hover {
      background: var(--_raised);
      color: var(--_text);
    }
    .incident-controls {
      display: inline-flex;
      flex: none;
      gap: var(--_s1);
      margin-inline-start: auto;
      align-self: start;
      margin-block: calc(-1 * var(--_s1));
    }
    .chevron {
      width: 0.5rem;
      height: 0.5rem;
      border-right: 2px solid currentColor;
      border-bottom: 2px solid currentColor;
      transform: translateY(-2px) rotate(45deg);
    }
    [aria-expanded='false'] > .chevron {
      transform: translateY(2px) rotate(-135deg);
    }
    .incident-body {
      display: grid;
      gap: var(--_s3);
    }
    .link-button {
      justify-self: start;
      padding: 0;
      border: 0;
      background: none;
      color: var(--_accent);
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
      text-decoration: underline;
      text-underline-offset: 2px;
      cursor: pointer;
    }
    /* Its slot is held while the history loads, so the buttons after it never move. */
    .sparkline {
      display: inline-flex;
      align-items: center;
      width: 72px;
      height: 2.25rem;
      color: var(--_accent);
    }
    .sparkline svg {
      display: block;
      overflow: visible;
    }
    .spark-line {
      fill: none;
      stroke: currentColor;
      stroke-width: 1.5;
      stroke-linejoin: round;
      stroke-linecap: round;
    }
    .spark-area {
      fill: color-mix(in srgb, currentColor 14%, transparent);
      stroke: none;
    }
    .maintenance {
      display: grid;
      gap: var(--_s2);
      padding-top: var(--_s4);
      border-top: 1px solid var(--_border);
    }
    .maintenance-badge {
      --_badge: var(--_maintenance);
    }
    .overall {
      display: flex;
      align-items: center;
      gap: var(--_s2);
      font-weight: var(--_strong);
    }
    .overall .site {
      margin-inline-start: auto;
      font-weight: 400;
      font-size: var(--_fs-s);
    }
    /* Early warning on the calm line: one line whatever the width, the signal gives way first. */
    .overall .signal {
      display: inline-flex;
      align-items: center;
      gap: var(--_s2);
      min-width: 0;
      margin-inline-start: auto;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
      font-weight: 400;
      font-size: var(--_fs-s);
    }
    .signal-text {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .signal-dot {
      flex: none;
      width: 0.5rem;
      height: 0.5rem;
      border-radius: 50%;
      background: var(--lifeboat-color-minor, #b45309);
    }
    /* With the early-warning control the calm line stays one line: the status text gives way. */
    .overall:has(.early-warning) {
      min-width: 0;
    }
    .overall:has(.early-warning) .overall-text {
      min-width: 0;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
    }
    .overall .early-warning {
      flex: none;
      display: inline-flex;
      align-items: center;
      white-space: nowrap;
      font-weight: 400;
      font-size: var(--_fs-s);
    }
    .overall .site + .early-warning,
    .overall .signal + .early-warning {
      margin-inline-start: var(--_s3);
    }
    .overall .overall-text + .early-warning {
      margin-inline-start: auto;
    }
    .report-component {
      max-width: 12rem;
      padding: 0.125rem var(--_s2);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
      background: var(--_raised);
      color: inherit;
      font: inherit;
      font-size: var(--_fs-s);
    }
    .report-component:focus-visible {
      outline: 2px solid var(--_accent);
      outline-offset: 2px;
    }
    /* The compact line: one line whatever the width; the title gives way first. */
    .summary {
      min-width: 0;
      white-space: nowrap;
    }
    .summary > * {
      flex: none;
    }
    .summary .summary-title {
      flex: 0 1 auto;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      font-weight: 400;
    }
    .summary .link-button {
      margin-inline-start: auto;
    }
    .dot {
      flex: none;
      width: 0.625rem;
      height: 0.625rem;
      border-radius: 50%;
      background: var(--_sev);
      box-shadow: 0 0 0 3px color-mix(in srgb, var(--_sev) 22%, transparent);
    }
    .incident {
      display: grid;
      gap: var(--_s3);
      padding-top: var(--_s3);
      border-top: 1px solid var(--_border);
    }
    .incident-head {
      display: grid;
      grid-template-columns: auto minmax(0, 1fr) auto auto;
      grid-template-areas: 'impact title phase controls';
      align-items: baseline;
      gap: var(--_s2) var(--_s3);
    }
    .incident-head .impact,
    .maintenance-badge {
      grid-area: impact;
    }
    .incident-head .title {
      grid-area: title;
    }
    .incident-head .phase-badge {
      grid-area: phase;
    }
    .incident-head .incident-controls {
      grid-area: controls;
    }
    .title {
      margin: 0;
      font-size: var(--_fs-l);
      font-weight: var(--_strong);
      line-height: 1.35;
    }
    .impact,
    .phase-badge {
      --_badge: var(--_muted);
    }
    .impact[data-impact='minor'] {
      --_badge: var(--_minor);
    }
    .impact[data-impact='major'] {
      --_badge: var(--_major);
    }
    .impact[data-impact='critical'] {
      --_badge: var(--_critical);
    }
    .phases {
      display: flex;
      margin: 0;
      padding: 0;
      list-style: none;
      counter-reset: phase;
    }
    .phase {
      flex: 1;
      display: grid;
      grid-template-columns: auto 1fr;
      align-items: center;
      gap: var(--_s1) var(--_s2);
      position: relative;
      font-size: var(--_fs-s);
      color: var(--_muted);
      padding-top: var(--_s2);
      border-top: 3px solid var(--_border);
      margin-inline-end: var(--_s1);
    }
    .phase.done,
    .phase.current {
      border-top-color: var(--_sev);
    }
    .phase.current {
      color: var(--_text);
      font-weight: var(--_strong);
    }
    .phase-dot {
      display: none;
    }
    .phase-compact {
      display: none;
      margin: calc(-1 * var(--_s2)) 0 0;
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s1) var(--_s4);
      margin: 0;
      font-size: var(--_fs-s);
    }
    .update {
      margin: 0;
      padding: var(--_s3) var(--_s4);
      border-radius: var(--_radius-s);
      background: var(--_raised);
      white-space: pre-line;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s2);
    }
    .count {
      min-width: 1.5rem;
      padding: 0 var(--_s2);
      border-radius: var(--_radius-pill);
      background: var(--_raised);
      border: 1px solid var(--_border);
      font-variant-numeric: tabular-nums;
    }
    [aria-pressed='true'] .count {
      background: var(--_accent);
      border-color: var(--_accent);
      color: var(--_on-accent);
    }
    .workaround {
      display: grid;
      gap: var(--_s1);
      padding: var(--_s3) var(--_s4);
      border: 1px dashed color-mix(in srgb, var(--_accent) 45%, var(--_border));
      border-radius: var(--_radius-s);
      background: color-mix(in srgb, var(--_accent) 5%, var(--_surface));
    }
    .workaround-head {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s2);
    }
    .workaround-label {
      font-size: 0.75rem;
      font-weight: var(--_strong);
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--_muted);
    }
    .verified {
      --_badge: var(--_operational);
    }
    .workaround-title {
      margin: 0;
      font-weight: var(--_strong);
    }
    .workaround .link {
      justify-self: start;
      font-size: var(--_fs-s);
    }
    .notice {
      display: flex;
      align-items: center;
      gap: var(--_s3);
      margin: 0;
    }
    .skeleton-card {
      display: grid;
      gap: var(--_s3);
      align-content: center;
      /* As tall as the overall line it turns into: the centered content does not move. */
      min-height: 1.5em;
    }
    .line {
      height: 0.875rem;
    }
    .line.short {
      width: 40%;
    }
    .line.medium {
      width: 70%;
    }
    .timeline {
      position: fixed;
      inset: auto;
      margin: 0;
      top: 0;
      left: 0;
      width: max-content;
      max-width: min(420px, calc(100vw - 16px));
      overflow: auto;
      padding: var(--_s3) var(--_s4) var(--_s4);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-m);
      background: var(--_surface);
      color: var(--_text);
      box-shadow: 0 12px 32px -8px rgb(0 0 0 / 0.25);
      z-index: 1000;
    }
    .timeline:focus {
      outline: none;
    }
    .timeline-head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: var(--_s3);
      margin-bottom: var(--_s2);
      font-weight: var(--_strong);
    }
    .close {
      border: 0;
      background: none;
      cursor: pointer;
      width: 2rem;
      height: 2rem;
      border-radius: var(--_radius-s);
      color: var(--_muted);
    }
    .close:hover {
      background: var(--_raised);
    }
    .timeline-list {
      display: grid;
      gap: var(--_s3);
      margin: 0;
      padding: 0 0 0 var(--_s4);
      border-inline-start: 2px solid var(--_border);
      list-style: none;
    }
    .timeline-meta {
      display: flex;
      gap: var(--_s2);
      font-size: var(--_fs-s);
    }
    .timeline-list p {
      margin: var(--_s1) 0 0;
    }
    .report-problem .short {
      display: none;
    }
    @container (max-width: 480px) {
      /* Narrow: the status keeps its words, the early-warning control its short label. */
      .report-problem .long {
        display: none;
      }
      .report-problem .short {
        display: inline;
      }
      .report-component {
        max-width: 9rem;
      }
      /* A corroborated signal says more than the status word: the status is read out, not shown. */
      .overall:has(.signal) .overall-text {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
      }
      .banner {
        padding: var(--_s3) var(--_s4);
      }
      :host(:state(incident-reserve)) .banner {
        --_default-reserve: var(--lifeboat-banner-incident-height, 30rem);
      }
      .incident-head {
        grid-template-columns: auto auto minmax(0, 1fr) auto;
        grid-template-areas:
          'impact phase . controls'
          'title title title title';
        align-items: center;
      }
      .phase {
        padding-top: 0;
      }
      .phase-label {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
      .phase-compact {
        display: block;
      }
      .overall .site {
        display: none;
      }
      /* The compact line keeps the title: the severity is read out, not shown, next to the dot. */
      .summary .overall-text {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
      }
      .actions .button {
        flex: 1 1 auto;
      }
    }
  `,
];
