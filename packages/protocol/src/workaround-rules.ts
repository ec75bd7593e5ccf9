/**
 * The rules of a workaround, shared by the server (before it stores one) and the form (while the
 * visitor types): lengths, required fields, the risk note of a risky workaround, the expiry, and
 * the link rules (https only, at most LIMITS.links). Pure and synchronous: no storage, no DOM.
 *
 * Field names are relative to the workaround (`title`, `steps`, `steps.2`, `riskNote`,
 * `expiresAt`); the server prefixes them with `workaround.`. Each error carries a stable `code`
 * (and `limit` where one applies) so a client can show its own, localised, message.
 */
import { LIMITS } from './limits.js';
import type { WorkaroundFields } from './resources.js';

export type WorkaroundRuleCode =
  | 'required'
  | 'too_short'
  | 'too_long'
  | 'too_few_steps'
  | 'too_many_steps'
  | 'step_empty'
  | 'risk_invalid'
  | 'risk_note_required'
  | 'https_only'
  | 'too_many_links'
  | 'unknown_component'
  | 'expiry_invalid'
  | 'expiry_past'
  | 'expiry_too_far';

export interface WorkaroundRuleError {
  field: string;
  message: string;
  code: WorkaroundRuleCode;
  limit?: number;
}

/** How far ahead an expiry may be set. */
export const WORKAROUND_MAX_EXPIRY_DAYS = 30;
/** Clock skew tolerated when checking that an expiry is in the future. */
const EXPIRY_SKEW_MS = 60_000;

/** Anything that is a link the post would carry: every scheme but https is refused. */
const ANY_LINK =
  /\b(?:https?:\/\/|javascript:|vbscript:|file:\/\/|data:[a-z]+\/[a-z0-9.+-]+[;,])/gi;
const HTTPS_LINK = /\bhttps:\/\/[^\s<>()[\]"']+/gi;

/** Counts the https links of a text and tells whether it holds any other kind. */
export function scanLinks(text: string): { https: number; unsafe: boolean } {
  const unsafe = [...text.matchAll(ANY_LINK)].some(
    (m) => !m[0].toLowerCase().startsWith('https://'),
  );
  return { https: (text.match(HTTPS_LINK) ?? []).length, unsafe };
}

export interface WorkaroundRuleOptions {
  /** Now, for the expiry check (ms since epoch); defaults to Date.now(). */
  now?: number;
  /** Ids of the site's components; when given, `component` must be one of them. */
  components?: readonly string[];
}

const chars = (s: string) => [...s].length;
const RISKS = ['safe', 'temporary', 'risky'];

/**
 * Checks a workaround; returns one error per field at most (the first rule it breaks), in form
 * order. An empty array means valid. Strings are judged trimmed, as the server stores them.
 */
export function validateWorkaround(
  fields: Partial<WorkaroundFields>,
  options: WorkaroundRuleOptions = {},
): WorkaroundRuleError[] {
  const errors: WorkaroundRuleError[] = [];
  const add = (field: string, code: WorkaroundRuleCode, message: string, limit?: number) => {
    if (!errors.some((e) => e.field === field))
      errors.push({ field, code, message, ...(limit !== undefined ? { limit } : {}) });
  };

  const title = (fields.title ?? '').trim();
  if (!title) add('title', 'required', 'This field is required.');
  else if (chars(title) < LIMITS.workaroundTitle.min)
    add(
      'title',
      'too_short',
      `Use at least ${LIMITS.workaroundTitle.min} characters.`,
      LIMITS.workaroundTitle.min,
    );
  else if (chars(title) > LIMITS.workaroundTitle.max)
    add(
      'title',
      'too_long',
      `Use at most ${LIMITS.workaroundTitle.max} characters.`,
      LIMITS.workaroundTitle.max,
    );

  const steps = (fields.steps ?? []).map((s) => String(s).trim());
  if (steps.length < LIMITS.workaroundSteps.min)
    add('steps', 'too_few_steps', 'Add at least one step.', LIMITS.workaroundSteps.min);
  else if (steps.length > LIMITS.workaroundSteps.max)
    add(
      'steps',
      'too_many_steps',
      `Use at most ${LIMITS.workaroundSteps.max} steps.`,
      LIMITS.workaroundSteps.max,
    );
  steps.forEach((step, i) => {
    if (!step) add(`steps.${i}`, 'step_empty', 'Steps cannot be empty.');
    else if (chars(step) > LIMITS.workaroundStep.max)
      add(
        `steps.${i}`,
        'too_long',
        `Use at most ${LIMITS.workaroundStep.max} characters.`,
        LIMITS.workaroundStep.max,
      );
  });

  const component = fields.component?.trim();
  if (component && options.components && !options.components.includes(component))
    add('component', 'unknown_component', 'Choose a component from the list.');

  const platform = fields.platform?.trim() ?? '';
  if (chars(platform) > LIMITS.workaroundPlatform.max)
    add(
      'platform',
      'too_long',
      `Use at most ${LIMITS.workaroundPlatform.max} characters.`,
      LIMITS.workaroundPlatform.max,
    );

  if (!fields.risk) add('risk', 'required', 'This field is required.');
  else if (!RISKS.includes(fields.risk))
    add('risk', 'risk_invalid', 'This value is not one of the allowed ones.');
  const riskNote = fields.riskNote?.trim() ?? '';
  if (fields.risk === 'risky' && !riskNote)
    add('riskNote', 'risk_note_required', 'Explain the risk of this workaround.');
  else if (chars(riskNote) > LIMITS.workaroundRiskNote.max)
    add(
      'riskNote',
      'too_long',
      `Use at most ${LIMITS.workaroundRiskNote.max} characters.`,
      LIMITS.workaroundRiskNote.max,
    );

  // Blank, null or absent: "until the incident is resolved".
  const expiresAt = fields.expiresAt?.trim();
  if (expiresAt) {
    const at = Date.parse(expiresAt);
    const now = options.now ?? Date.now();
    if (Number.isNaN(at)) add('expiresAt', 'expiry_invalid', 'Enter a valid date and time.');
    else if (at <= now - EXPIRY_SKEW_MS)
      add('expiresAt', 'expiry_past', 'Choose a time in the future.');
    else if (at > now + WORKAROUND_MAX_EXPIRY_DAYS * 86_400_000)
      add(
        'expiresAt',
        'expiry_too_far',
        `Choose a time within ${WORKAROUND_MAX_EXPIRY_DAYS} days.`,
        WORKAROUND_MAX_EXPIRY_DAYS,
      );
  }

  // Links: https only, per field; at most LIMITS.links across the whole workaround.
  const texts: Array<[string, string]> = [
    ['title', title],
    ...steps.map((s, i): [string, string] => [`steps.${i}`, s]),
    ['riskNote', riskNote],
  ];
  let links = 0;
  let lastLinkField = 'steps';
  for (const [field, text] of texts) {
    const scan = scanLinks(text);
    if (scan.unsafe) add(field, 'https_only', 'Only https links are allowed.');
    links += scan.https;
    if (scan.https > 0 && links > LIMITS.links && lastLinkField === 'steps') lastLinkField = field;
  }
  if (links > LIMITS.links)
    add(lastLinkField, 'too_many_links', `Use at most ${LIMITS.links} links.`, LIMITS.links);

  return errors;
}
