/**
 * The post-incident report as CSV (RFC 4180, safe to open in a spreadsheet) and as a Markdown
 * summary to paste into a postmortem. Both are made from the JSON report, never from the rows,
 * so the three always say the same thing.
 */
import type { IncidentReport } from '@lifeboat/protocol';

/**
 * One CSV cell: quoted when it holds a comma, quote, CR or LF (quotes doubled, RFC 4180); a cell
 * a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading `'`.
 */
export function csvCell(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const row = (cells: Array<string | number | boolean | null>) => cells.map(csvCell).join(',');

/**
 * Sections of rows under one header `section,key,value,…`: the summary (one metric per row), the
 * timeline, the top workarounds, the named components and platforms, the moderation counts.
 */
export function reportCsv(report: IncidentReport): string {
  const lines: string[] = [row(['section', 'key', 'value', 'detail1', 'detail2', 'detail3'])];
  const summary: Array<[string, string | number | null]> = [
    ['site', report.site],
    ['incident_id', report.incident.id],
    ['title', report.incident.title],
    ['impact', report.incident.impact],
    ['phase', report.incident.phase],
    ['thread_state', report.incident.threadState],
    ['started_at', report.incident.startedAt],
    ['resolved_at', report.incident.resolvedAt],
    ['generated_at', report.generatedAt],
    ['duration_ms', report.durationMs],
    ['participants', report.participants],
    ['affected', report.affected],
    ['answers', report.answers],
    ['workarounds', report.workarounds],
    ['replies', report.replies],
    ['confirmations', report.confirmations],
    ['didnt_work', report.didntWork],
    ['verified_workarounds', report.verifiedWorkarounds],
    ['first_answer_at', report.firstAnswerAt],
    ['time_to_first_answer_ms', report.timeToFirstAnswerMs],
    ['verified_fix_at', report.verifiedFixAt],
    ['time_to_verified_fix_ms', report.timeToVerifiedFixMs],
    ['bucket_minutes', report.bucketMinutes],
  ];
  for (const [key, value] of summary) lines.push(row(['summary', key, value, null, null, null]));
  // timeline: key = window start, value = affected, then posts, confirmations
  for (const b of report.timeline)
    lines.push(row(['timeline', b.start, b.affected, b.posts, b.confirmations, null]));
  // workaround: key = id, value = confirmations, then didn't work, verified, title
  for (const w of report.topWorkarounds)
    lines.push(row(['workaround', w.id, w.confirmations, w.didntWork, w.verified, w.title]));
  for (const c of report.components)
    lines.push(row(['component', c.id, c.workarounds, c.name, null, null]));
  for (const p of report.platforms)
    lines.push(row(['platform', p.id, p.workarounds, p.name, null, null]));
  for (const [key, value] of Object.entries(report.moderation))
    lines.push(row(['moderation', key, value, null, null, null]));
  return lines.join('\r\n') + '\r\n';
}

/** A duration as people say it: "47 minutes", "6 minutes 30 seconds", "2 hours 5 minutes". */
export function spoken(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60)
    return rest
      ? `${plural(minutes, 'minute')} ${plural(rest, 'second')}`
      : plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const mins = minutes % 60;
  return mins ? `${plural(hours, 'hour')} ${plural(mins, 'minute')}` : plural(hours, 'hour');
}

/** Markdown text of member-written words: no markup, no line breaks. */
const plain = (text: string) => text.replace(/\s+/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1');

/** The summary a staff member pastes into the official postmortem. */
export function reportMarkdown(report: IncidentReport): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const r = report;
  const out: string[] = [`## Community during "${plain(r.incident.title)}"`, ''];
  const span =
    r.durationMs === null
      ? `So far in this ${r.incident.impact} incident (still open)`
      : `Over the ${spoken(r.durationMs)} of this ${r.incident.impact} incident`;
  const sentences = [
    `${span}, ${count(r.affected, 'customer', 'customers')} reported impact and ${count(r.participants, 'member', 'members')} took part.`,
  ];
  sentences.push(
    r.timeToFirstAnswerMs === null
      ? 'No peer answer or workaround was published.'
      : `The first peer answer came ${spoken(r.timeToFirstAnswerMs)} in.`,
  );
  sentences.push(
    `Members posted ${count(r.answers, 'answer', 'answers')}, ${count(r.workarounds, 'workaround', 'workarounds')} and ${count(r.replies, 'reply', 'replies')}, and said "worked for me" ${count(r.confirmations, 'time', 'times')} ("didn't work": ${r.didntWork}).`,
  );
  sentences.push(
    r.timeToVerifiedFixMs === null
      ? 'Staff verified no workaround.'
      : `Staff verified the first workaround ${spoken(r.timeToVerifiedFixMs)} in (${count(r.verifiedWorkarounds, 'verified workaround', 'verified workarounds')} in all).`,
  );
  out.push(sentences.join(' '), '');
  if (r.topWorkarounds.length) {
    out.push(
      '### Top workarounds',
      '',
      "| Workaround | Worked | Didn't work | Verified |",
      '| --- | ---: | ---: | --- |',
    );
    for (const w of r.topWorkarounds)
      out.push(
        `| ${plain(w.title)} | ${w.confirmations} | ${w.didntWork} | ${w.verified ? 'yes' : 'no'} |`,
      );
    out.push('');
  }
  const names = (list: IncidentReport['components']) =>
    list.map((c) => `${plain(c.name)} (${c.workarounds})`).join(', ');
  if (r.components.length) out.push(`Components named in workarounds: ${names(r.components)}.`, '');
  if (r.platforms.length) out.push(`Platforms named in workarounds: ${names(r.platforms)}.`, '');
  const m = r.moderation;
  out.push(
    `Moderation: ${m.held} held for review, ${m.approved} approved, ${m.rejected} rejected, ${m.hidden} hidden, ${m.flagged} flagged.`,
    '',
    `<sub>Lifeboat report for incident \`${r.incident.id}\`, started ${r.incident.startedAt}${r.incident.resolvedAt ? `, resolved ${r.incident.resolvedAt}` : ''}; generated ${r.generatedAt}.</sub>`,
    '',
  );
  return out.join('\n');
}
