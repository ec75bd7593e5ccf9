/**
 * Early warning in the banner's calm line (issue 12, docs/early-warning.md):
 *
 * - "Something not working?": one tap sends a report (`client.reportProblem()`); the button then
 *   gives way, in place, to an optional "Which part?" select that names the component of the
 *   report just made, then to "Thanks — reported".
 * - "Others are reporting problems with <component>": only for a corroborated spike (enough
 *   distinct members, or staff confirmed it), from `client.signals()`.
 *
 * Everything stays on the overall line, so the calm state keeps its one reserved line (ADR 0014):
 * the controls swap in place and long text is cut with an ellipsis, never wrapped.
 */
import type { PublicSignal, StatusComponent } from '@lifeboat/protocol';
import { html, nothing, type TemplateResult } from 'lit';
import { messages } from '../localize.js';

export type ReportStep = 'idle' | 'sending' | 'sent' | 'named' | 'error';

export interface EarlyWarningView {
  step: ReportStep;
  signals: readonly PublicSignal[];
  components: readonly StatusComponent[];
  onReport: () => void;
  onComponent: (event: Event) => void;
}

/** The corroborated signal, if any, shown instead of the site name. */
export function renderSignal(signals: readonly PublicSignal[]): TemplateResult | typeof nothing {
  const first = signals[0];
  if (!first) return nothing;
  const m = messages();
  return html`<span class="signal" part="signal" title=${m.othersReporting(first.componentName)}>
    <span class="signal-dot" aria-hidden="true"></span
    ><span class="signal-text">${m.othersReporting(first.componentName)}</span>
  </span>`;
}

/** The report control, one of its steps. */
export function renderReportControl(view: EarlyWarningView): TemplateResult {
  const m = messages();
  switch (view.step) {
    case 'idle':
    case 'error':
      return view.step === 'error'
        ? html`<button
            type="button"
            class="link-button report-problem"
            part="report-problem-button"
            @click=${view.onReport}
          >
            ${m.problemFailed}
          </button>`
        : html`<button
            type="button"
            class="link-button report-problem"
            part="report-problem-button"
            aria-label=${m.problemReport}
            @click=${view.onReport}
          >
            <span class="long">${m.problemReport}</span
            ><span class="short" aria-hidden="true">${m.problemReportShort}</span>
          </button>`;
    case 'sending':
      return html`<span class="report-status muted" part="report-status"
        >${m.problemSending}</span
      >`;
    case 'sent':
      return view.components.length
        ? html`<select
            class="report-component"
            part="report-component"
            aria-label=${m.problemWhichPart}
            @change=${view.onComponent}
          >
            <option value="">${m.problemWhichPartShort}</option>
            ${view.components.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
          </select>`
        : html`<span class="report-status muted" part="report-status">${m.problemThanks}</span>`;
    case 'named':
      return html`<span class="report-status muted" part="report-status">${m.problemThanks}</span>`;
  }
}
