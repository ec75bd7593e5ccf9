import { css } from 'lit';
import { controlStyles, tokenStyles } from '../styles/shared.styles.js';

/** Styles of `<lifeboat-insights>`: the same tokens as the other components, printable. */
export const insightsStyles = [
  tokenStyles,
  controlStyles,
  css`
    :host {
      container-type: inline-size;
      --_s-affected: var(--lifeboat-insights-affected, var(--_major));
      --_s-answers: var(--lifeboat-insights-answers, var(--_accent));
      --_s-confirmations: var(--lifeboat-insights-confirmations, var(--_operational));
      --_s-posts: var(--lifeboat-insights-posts, var(--_maintenance));
      --_s-staff: var(--lifeboat-insights-staff, var(--_muted));
    }
    .insights,
    .section,
    .report {
      /* Wide tables scroll inside their box instead of widening the page. */
      grid-template-columns: minmax(0, 1fr);
    }
    .insights {
      display: grid;
      gap: var(--_s5);
      padding: var(--_s5);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-m);
      background: var(--_surface);
    }
    @container (max-width: 520px) {
      .insights {
        padding: var(--_s4) var(--_s3);
        gap: var(--_s4);
      }
    }
    .header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--_s2) var(--_s4);
    }
    .heading {
      margin: 0;
      font-size: 1.1875rem;
      font-weight: 650;
      line-height: 1.3;
    }
    .site {
      color: var(--_muted);
      font-family: var(--_mono);
      font-size: var(--_fs-s);
    }
    .window {
      display: inline-flex;
      margin-inline-start: auto;
      padding: 2px;
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
      background: var(--_raised);
    }
    .window .button {
      min-height: 2rem;
      border-color: transparent;
      background: transparent;
      color: var(--_muted);
    }
    .window .button[aria-pressed='true'] {
      background: var(--_surface);
      border-color: var(--_border);
      color: var(--_text);
      box-shadow: 0 1px 2px rgb(0 0 0 / 0.08);
    }
    h3 {
      margin: 0;
      font-size: var(--_fs-l);
      font-weight: 650;
    }
    .section {
      display: grid;
      gap: var(--_s3);
    }
    .tiles {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr));
      gap: var(--_s2);
      margin: 0;
      padding: 0;
    }
    @container (max-width: 520px) {
      .tiles {
        grid-template-columns: 1fr 1fr;
      }
    }
    .tile {
      display: flex;
      flex-direction: column-reverse;
      justify-content: flex-end;
      gap: var(--_s1);
      margin: 0;
      padding: var(--_s3);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
      background: var(--_raised);
    }
    .tile dt {
      color: var(--_muted);
      font-size: var(--_fs-s);
      line-height: 1.3;
    }
    .tile dd {
      margin: 0;
      font-size: 1.5rem;
      font-weight: 650;
      line-height: 1.15;
      font-variant-numeric: tabular-nums;
    }
    .tile .note {
      display: block;
      color: var(--_muted);
      font-size: var(--_fs-s);
      font-weight: 400;
    }
    .charts {
      display: grid;
      grid-template-columns: repeat(2, minmax(0, 1fr));
      gap: var(--_s3);
    }
    @container (max-width: 860px) {
      .charts {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .chart {
      display: grid;
      align-content: start;
      gap: var(--_s2);
      min-width: 0;
      margin: 0;
      padding: var(--_s4);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
      background: var(--_surface);
      break-inside: avoid;
    }
    .chart.wide {
      grid-column: 1 / -1;
    }
    .chart-title {
      font-weight: var(--_strong);
    }
    .chart-summary {
      margin: 0;
      color: var(--_muted);
      font-size: var(--_fs-s);
    }
    .plot {
      display: block;
      overflow: visible;
      border-radius: var(--_radius-s);
    }
    .plot text {
      fill: var(--_muted);
      font-family: var(--_font);
      font-size: 12px;
    }
    .plot text.label {
      fill: var(--_text);
    }
    .plot text.value {
      fill: var(--_text);
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
    .plot .grid {
      stroke: var(--_border);
      stroke-dasharray: 2 3;
    }
    .plot .axis {
      stroke: color-mix(in srgb, var(--_text) 30%, var(--_border));
    }
    .plot .track {
      fill: var(--_raised);
    }
    .plot .line {
      fill: none;
      stroke-width: 2;
      stroke-linejoin: round;
    }
    .s-affected {
      fill: var(--_s-affected);
      stroke: var(--_s-affected);
      background: var(--_s-affected);
    }
    .s-answers {
      fill: var(--_s-answers);
      stroke: var(--_s-answers);
      background: var(--_s-answers);
    }
    .s-confirmations {
      fill: var(--_s-confirmations);
      stroke: var(--_s-confirmations);
      background: var(--_s-confirmations);
    }
    .s-posts {
      fill: var(--_s-posts);
      stroke: var(--_s-posts);
      background: var(--_s-posts);
    }
    .s-staff {
      fill: var(--_s-staff);
      stroke: var(--_s-staff);
      background: var(--_s-staff);
    }
    .s-none {
      fill: var(--_border);
      stroke: var(--_border);
      background: var(--_border);
    }
    .plot .line.s-affected,
    .plot .line.s-answers,
    .plot .line.s-confirmations,
    .plot .line.s-posts {
      fill: none;
    }
    .legend,
    .share-legend {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s1) var(--_s3);
      margin: 0;
      padding: 0;
      list-style: none;
      color: var(--_muted);
      font-size: var(--_fs-s);
    }
    .legend li,
    .share-legend li {
      display: inline-flex;
      align-items: center;
      gap: var(--_s1);
    }
    .swatch {
      width: 0.75rem;
      height: 0.75rem;
      border-radius: 2px;
    }
    details.data summary {
      width: fit-content;
      color: var(--_accent);
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
      cursor: pointer;
    }
    .table-scroll {
      /* Positioned: visually hidden cells stay inside the scroll box, not in the page's width. */
      position: relative;
      overflow-x: auto;
      margin-top: var(--_s2);
      background: var(--_surface);
    }
    table {
      width: 100%;
      border-collapse: collapse;
      overflow-wrap: normal;
      font-size: var(--_fs-s);
      font-variant-numeric: tabular-nums;
    }
    th,
    td {
      padding: var(--_s2);
      border-bottom: 1px solid var(--_border);
      text-align: end;
      vertical-align: top;
    }
    th:first-child,
    td:first-child {
      text-align: start;
    }
    thead th {
      color: var(--_muted);
      font-weight: var(--_strong);
      white-space: nowrap;
    }
    tbody th {
      font-weight: 500;
    }
    .incidents td .button {
      min-height: 2rem;
    }
    .incidents tbody th {
      min-width: 11rem;
    }
    .incidents td {
      white-space: nowrap;
    }
    .incidents tr[aria-current='true'] {
      background: color-mix(in srgb, var(--_accent) 8%, transparent);
    }
    .incident-cards {
      display: grid;
      gap: var(--_s2);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .incident-cards > li {
      display: grid;
      gap: var(--_s2);
      padding: var(--_s3);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
    }
    .incident-cards > li[aria-current='true'] {
      border-color: var(--_accent);
      background: color-mix(in srgb, var(--_accent) 6%, var(--_surface));
    }
    .card-head {
      display: flex;
      align-items: flex-start;
      justify-content: space-between;
      gap: var(--_s2);
    }
    .card-head h4 {
      margin: 0;
      font-size: var(--_fs-m);
      font-weight: var(--_strong);
    }
    .incident-cards dl {
      display: grid;
      grid-template-columns: repeat(3, minmax(0, 1fr));
      gap: var(--_s2);
      margin: 0;
    }
    .incident-cards dl > div {
      display: flex;
      flex-direction: column-reverse;
      justify-content: flex-end;
    }
    .incident-cards dt {
      color: var(--_muted);
      font-size: 0.75rem;
    }
    .incident-cards dd {
      margin: 0;
      font-size: var(--_fs-s);
      font-weight: var(--_strong);
      font-variant-numeric: tabular-nums;
    }
    .report {
      display: grid;
      gap: var(--_s4);
      padding-top: var(--_s5);
      border-top: 1px solid var(--_border);
    }
    .report-head {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: var(--_s2) var(--_s4);
    }
    .meta {
      margin: 0;
      color: var(--_muted);
      font-size: var(--_fs-s);
    }
    .report-actions {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s2);
      margin-inline-start: auto;
    }
    .named {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
      gap: var(--_s3);
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_s1);
      margin: var(--_s2) 0 0;
      padding: 0;
      list-style: none;
    }
    .chips li {
      padding: 0.125rem var(--_s2);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-pill);
      background: var(--_raised);
      font-size: var(--_fs-s);
    }
    .muted {
      color: var(--_muted);
      font-size: var(--_fs-s);
    }
    .notice {
      margin: 0;
      padding: var(--_s3) var(--_s4);
      border: 1px solid var(--_border);
      border-radius: var(--_radius-s);
      background: var(--_raised);
    }
    .notice.error {
      border-color: color-mix(in srgb, var(--_danger) 40%, var(--_border));
      color: var(--_text);
    }
    .sign-in-notice {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: var(--_s3);
    }
    .sign-in-notice p {
      margin: 0;
    }
    .sign-in-notice .sso-error {
      flex-basis: 100%;
      color: var(--_danger);
    }
    .markdown {
      width: 100%;
      min-height: 10rem;
      font-family: var(--_mono);
      font-size: var(--_fs-s);
    }
    .skeleton {
      height: 5rem;
      border-radius: var(--_radius-s);
      background: var(--_raised);
    }
    @media (prefers-reduced-motion: no-preference) {
      .skeleton {
        animation: pulse 1.4s ease-in-out infinite;
      }
    }
    @keyframes pulse {
      50% {
        opacity: 0.55;
      }
    }
    @media print {
      /* Paper is white: light colours whatever the page's theme or token overrides. */
      :host {
        color-scheme: light;
        --_surface: #ffffff;
        --_raised: #f7f8fa;
        --_text: #16181d;
        --_muted: #5b6270;
        --_border: #d5d9e0;
      }
      .insights {
        padding: 0;
        border: 0;
      }
      .window,
      .report-actions,
      .incidents td:last-child,
      .incidents th:last-child,
      .card-head .button,
      details.data summary {
        display: none;
      }
      .chart,
      .tile,
      .report {
        break-inside: avoid;
      }
    }
  `,
];
