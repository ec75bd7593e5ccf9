import { LIMITS, type WorkaroundFields, type WorkaroundRisk } from '@lifeboat/protocol';
import { checkLength, type FieldErrors } from '../forms/field-errors.js';
import { messages } from '../localize.js';

/** What the form holds while the member types; kept in localStorage until sent. */
export interface WorkaroundDraft {
  title: string;
  steps: string[];
  component: string;
  platform: string;
  risk: WorkaroundRisk | '';
  riskNote: string;
  displayName: string;
}

export const emptyDraft = (): WorkaroundDraft => ({
  title: '',
  steps: [''],
  component: '',
  platform: '',
  risk: '',
  riskNote: '',
  displayName: '',
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
    return draft;
  } catch {
    return undefined;
  }
}

export function saveDraft(site: string, incidentId: string, draft: WorkaroundDraft): void {
  try {
    const empty =
      !draft.title && draft.steps.every((s) => !s) && !draft.riskNote && !draft.platform;
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

/** Client-side validation with the server's LIMITS. Keys: title, steps, step-N, platform, risk, riskNote, displayName. */
export function validateDraft(draft: WorkaroundDraft, needsName: boolean): FieldErrors {
  const m = messages();
  const errors: FieldErrors = {};
  if (needsName) {
    const name = checkLength(draft.displayName, LIMITS.displayName);
    if (name) errors.displayName = name;
  }
  const title = checkLength(draft.title, LIMITS.workaroundTitle);
  if (title) errors.title = title;
  const filled = draft.steps.filter((s) => s.trim());
  if (filled.length === 0) errors['step-0'] = m.stepsRequired;
  else if (filled.length > LIMITS.workaroundSteps.max)
    errors.steps = m.tooManySteps(LIMITS.workaroundSteps.max);
  draft.steps.forEach((step, i) => {
    const error = checkLength(step, LIMITS.workaroundStep, false);
    if (error) errors[`step-${i}`] = error;
  });
  const platform = checkLength(draft.platform, LIMITS.workaroundPlatform, false);
  if (platform) errors.platform = platform;
  if (!draft.risk) errors.risk = m.required;
  if (draft.risk === 'risky' && !draft.riskNote.trim()) errors.riskNote = m.riskNoteRequired;
  else {
    const note = checkLength(draft.riskNote, LIMITS.workaroundRiskNote, false);
    if (note) errors.riskNote = note;
  }
  return errors;
}

/** The wire workaround from a valid draft. */
export function toWorkaround(draft: WorkaroundDraft): WorkaroundFields {
  return {
    title: draft.title.trim(),
    steps: draft.steps.map((s) => s.trim()).filter(Boolean),
    component: draft.component || null,
    platform: draft.platform.trim() || null,
    risk: draft.risk || 'safe',
    riskNote: draft.riskNote.trim() || null,
  };
}

/** The post body of a workaround, in the safe text subset: the title, then the steps as a list. */
export function workaroundBody(workaround: WorkaroundFields): string {
  return `${workaround.title}\n\n${workaround.steps.map((s) => `- ${s}`).join('\n')}`;
}

/** Server field names (`workaround.steps.2`, `body`…) → form field keys. */
export function fieldForServerError(field: string): string | undefined {
  const step = /^workaround\.steps(?:\.|\[)(\d+)\]?$/.exec(field);
  if (step) return `step-${step[1]}`;
  const map: Record<string, string> = {
    'workaround.title': 'title',
    'workaround.steps': 'step-0',
    'workaround.component': 'component',
    'workaround.platform': 'platform',
    'workaround.risk': 'risk',
    'workaround.riskNote': 'riskNote',
    body: 'step-0',
    displayName: 'displayName',
  };
  return map[field];
}
