/**
 * Checks a CreatePostRequest beyond its schema: trimmed lengths, the link rules (https only, at
 * most LIMITS.links across body and steps), and the fields each kind needs. Pure: no storage.
 */
import crypto from 'node:crypto';
import {
  LIMITS,
  type CreatePostRequest,
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

const HTTPS_LINK = /\bhttps:\/\/[^\s<>()[\]"']+/gi;
/** Link schemes a post may not carry (anything but https). */
const UNSAFE_LINK =
  /\b(?:https?:\/\/|javascript:|vbscript:|file:\/\/|data:[a-z]+\/[a-z0-9.+-]+[;,])/gi;

function linkErrors(text: string): { count: number; unsafe: boolean } {
  const unsafe = [...text.matchAll(UNSAFE_LINK)].some(
    (m) => !m[0].toLowerCase().startsWith('https://'),
  );
  return { count: (text.match(HTTPS_LINK) ?? []).length, unsafe };
}

const clean = (s: string | null | undefined) => {
  const t = s?.trim();
  return t ? t : null;
};

export function normalizePostInput(
  req: CreatePostRequest,
): { value: PostInput } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const body = req.body.trim();
  if (body.length < LIMITS.postBody.min)
    errors.push({ field: 'body', message: 'Write something first.' });
  if (body.length > LIMITS.postBody.max)
    errors.push({ field: 'body', message: `Use at most ${LIMITS.postBody.max} characters.` });

  let workaround: WorkaroundFields | null = null;
  if (req.kind === 'workaround') {
    const w = req.workaround;
    if (!w) {
      errors.push({ field: 'workaround', message: 'A workaround needs a title and steps.' });
    } else {
      const title = w.title.trim();
      const steps = w.steps.map((s) => s.trim());
      if (title.length < LIMITS.workaroundTitle.min) {
        errors.push({
          field: 'workaround.title',
          message: `Use at least ${LIMITS.workaroundTitle.min} characters.`,
        });
      }
      if (steps.some((s) => s.length < LIMITS.workaroundStep.min))
        errors.push({ field: 'workaround.steps', message: 'Steps cannot be empty.' });
      workaround = {
        title,
        steps,
        component: clean(w.component),
        platform: clean(w.platform),
        risk: w.risk,
        riskNote: clean(w.riskNote),
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

  const bodyLinks = linkErrors(body);
  if (bodyLinks.unsafe) errors.push({ field: 'body', message: 'Only https links are allowed.' });
  let links = bodyLinks.count;
  if (workaround) {
    const stepText = [workaround.title, ...workaround.steps, workaround.riskNote ?? ''].join('\n');
    const stepLinks = linkErrors(stepText);
    if (stepLinks.unsafe)
      errors.push({ field: 'workaround.steps', message: 'Only https links are allowed.' });
    links += stepLinks.count;
  }
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
