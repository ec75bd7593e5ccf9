/**
 * Presentational rendering of one incident in the banner: plain data in, templates out.
 * Kept apart from the connected shell (banner.ts) that owns stores, events and the popover.
 */
import {
  INCIDENT_PHASES,
  type Incident,
  type Post,
  type StatusComponent,
} from '@lifeboat/protocol';
import { html, nothing, type TemplateResult } from 'lit';
import { absoluteTime, formatNumber, messages, relativeTime } from '../localize.js';

export interface IncidentViewOptions {
  incident: Incident;
  components: readonly StatusComponent[];
  affected: boolean;
  timelineOpen: boolean;
  now: number;
  onTimeline: (event: Event) => void;
  onAffected: () => void;
  onSeeInThread: (event: Event, post: Post) => void;
}

export function renderPhases(incident: Incident): TemplateResult {
  const m = messages();
  const current = INCIDENT_PHASES.indexOf(incident.phase);
  return html`<ol class="phases" part="phases" aria-label=${m.phaseProgress}>
      ${INCIDENT_PHASES.map(
        (phase, i) =>
          html`<li
            class="phase ${i < current ? 'done' : ''} ${i === current ? 'current' : ''}"
            aria-current=${i === current ? 'step' : 'false'}
          >
            <span class="phase-dot" aria-hidden="true"></span
            ><span class="phase-label">${m.phase[phase]}</span>
          </li>`,
      )}
    </ol>
    <p class="phase-compact" aria-hidden="true">${m.phase[incident.phase]}</p>`;
}

function renderWorkaround(
  post: Post,
  onSeeInThread: IncidentViewOptions['onSeeInThread'],
): TemplateResult {
  const m = messages();
  const title = post.workaround?.title ?? post.body.split('\n')[0].slice(0, 140);
  return html`<div class="workaround" part="workaround">
    <div class="workaround-head">
      <span class="workaround-label">${m.topWorkaround}</span>
      ${post.verified ? html`<span class="badge verified" part="verified-badge">✓ ${m.verifiedBadge}</span>` : nothing}
    </div>
    <p class="workaround-title">${title}</p>
    <a
      class="link"
      part="workaround-link"
      href="#lifeboat-post-${post.id}"
      @click=${(event: Event) => onSeeInThread(event, post)}
      >${m.seeInThread}<span aria-hidden="true"> →</span></a
    >
  </div>`;
}

export function renderIncident(options: IncidentViewOptions): TemplateResult {
  const { incident, components, affected, now } = options;
  const m = messages();
  const names = incident.components
    .map((id) => components.find((c) => c.id === id)?.name)
    .filter((name): name is string => Boolean(name));
  const latest = incident.updates[0];
  const titleId = `lifeboat-incident-${incident.id.replace(/[^\w-]/g, '-')}`;
  return html`<section
    class="incident"
    part="incident"
    data-impact=${incident.impact}
    aria-labelledby=${titleId}
  >
    <div class="incident-head">
      <span class="badge impact" part="impact-badge" data-impact=${incident.impact}
        >${m.impact[incident.impact]}</span
      >
      <p class="title" part="title" id=${titleId}>${incident.title}</p>
    </div>
    ${renderPhases(incident)}
    <p class="meta muted" part="meta">
      ${
        names.length
          ? html`<span class="components" part="components"
              >${m.affectedComponents}: ${names.join(', ')}</span
            >`
          : nothing
      }
      <span class="updated">
        <time
          datetime=${incident.updatedAt}
          title=${absoluteTime(incident.updatedAt)}
          aria-hidden="true"
          >${m.updatedAgo(relativeTime(incident.updatedAt, now))}</time
        ><span class="visually-hidden">${m.updatedAgo(absoluteTime(incident.updatedAt))}</span>
      </span>
    </p>
    ${latest ? html`<p class="update" part="update">${latest.body}</p>` : nothing}
    <div class="actions" part="actions">
      <button
        type="button"
        class="button"
        part="affected-button"
        aria-pressed=${affected ? 'true' : 'false'}
        @click=${options.onAffected}
      >
        <span>${m.affectedMeToo}</span>
        <span class="count" aria-hidden="true">${formatNumber(incident.affectedCount)}</span>
        <span class="visually-hidden">, ${m.affectedCount(incident.affectedCount)}</span>
      </button>
      ${
        incident.updates.length
          ? html`<button
              type="button"
              class="button"
              part="timeline-button"
              aria-expanded=${options.timelineOpen ? 'true' : 'false'}
              aria-controls=${options.timelineOpen ? 'timeline' : nothing}
              aria-haspopup="dialog"
              data-incident=${incident.id}
              @click=${options.onTimeline}
            >
              ${m.timeline}
            </button>`
          : nothing
      }
    </div>
    ${incident.topWorkaround ? renderWorkaround(incident.topWorkaround, options.onSeeInThread) : nothing}
  </section>`;
}

export function renderTimeline(
  incident: Incident,
  now: number,
  onClose: () => void,
): TemplateResult {
  const m = messages();
  return html`<div
    id="timeline"
    class="timeline"
    part="timeline"
    role="dialog"
    aria-label=${m.timelineTitle}
    tabindex="-1"
    popover="manual"
  >
    <div class="timeline-head">
      <span class="timeline-title">${m.timelineTitle}</span>
      <button type="button" class="close" aria-label=${m.close} @click=${onClose}>✕</button>
    </div>
    <ol class="timeline-list">
      ${incident.updates.map(
        (update) =>
          html`<li>
            <div class="timeline-meta">
              <strong>${m.phase[update.phase]}</strong>
              <time
                class="muted"
                datetime=${update.createdAt}
                title=${absoluteTime(update.createdAt)}
                >${relativeTime(update.createdAt, now)}</time
              >
            </div>
            <p>${update.body}</p>
          </li>`,
      )}
    </ol>
  </div>`;
}
