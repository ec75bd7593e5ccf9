/**
 * Which site events become outgoing webhooks, and the bodies sent (ADR 0027). The event log
 * (the same rows the stream sends) is read after a site's cursor; each event is mapped to at most
 * one webhook event with a dedupe key, so "the first peer answer" and "a workaround verified" are
 * sent once whatever replays or edits follow:
 *
 * - `thread.opened` (`incident.opened`): a new incident, its thread open for answers;
 * - `answer.first`: the first published answer or workaround by someone who is not staff;
 * - `workaround.verified`: staff verified a workaround;
 * - `post.held`: a post waits for review (`moderation.queued`, pending queue);
 * - `incident.resolved`: with the post-incident report (routes/report.ts);
 * - `spike.detected`: from the early-warning detector, through the notifier registry.
 *
 * Bodies: `standard` is `{ type, timestamp, data }` (the Standard Webhooks payload shape);
 * `slack` is a Slack incoming-webhook message `{ text, blocks }`.
 */
import type { Incident, IncidentReport, LifeboatEvent, Post } from '@lifeboat/protocol';

export const WEBHOOK_EVENTS = [
  'thread.opened',
  'answer.first',
  'workaround.verified',
  'post.held',
  'incident.resolved',
  'spike.detected',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookEvent {
  type: WebhookEventType;
  /** Same key, same message: a second one for an endpoint is not enqueued. */
  dedupeKey: string;
  /** When it happened (ISO). */
  at: string;
  data: Record<string, unknown>;
  /** One line for people (the Slack format). */
  summary: string;
}

const incidentData = (i: Incident) => ({
  id: i.id,
  title: i.title,
  phase: i.phase,
  impact: i.impact,
  startedAt: i.startedAt,
  resolvedAt: i.resolvedAt,
});

const postData = (p: Post) => ({
  id: p.id,
  incidentId: p.incidentId,
  kind: p.kind,
  body: p.body,
  workaround: p.workaround,
  author: { displayName: p.author.displayName, staff: p.author.staff },
  createdAt: p.createdAt,
});

const isPeerAnswer = (p: Post) =>
  (p.kind === 'answer' || p.kind === 'workaround') &&
  p.parentId === null &&
  p.state === 'published' &&
  !p.author.staff &&
  !p.deletedAt;

const excerpt = (text: string, max = 140) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * The webhook event of one site event, or null. `report` is asked for only for a resolved
 * incident (it reads the store).
 */
export async function webhookEventOf(
  event: LifeboatEvent,
  site: { slug: string; name: string },
  at: string,
  report: (incidentId: string) => Promise<IncidentReport | null>,
): Promise<WebhookEvent | null> {
  const siteData = { slug: site.slug, name: site.name };
  switch (event.type) {
    case 'incident.opened':
      return {
        type: 'thread.opened',
        dedupeKey: `thread.opened:${event.incident.id}`,
        at,
        data: { site: siteData, incident: incidentData(event.incident) },
        summary: `${site.name}: a thread opened for "${event.incident.title}" (${event.incident.impact} impact).`,
      };
    case 'post.created':
    case 'post.updated': {
      const post = event.post;
      if (post.verified && post.kind === 'workaround' && post.state === 'published')
        return {
          type: 'workaround.verified',
          dedupeKey: `workaround.verified:${post.id}`,
          at,
          data: { site: siteData, post: postData(post) },
          summary: `${site.name}: a workaround was verified: "${excerpt(post.workaround?.title ?? post.body)}"`,
        };
      if (isPeerAnswer(post))
        return {
          type: 'answer.first',
          dedupeKey: `answer.first:${post.incidentId}`,
          at,
          data: { site: siteData, post: postData(post) },
          summary: `${site.name}: first answer from ${post.author.displayName}: "${excerpt(post.body)}"`,
        };
      return null;
    }
    case 'moderation.queued':
      if (event.item.queue !== 'pending') return null;
      return {
        type: 'post.held',
        dedupeKey: `post.held:${event.item.post.id}`,
        at,
        data: {
          site: siteData,
          post: postData(event.item.post),
          reasons: event.item.reasons,
        },
        summary: `${site.name}: a post by ${event.item.post.author.displayName} is held for review.`,
      };
    case 'incident.resolved': {
      const incident = event.incident;
      return {
        type: 'incident.resolved',
        dedupeKey: `incident.resolved:${incident.id}:${incident.resolvedAt ?? at}`,
        at,
        data: {
          site: siteData,
          incident: incidentData(incident),
          report: await report(incident.id),
        },
        summary: `${site.name}: "${incident.title}" is resolved.`,
      };
    }
    default:
      return null;
  }
}

/** A notifier event (`spike.detected`, …) as a webhook event; null for types not sent. */
export function webhookEventOfNotice(
  notice: { type: string; [key: string]: unknown },
  site: { slug: string; name: string },
  at: string,
): WebhookEvent | null {
  if (notice.type !== 'spike.detected') return null;
  const { type: _type, ...data } = notice;
  // The early-warning detector sends `{ type, spike: { id, … } }`; an id anywhere dedupes.
  const spike = notice['spike'];
  const spikeId =
    spike && typeof spike === 'object' && typeof (spike as { id?: unknown }).id === 'string'
      ? (spike as { id: string }).id
      : null;
  const key = spikeId ?? (typeof notice['id'] === 'string' ? notice['id'] : at);
  return {
    type: 'spike.detected',
    dedupeKey: `spike.detected:${key}`,
    at,
    data: { site: { slug: site.slug, name: site.name }, ...data },
    summary: `${site.name}: a spike of reports was detected${typeof notice['message'] === 'string' ? `: ${notice['message']}` : '.'}`,
  };
}

const slackEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The JSON body sent to an endpoint of the given format. */
export function webhookBody(event: WebhookEvent, format: 'standard' | 'slack'): string {
  if (format === 'slack')
    return JSON.stringify({
      text: event.summary,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: slackEscape(event.summary) } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: `\`${event.type}\` · Lifeboat` }],
        },
      ],
    });
  return JSON.stringify({ type: event.type, timestamp: event.at, data: event.data });
}
