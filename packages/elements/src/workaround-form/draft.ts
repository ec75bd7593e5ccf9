import {
  LIMITS,
  validateWorkaround,
  type WorkaroundFields,
  type WorkaroundRisk,
  type WorkaroundRuleError,
} from '@lifeboat/protocol';
import { checkLength, type FieldErrors } from '../forms/field-errors.js';
import { messages } from '../localize.js';

export type ExpiryMode = 'resolved' | 'time';

/** What the form holds while the member types; kept in localStorage until sent. */
export interface WorkaroundDraft {
  title: string;
  steps: string[];
  component: string;
  platform: string;
  risk: WorkaroundRisk | '';
  riskNote: string;
  /** "until the incident is resolved" (default) or until `expiresAt`. */
  expiryMode: ExpiryMode;
  /** `<input type="datetime-local">` value (local time), used when expiryMode is `time`. */
  expiresAt: string;
  displayName: string;
  /**
   * The post id (= Idempotency-Key) of the submission in progress: set on the first attempt,
   * reused by every retry (even after a reload), cleared only after the server accepted it.
   */
  clientId: string;
}

export const emptyDraft = (): WorkaroundDraft => ({
  title: '',
  steps: [''],
  component: '',
  platform: '',
  risk: '',
  riskNote: '',
  expiryMode: 'resolved',
  expiresAt: '',
  displayName: '',
  clientId: '',
});

const key = (site: string, incidentId: string): string =>
  `lifeboat:workaround-draft:${site}:${incidentId}`;

export function loadDraft(site: string, incidentId: string): WorkaroundDraft | undefined {
  try {
    const raw = localStorage.getItem(key(site, incidentId));
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<WorkaroundDraft>;
    const draft = { ...emptyDraft(), ...parsed };
    if (!Array.isArray(draft.steps) || draft.steps.length === 0) draft.steps = [''];
    draft.steps = draft.steps.map(String);
    if (draft.expiryMode !== 'time') draft.expiryMode = 'resolved';
    return draft;
  } catch {
    return undefined;
  }
}

export function saveDraft(site: string, incidentId: string, draft: WorkaroundDraft): void {
  try {
    const empty =
      !draft.title &&
      draft.steps.every((s) => !s) &&
      !draft.riskNote &&
      !draft.platform &&
      !draft.clientId;
    if (empty) localStorage.removeItem(key(site, incidentId));
    else localStorage.setItem(key(site, incidentId), JSON.stringify(draft));
  } catch {
    // Storage full or blocked: drafts are a convenience.
  }
}

export function clearDraft(site: string, incidentId: string): void {
  try {
    localStorage.removeItem(key(site, incidentId));
  } catch {
    // Ignore.
  }
}

/** Indexes of the draft's non-blank steps: wire step `i` is draft step `stepIndexes(d)[i]`. */
export function stepIndexes(draft: WorkaroundDraft): number[] {
  return draft.steps.flatMap((s, i) => (s.trim() ? [i] : []));
}

/** The localised message of a shared rule error. */
export function ruleMessage(error: WorkaroundRuleError): string {
  const m = messages();
  const limit = error.limit ?? 0;
  switch (error.code) {
    case 'required':
    case 'step_empty':
    case 'risk_invalid':
      return m.required;
    case 'too_short':
      return m.tooShort(limit);
    case 'too_long':
      return m.tooLong(limit);
    case 'too_few_steps':
      return m.stepsRequired;
    case 'too_many_steps':
      return m.tooManySteps(limit);
    case 'risk_note_required':
      return m.riskNoteRequired;
    case 'https_only':
      return m.httpsOnly;
    case 'too_many_links':
      return m.tooManyLinks(limit);
    case 'unknown_component':
      return m.unknownComponent;
    case 'expiry_invalid':
      return m.expiryInvalid;
    case 'expiry_past':
      return m.expiryPast;
    case 'expiry_too_far':
      return m.expiryTooFar(limit);
  }
}

/** A rule's field (`steps.2`, relative to the workaround) → the form's field key (`step-4`). */
export function formField(field: string, draft: WorkaroundDraft): string {
  const step = /^steps\.(\d+)$/.exec(field);
  if (step) return `step-${stepIndexes(draft)[Number(step[1])] ?? 0}`;
  if (field === 'steps') return stepIndexes(draft).length === 0 ? 'step-0' : 'steps';
  return field;
}

/**
 * Validation with the server's own rules (`validateWorkaround` from @lifeboat/protocol), plus
 * what only the form has: the display name and an empty expiry time.
 * Keys: displayName, title, steps, step-N, component, platform, risk, riskNote, expiresAt.
 */
export function validateDraft(
  draft: WorkaroundDraft,
  needsName: boolean,
  options: { components?: readonly string[]; now?: number } = {},
): FieldErrors {
  const m = messages();
  const errors: FieldErrors = {};
  if (needsName) {
    const name = checkLength(draft.displayName, LIMITS.displayName);
    if (name) errors.displayName = name;
  }
  const fields = { ...toWorkaround(draft), risk: draft.risk || undefined };
  for (const error of validateWorkaround(fields, options)) {
    const field = formField(error.field, draft);
    errors[field] ??= ruleMessage(error);
  }
  if (draft.expiryMode === 'time' && !draft.expiresAt.trim()) errors.expiresAt ??= m.required;
  return errors;
}

/** The expiry as an ISO time (the draft holds a local `datetime-local` value). */
function expiry(draft: WorkaroundDraft): string | null {
  if (draft.expiryMode !== 'time' || !draft.expiresAt.trim()) return null;
  const at = new Date(draft.expiresAt);
  return Number.isNaN(at.getTime()) ? draft.expiresAt : at.toISOString();
}

/** The wire workaround from a draft: blank steps are left out. */
export function toWorkaround(draft: WorkaroundDraft): WorkaroundFields {
  return {
    title: draft.title.trim(),
    steps: draft.steps.map((s) => s.trim()).filter(Boolean),
    component: draft.component || null,
    platform: draft.platform.trim() || null,
    risk: draft.risk || 'safe',
    riskNote: draft.riskNote.trim() || null,
    expiresAt: expiry(draft),
  };
}

/** The text similar workarounds are looked up with: the title, then the steps. */
export function similarityText(draft: WorkaroundDraft): string {
  return [draft.title, ...draft.steps]
    .map((s) => s.trim())
    .filter(Boolean)
    .join('\n');
}

/** The post body of a workaround, in the safe text subset: the title, then the steps as a list. */
export function workaroundBody(workaround: WorkaroundFields): string {
  return `${workaround.title}\n\n${workaround.steps.map((s) => `- ${s}`).join('\n')}`;
}

/** Server field names (`workaround.steps.2`, `body`…) → form field keys, for this draft. */
export function fieldForServerError(field: string, draft: WorkaroundDraft): string | undefined {
  const inner = /^workaround\.(.+)$/.exec(field)?.[1];
  if (inner) {
    const step = /^steps(?:\.|\[)(\d+)\]?$/.exec(inner);
    if (step) return formField(`steps.${step[1]}`, draft);
    if (inner === 'steps') return formField('steps', draft);
    const known = ['title', 'component', 'platform', 'risk', 'riskNote', 'expiresAt'];
    return known.includes(inner) ? inner : undefined;
  }
  const map: Record<string, string> = {
    body: formField('steps.0', draft),
    displayName: 'displayName',
  };
  return map[field];
}
