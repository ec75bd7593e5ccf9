/**
 * Presentational rendering of one incident in the banner: plain data in, templates out.
 * Kept apart from the connected shell (banner.ts) that owns stores, events and the popover.
 */
import {
  INCIDENT_PHASES,
  type AffectedHistory,
  type Incident,
  type Maintenance,
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
  /** Direct mode (no Lifeboat server): no "affected" button, no community workaround. */
  direct: boolean;
  collapsed: boolean;
  /** Reports per bucket over the last hours, when known. */
  history: AffectedHistory | undefined;
  onTimeline: (event: Event) => void;
  onAffected: () => void;
  onSeeInThread: (event: Event, post: Post) => void;
  onCollapse: () => void;
  onDismiss: () => void;
}

const SPARK_W = 72;
const SPARK_H = 22;

/** A small SVG line of "affected me too" reports per bucket, oldest to newest. */
export function renderSparkline(history: AffectedHistory): TemplateResult {
  const counts = history.buckets.map((b) => b.count);
  const total = counts.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...counts);
  const step = counts.length > 1 ? SPARK_W / (counts.length - 1) : SPARK_W;
  const points = counts
    .map(
      (c, i) => `${(i * step).toFixed(1)},${(SPARK_H - 2 - (c / max) * (SPARK_H - 4)).toFixed(1)}`,
    )
    .join(' ');
  const hours = Math.round((history.buckets.length * history.bucketMinutes) / 60);
  const label = messages().affectedTrend(hours, total);
  return html`<span class="sparkline" part="sparkline" role="img" aria-label=${label} title=${label}
    >${html`<svg
      viewBox="0 0 ${SPARK_W} ${SPARK_H}"
      width=${SPARK_W}
      height=${SPARK_H}
      aria-hidden="true"
      focusable="false"
    >
      <polyline
        class="spark-area"
        points=${`0,${SPARK_H} ${points} ${SPARK_W},${SPARK_H}`}
      ></polyline>
      <polyline class="spark-line" points=${points}></polyline>
    </svg>`}</span
  >`;
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
  const slug = incident.id.replace(/[^\w-]/g, '-');
  const titleId = `lifeboat-incident-${slug}`;
  const bodyId = `lifeboat-incident-body-${slug}`;
  const head = html`<div class="incident-head">
    <span class="badge impact" part="impact-badge" data-impact=${incident.impact}
      >${m.impact[incident.impact]}</span
    >
    <p class="title" part="title" id=${titleId}>${incident.title}</p>
    ${
      options.collapsed
        ? html`<span class="badge phase-badge" part="phase-badge">${m.phase[incident.phase]}</span>`
        : nothing
    }
    <span class="incident-controls">
      <button
        type="button"
        class="icon-button"
        part="collapse-button"
        aria-expanded=${options.collapsed ? 'false' : 'true'}
        aria-controls=${bodyId}
        aria-label=${options.collapsed ? m.expand : m.collapse}
        title=${options.collapsed ? m.expand : m.collapse}
        @click=${options.onCollapse}
      >
        <span class="chevron" aria-hidden="true"></span>
      </button>
      <button
        type="button"
        class="icon-button"
        part="dismiss-button"
        aria-label=${m.dismissIncident(incident.title)}
        title=${m.dismiss}
        @click=${options.onDismiss}
      >
        <span aria-hidden="true">✕</span>
      </button>
    </span>
  </div>`;
  if (options.collapsed) {
    return html`<section
      class="incident collapsed"
      part="incident"
      data-impact=${incident.impact}
      aria-labelledby=${titleId}
    >
      ${head}
      <div id=${bodyId} hidden></div>
    </section>`;
  }
  return html`<section
    class="incident"
    part="incident"
    data-impact=${incident.impact}
    aria-labelledby=${titleId}
  >
    ${head}
    <div class="incident-body" id=${bodyId}>
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
        ${
          options.direct
            ? nothing
            : html`<button
                  type="button"
                  class="button"
                  part="affected-button"
                  aria-pressed=${affected ? 'true' : 'false'}
                  @click=${options.onAffected}
                >
                  <span>${m.affectedMeToo}</span>
                  <span class="count" aria-hidden="true"
                    >${formatNumber(incident.affectedCount)}</span
                  >
                  <span class="visually-hidden">, ${m.affectedCount(incident.affectedCount)}</span>
                </button>
                ${
                  options.history && options.history.buckets.length > 1
                    ? renderSparkline(options.history)
                    : html`<span class="sparkline" aria-hidden="true"></span>`
                }`
        }
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
      ${
        incident.topWorkaround && !options.direct
          ? renderWorkaround(incident.topWorkaround, options.onSeeInThread)
          : nothing
      }
    </div>
  </section>`;
}

/** An in-progress maintenance: title, until when, components, latest update. */
export function renderMaintenance(
  maintenance: Maintenance,
  components: readonly StatusComponent[],
): TemplateResult {
  const m = messages();
  const names = maintenance.components
    .map((id) => components.find((c) => c.id === id)?.name)
    .filter((name): name is string => Boolean(name));
  const latest = maintenance.updates[0];
  const titleId = `lifeboat-maintenance-${maintenance.id.replace(/[^\w-]/g, '-')}`;
  return html`<section class="maintenance" part="maintenance" aria-labelledby=${titleId}>
    <div class="incident-head">
      <span class="badge maintenance-badge" part="maintenance-badge"
        >${m.maintenanceInProgress}</span
      >
      <p class="title" part="title" id=${titleId}>${maintenance.title}</p>
    </div>
    <p class="meta muted" part="meta">
      ${
        names.length
          ? html`<span class="components" part="components"
              >${m.affectedComponents}: ${names.join(', ')}</span
            >`
          : nothing
      }
      ${
        maintenance.scheduledUntil
          ? html`<span>${m.maintenanceUntil(absoluteTime(maintenance.scheduledUntil))}</span>`
          : nothing
      }
    </p>
    ${latest?.body ? html`<p class="update" part="update">${latest.body}</p>` : nothing}
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
