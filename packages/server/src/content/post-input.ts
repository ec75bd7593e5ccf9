/**
 * Checks a CreatePostRequest beyond its schema: trimmed lengths (first: no regular expression
 * reads a text over its cap), the link rules (https only, at most LIMITS.links across body and
 * steps), and the fields each kind needs. Pure: no storage.
 */
import crypto from 'node:crypto';
import {
  LIMITS,
  scanLinks,
  validateWorkaround,
  type CreatePostRequest,
  type EditPostRequest,
  type PostKind,
  type WorkaroundFields,
} from '@lifeboat/protocol';

export interface PostInput {
  kind: PostKind;
  body: string;
  parentId: string | null;
  workaround: WorkaroundFields | null;
}

export type FieldError = { field: string; message: string };

const clean = (s: string | null | undefined) => {
  const t = s?.trim();
  return t ? t : null;
};

/** Characters (code points) in `text`, counting only as far as `max + 1`. */
function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

/**
 * The length caps of every text of a post, checked before anything else reads it (links,
 * banned words, risky advice: all regular expressions). The request schema holds the same caps;
 * this keeps them for any caller, and the expressions never see more.
 */
function overLength(req: CreatePostRequest): FieldError[] {
  const errors: FieldError[] = [];
  const over = (field: string, text: string | null | undefined, max: number) => {
    if (text && longerThan(text.trim(), max))
      errors.push({ field, message: `Use at most ${max} characters.` });
  };
  // The body counts UTF-16 units, as it always has.
  if (req.body.trim().length > LIMITS.postBody.max)
    errors.push({ field: 'body', message: `Use at most ${LIMITS.postBody.max} characters.` });
  const w = req.workaround;
  if (w) {
    over('workaround.title', w.title, LIMITS.workaroundTitle.max);
    if (w.steps.length > LIMITS.workaroundSteps.max)
      errors.push({
        field: 'workaround.steps',
        message: `Use at most ${LIMITS.workaroundSteps.max} steps.`,
      });
    else
      w.steps.forEach((step, i) => over(`workaround.steps.${i}`, step, LIMITS.workaroundStep.max));
    over('workaround.platform', w.platform, LIMITS.workaroundPlatform.max);
    over('workaround.riskNote', w.riskNote, LIMITS.workaroundRiskNote.max);
  }
  return errors;
}

export function normalizePostInput(
  req: CreatePostRequest,
  options: { components?: readonly string[]; now?: number } = {},
): { value: PostInput } | { errors: FieldError[] } {
  const tooLong = overLength(req);
  if (tooLong.length > 0) return { errors: tooLong };
  const errors: FieldError[] = [];
  const body = req.body.trim();
  if (body.length < LIMITS.postBody.min)
    errors.push({ field: 'body', message: 'Write something first.' });

  let workaround: WorkaroundFields | null = null;
  if (req.kind === 'workaround') {
    const w = req.workaround;
    if (!w) {
      errors.push({ field: 'workaround', message: 'A workaround needs a title and steps.' });
    } else {
      // The same rules the form checks while the visitor types (@lifeboat/protocol).
      for (const e of validateWorkaround(w, options))
        errors.push({ field: `workaround.${e.field}`, message: e.message });
      const expiresAt = clean(w.expiresAt);
      workaround = {
        title: w.title.trim(),
        steps: w.steps.map((s) => s.trim()),
        component: clean(w.component),
        platform: clean(w.platform),
        risk: w.risk,
        riskNote: clean(w.riskNote),
        ...(expiresAt && !Number.isNaN(Date.parse(expiresAt))
          ? { expiresAt: new Date(expiresAt).toISOString() }
          : {}),
      };
    }
  } else if (req.workaround) {
    errors.push({
      field: 'workaround',
      message: 'Only a workaround post carries workaround fields.',
    });
  }

  const parentId = clean(req.parentId);
  if (req.kind === 'reply' && !parentId)
    errors.push({ field: 'parentId', message: 'A reply needs the id of the post it answers.' });
  if (req.kind !== 'reply' && parentId)
    errors.push({ field: 'parentId', message: 'Only a reply has a parent.' });

  const bodyLinks = scanLinks(body);
  if (bodyLinks.unsafe) errors.push({ field: 'body', message: 'Only https links are allowed.' });
  // A workaround's body repeats its title and steps: their links are counted by validateWorkaround.
  const links = bodyLinks.https;
  if (links > LIMITS.links)
    errors.push({ field: 'body', message: `At most ${LIMITS.links} links per post.` });

  if (errors.length > 0) {
    const seen = new Set<string>();
    return {
      errors: errors.filter((e) => (seen.has(e.field) ? false : (seen.add(e.field), true))),
    };
  }
  return {
    value: { kind: req.kind, body, parentId: req.kind === 'reply' ? parentId : null, workaround },
  };
}

/**
 * Checks an author's edit with the same rules as a new post. The stored kind is checked by the
 * store: workaround fields must come with (and only with) a workaround post.
 */
export function normalizePostEdit(
  req: EditPostRequest,
  options: { components?: readonly string[]; now?: number } = {},
): { value: { body: string; workaround: WorkaroundFields | null } } | { errors: FieldError[] } {
  const normalized = normalizePostInput(
    { kind: req.workaround ? 'workaround' : 'answer', body: req.body, workaround: req.workaround },
    options,
  );
  if ('errors' in normalized) return normalized;
  return { value: { body: normalized.value.body, workaround: normalized.value.workaround } };
}

/** Hash of what the request asks for, to tell a retry from a different request under one key. */
export function requestHash(incidentId: string, req: CreatePostRequest): string {
  const canonical = JSON.stringify([
    incidentId,
    req.id ?? null,
    req.kind,
    req.body,
    req.parentId ?? null,
    req.workaround ?? null,
  ]);
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}
