/**
 * Site management shared by the admin API and the CLI: validation of slugs, origins, status
 * URLs and poll intervals (with per-field messages), create and update through the store.
 */
import type { SitePatch, SiteRecord, Store } from '../store/store.js';
import { isPollableUrl } from '../status/fetch-upstream.js';

export type FieldError = { field: string; message: string };

export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const POLL_INTERVAL = { min: 1000, max: 86_400_000 } as const;

export interface SiteInput {
  slug?: string;
  name?: string;
  origins?: string[];
  statusUrl?: string | null;
  pollIntervalMs?: number | null;
}

/** The admin view of a site. */
export interface AdminSite {
  slug: string;
  name: string;
  origins: string[];
  statusUrl: string | null;
  pollIntervalMs: number | null;
  createdAt: string;
}

export function adminSite(site: SiteRecord): AdminSite {
  return {
    slug: site.slug,
    name: site.name,
    origins: site.origins,
    statusUrl: site.statusUrl ?? null,
    pollIntervalMs: site.pollIntervalMs ?? null,
    createdAt: site.createdAt,
  };
}

/** Checks and normalizes a site input (origins become bare origins); errors per field. */
export function normalizeSiteInput(
  input: SiteInput,
  options: { create: boolean },
): { value: SitePatch } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const value: SitePatch = {};
  if (input.slug !== undefined || options.create) {
    const slug = (input.slug ?? '').trim();
    if (!new RegExp(SLUG_PATTERN).test(slug))
      errors.push({
        field: 'slug',
        message: 'Use 1–63 lowercase letters, digits or dashes, starting with a letter or digit.',
      });
    value.slug = slug;
  }
  if (input.name !== undefined || options.create) {
    const name = (input.name ?? '').trim();
    if (name.length < 1 || name.length > 100)
      errors.push({ field: 'name', message: 'Use 1 to 100 characters.' });
    value.name = name;
  }
  if (input.origins !== undefined) {
    const origins: string[] = [];
    for (const raw of input.origins) {
      if (raw.trim() === '*') {
        origins.push('*');
        continue;
      }
      try {
        const url = new URL(raw.trim());
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
        origins.push(url.origin);
      } catch {
        errors.push({
          field: 'origins',
          message: `"${raw}" is not an origin like https://status.example.com (or *).`,
        });
      }
    }
    value.origins = [...new Set(origins)];
  } else if (options.create) {
    value.origins = [];
  }
  if (input.statusUrl !== undefined) {
    const url = input.statusUrl === null ? null : input.statusUrl.trim() || null;
    if (url !== null && !isPollableUrl(url))
      errors.push({
        field: 'statusUrl',
        message:
          'Use an http(s) URL of a status document, e.g. https://status.example.com/api/v2/summary.json.',
      });
    value.statusUrl = url;
  }
  if (input.pollIntervalMs !== undefined) {
    const ms = input.pollIntervalMs;
    if (ms !== null && (!Number.isInteger(ms) || ms < POLL_INTERVAL.min || ms > POLL_INTERVAL.max))
      errors.push({
        field: 'pollIntervalMs',
        message: `Use a whole number of milliseconds from ${POLL_INTERVAL.min} to ${POLL_INTERVAL.max}.`,
      });
    value.pollIntervalMs = ms;
  }
  return errors.length ? { errors } : { value };
}

export type SiteOutcome =
  | { kind: 'ok'; site: SiteRecord }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'slug_taken' };

export async function createSite(store: Store, input: SiteInput): Promise<SiteOutcome> {
  const checked = normalizeSiteInput(input, { create: true });
  if ('errors' in checked) return { kind: 'invalid', errors: checked.errors };
  const { slug, name, origins, ...rest } = checked.value;
  if (await store.getSiteBySlug(slug!)) return { kind: 'slug_taken' };
  let site: SiteRecord;
  try {
    site = await store.createSite({ slug: slug!, name: name!, origins: origins ?? [] });
  } catch (err) {
    // a concurrent create of the same slug
    if (/unique/i.test((err as Error).message)) return { kind: 'slug_taken' };
    throw err;
  }
  if (Object.keys(rest).length === 0) return { kind: 'ok', site };
  const updated = await store.updateSite(site.id, rest);
  return updated.kind === 'ok' ? updated : { kind: 'slug_taken' };
}

export async function updateSite(
  store: Store,
  site: SiteRecord,
  input: SiteInput,
): Promise<SiteOutcome> {
  const checked = normalizeSiteInput(input, { create: false });
  if ('errors' in checked) return { kind: 'invalid', errors: checked.errors };
  const outcome = await store.updateSite(site.id, checked.value);
  return outcome.kind === 'ok' ? outcome : { kind: 'slug_taken' };
}
