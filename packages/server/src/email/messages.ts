/**
 * What subscription mails say. Every word that came from a person (incident titles, workaround
 * titles and steps, site names) goes into the text part as text and into the HTML part escaped;
 * headers carry only a cleaned subject (no line breaks: no header injection) and addresses that
 * passed `isEmailAddress`.
 */
import type { WorkaroundFields } from '@lifeboat/protocol';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface FixSummary {
  title: string;
  steps: string[];
}

/** Text for a header: control characters (CR, LF, tab…) become spaces, at most `max` characters. */
export function headerText(value: string, max = 140): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** The fix a verified post offers: a workaround's title and steps, or an answer's first words. */
export function fixSummary(kind: string, body: string, workaround: string | null): FixSummary {
  if (kind === 'workaround' && workaround) {
    try {
      const w = JSON.parse(workaround) as WorkaroundFields;
      return { title: w.title, steps: Array.isArray(w.steps) ? w.steps.slice(0, 10) : [] };
    } catch {
      // fall through to the body
    }
  }
  const text = body.replace(/\s+/g, ' ').trim();
  return { title: text.length > 200 ? `${text.slice(0, 199)}…` : text, steps: [] };
}

function page(site: string, paragraphs: string[], footer: string[]): MailContent['html'] {
  const p = (html: string) => `<p style="margin:0 0 16px">${html}</p>`;
  return `<!doctype html><html><body style="font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px">
<p style="margin:0 0 16px;font-size:13px;color:#555">${escapeHtml(site)}</p>
${paragraphs.map(p).join('\n')}
<hr style="border:0;border-top:1px solid #ddd;margin:24px 0">
${footer.map((f) => `<p style="margin:0 0 8px;font-size:13px;color:#555">${f}</p>`).join('\n')}
</body></html>`;
}

const link = (href: string, label: string) =>
  `<a href="${escapeHtml(href)}" style="color:#0b57d0">${escapeHtml(label)}</a>`;

export function confirmationMail(input: {
  site: string;
  incident: string;
  confirmUrl: string;
  confirmBy: string;
  onVerified: boolean;
  onResolved: boolean;
}): MailContent {
  const what = [
    input.onVerified ? 'when staff verify a fix' : null,
    input.onResolved ? 'when it is resolved' : null,
  ]
    .filter(Boolean)
    .join(' and ');
  const until = new Date(input.confirmBy).toUTCString();
  return {
    subject: headerText(`Confirm email updates: ${input.incident}`),
    text: [
      `Someone (hopefully you) asked ${input.site} to email this address about the incident`,
      `"${headerText(input.incident, 300)}" ${what}.`,
      '',
      `Confirm here (the link works until ${until}):`,
      input.confirmUrl,
      '',
      'If it was not you, ignore this mail: nothing will be sent without a confirmation.',
    ].join('\n'),
    html: page(
      input.site,
      [
        `Someone (hopefully you) asked to be emailed about the incident <strong>${escapeHtml(input.incident)}</strong> ${escapeHtml(what)}.`,
        `${link(input.confirmUrl, 'Confirm email updates')} (the link works until ${escapeHtml(until)}).`,
      ],
      ['If it was not you, ignore this mail: nothing will be sent without a confirmation.'],
    ),
  };
}

export function verifiedMail(input: {
  site: string;
  incident: string;
  fix: FixSummary;
  threadUrl: string | null;
  unsubscribeUrl: string;
}): MailContent {
  const steps = input.fix.steps.map((s, i) => `${i + 1}. ${s}`);
  return {
    subject: headerText(`Fix verified: ${input.incident}`),
    text: [
      `Staff of ${input.site} verified a fix for "${headerText(input.incident, 300)}":`,
      '',
      input.fix.title,
      ...(steps.length ? ['', ...steps] : []),
      ...(input.threadUrl ? ['', `Read the thread: ${input.threadUrl}`] : []),
      '',
      `Stop these mails: ${input.unsubscribeUrl}`,
    ].join('\n'),
    html: page(
      input.site,
      [
        `Staff verified a fix for <strong>${escapeHtml(input.incident)}</strong>:`,
        `<strong>${escapeHtml(input.fix.title)}</strong>`,
        ...(input.fix.steps.length
          ? [
              `<ol style="margin:0;padding-left:20px">${input.fix.steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`,
            ]
          : []),
        ...(input.threadUrl ? [link(input.threadUrl, 'Read the thread')] : []),
      ],
      [`${link(input.unsubscribeUrl, 'Unsubscribe')} from updates about this incident.`],
    ),
  };
}

export function resolvedMail(input: {
  site: string;
  incident: string;
  threadUrl: string | null;
  unsubscribeUrl: string;
}): MailContent {
  return {
    subject: headerText(`Resolved: ${input.incident}`),
    text: [
      `${input.site} marked the incident "${headerText(input.incident, 300)}" as resolved.`,
      ...(input.threadUrl ? ['', `Details: ${input.threadUrl}`] : []),
      '',
      `Stop these mails: ${input.unsubscribeUrl}`,
    ].join('\n'),
    html: page(
      input.site,
      [
        `The incident <strong>${escapeHtml(input.incident)}</strong> is resolved.`,
        ...(input.threadUrl ? [link(input.threadUrl, 'Details')] : []),
      ],
      [`${link(input.unsubscribeUrl, 'Unsubscribe')} from updates about this incident.`],
    ),
  };
}
