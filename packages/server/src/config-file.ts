/**
 * The config file (`LIFEBOAT_CONFIG` / `--config`): sites declared as JSON — slug, name, origins,
 * status source, moderation policy and host sign-in keys — applied at start. Each declared site
 * is created when missing, else brought in line with the file; sites not in the file are left
 * alone. Applying the same file again changes nothing (no write, no audit entry). Every mistake
 * is reported with its JSON path and the server does not start. See docs/server/configuration.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SitePolicy } from '@lifeboat/protocol';
import type { SecretBox } from './auth/secret-box.js';
import { readSiteSso, writeSiteSso } from './auth/site-sso.js';
import { applySsoChange } from './auth/sso-keys.js';
import { checkPolicy } from './cli/site-settings.js';
import { CHALLENGE_MAX_NUMBER_RANGE, ConfigError, type ServerConfig } from './config.js';
import { parseAllowList } from './status/upstream-address.js';
import { DEFAULT_POLICY } from './moderation/site-policy.js';
import { createSite, normalizeSiteInput, updateSite, type SiteInput } from './services/sites.js';
import type { SitePatch, SiteRecord, SiteSsoConfig, Store } from './store/store.js';
import type { SqlStore } from './store/sql-store.js';
import { SqlWebhooks } from './store/sql-webhooks.js';
import {
  applyDeclaredIntegrations,
  readDeclaredPush,
  readDeclaredWebhooks,
  type DeclaredPush,
  type DeclaredWebhook,
} from './webhooks/config-file.js';

type FieldError = { field: string; message: string };

export interface DeclaredSite {
  slug: string;
  name: string;
  /** Absent: the site's current value is kept. */
  origins?: string[];
  statusUrl?: string | null;
  pollIntervalMs?: number | null;
  /** The whole policy: these fields over the defaults. Absent: the current policy is kept. */
  policy?: SitePolicy;
  /** The whole set of host sign-in keys. Absent: the current keys are kept. */
  sso?: SiteSsoConfig;
  /** The push endpoint for status page webhooks (webhooks/config-file.ts). Absent: kept. */
  push?: DeclaredPush;
  /** Outgoing webhook endpoints, matched by URL; others are kept. */
  webhooks?: DeclaredWebhook[];
}

/** Server settings of the file (`server`); the environment adds to or overrides them. */
export interface FileServerSettings {
  /** Added to LIFEBOAT_STATUS_ALLOW. */
  statusAllow?: string[];
  /** Used when LIFEBOAT_CHALLENGE_MAX_NUMBER is not set. */
  challengeMaxNumber?: number;
}

export interface LoadedConfigFile {
  file: string;
  sites: DeclaredSite[];
  server: FileServerSettings;
}

const SERVER_KEYS = ['statusAllow', 'challengeMaxNumber'] as const;

function readServer(
  raw: unknown,
  at: string,
): { value: FileServerSettings } | { errors: FieldError[] } {
  if (!isObject(raw))
    return { errors: [{ field: at, message: `Use an object with ${SERVER_KEYS.join(', ')}.` }] };
  const errors = unknownKeys(raw, SERVER_KEYS, at);
  const value: FileServerSettings = {};
  const allow = raw['statusAllow'];
  if (allow !== undefined) {
    if (!Array.isArray(allow) || !allow.every((e) => typeof e === 'string'))
      errors.push({
        field: `${at}.statusAllow`,
        message: 'Use a list of IPs, CIDRs or host names.',
      });
    else {
      try {
        parseAllowList(allow);
        value.statusAllow = allow;
      } catch (err) {
        errors.push({ field: `${at}.statusAllow`, message: (err as Error).message });
      }
    }
  }
  const max = raw['challengeMaxNumber'];
  if (max !== undefined) {
    const { min, max: top } = CHALLENGE_MAX_NUMBER_RANGE;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < min || max > top)
      errors.push({
        field: `${at}.challengeMaxNumber`,
        message: `Use a whole number from ${min} to ${top}.`,
      });
    else value.challengeMaxNumber = max;
  }
  return errors.length ? { errors } : { value };
}

/** The server configuration with the file's `server` settings (the environment wins). */
export function withFileSettings(config: ServerConfig, file: LoadedConfigFile): ServerConfig {
  return {
    ...config,
    statusAllow: [...config.statusAllow, ...(file.server.statusAllow ?? [])],
    challengeMaxNumber: config.challengeMaxNumber ?? file.server.challengeMaxNumber ?? null,
  };
}

const SITE_KEYS = [
  'slug',
  'name',
  'origins',
  'statusUrl',
  'pollIntervalMs',
  'policy',
  'sso',
  'push',
  'webhooks',
] as const;
const SSO_KEYS = ['hs256Secret', 'hs256SecretEnv', 'publicKeys', 'publicKeyFiles'] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function unknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
): FieldError[] {
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ field: `${at}.${k}`, message: `Unknown field; use ${allowed.join(', ')}.` }));
}

/** `sso` of a declared site: secrets inline or from the environment, keys inline or from files. */
function readSso(
  raw: unknown,
  at: string,
  dir: string,
  env: Record<string, string | undefined>,
): { value: SiteSsoConfig } | { errors: FieldError[] } {
  if (!isObject(raw))
    return {
      errors: [
        { field: at, message: 'Use an object with hs256Secret(Env) and/or publicKey(File)s.' },
      ],
    };
  const errors = unknownKeys(raw, SSO_KEYS, at);
  let hs256Secret: string | undefined;
  let secretField = `${at}.hs256Secret`;
  if (raw['hs256Secret'] !== undefined && raw['hs256SecretEnv'] !== undefined)
    errors.push({
      field: `${at}.hs256Secret`,
      message: 'Give hs256Secret or hs256SecretEnv, not both.',
    });
  if (raw['hs256Secret'] !== undefined) {
    if (typeof raw['hs256Secret'] !== 'string')
      errors.push({ field: secretField, message: 'Use a string.' });
    else hs256Secret = raw['hs256Secret'];
  } else if (raw['hs256SecretEnv'] !== undefined) {
    secretField = `${at}.hs256SecretEnv`;
    const name = raw['hs256SecretEnv'];
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      errors.push({ field: secretField, message: 'Use the name of an environment variable.' });
    else if (!env[name])
      errors.push({ field: secretField, message: `The environment variable ${name} is not set.` });
    else hs256Secret = env[name]!.trim();
  }
  // Public keys: inline texts first, then files; remember where each came from for errors.
  const keys: Array<{ text: string; field: string }> = [];
  const list = (name: 'publicKeys' | 'publicKeyFiles', read: (s: string, f: string) => void) => {
    const v = raw[name];
    if (v === undefined) return;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      errors.push({ field: `${at}.${name}`, message: 'Use a list of strings.' });
      return;
    }
    v.forEach((s: string, i) => read(s, `${at}.${name}[${i}]`));
  };
  list('publicKeys', (text, field) => keys.push({ text, field }));
  list('publicKeyFiles', (file, field) => {
    try {
      keys.push({ text: fs.readFileSync(path.resolve(dir, file), 'utf8'), field });
    } catch (err) {
      errors.push({
        field,
        message: `Cannot read ${path.resolve(dir, file)} (${(err as NodeJS.ErrnoException).code}).`,
      });
    }
  });
  if (errors.length) return { errors };
  const checked = applySsoChange(
    {},
    {
      ...(hs256Secret !== undefined ? { hs256Secret } : {}),
      ...(keys.length ? { publicKeys: keys.map((k) => k.text) } : {}),
    },
  );
  if ('errors' in checked)
    return {
      errors: checked.errors.map((e) => {
        const i = /^publicKeys\.(\d+)$/.exec(e.field);
        const field =
          e.field === 'hs256Secret'
            ? secretField
            : i
              ? (keys[Number(i[1])]?.field ?? `${at}.publicKeys`)
              : `${at}.${e.field}`;
        return { field, message: e.message };
      }),
    };
  return { value: checked.sso };
}

function readSite(
  raw: unknown,
  at: string,
  dir: string,
  env: Record<string, string | undefined>,
): { value: DeclaredSite } | { errors: FieldError[] } {
  if (!isObject(raw))
    return { errors: [{ field: at, message: 'Use an object with at least slug and name.' }] };
  const errors = unknownKeys(raw, SITE_KEYS, at);
  const input: SiteInput = {};
  const typed = (key: string, ok: (v: unknown) => boolean, message: string) => {
    if (raw[key] === undefined) return false;
    if (ok(raw[key])) return true;
    errors.push({ field: `${at}.${key}`, message });
    return false;
  };
  for (const key of ['slug', 'name'] as const) {
    if (raw[key] === undefined) errors.push({ field: `${at}.${key}`, message: 'Required.' });
    else if (typed(key, (v) => typeof v === 'string', 'Use a string.'))
      input[key] = raw[key] as string;
  }
  if (
    typed(
      'origins',
      (v) => Array.isArray(v) && v.every((o) => typeof o === 'string'),
      'Use a list of origins like "https://status.example.com" (or "*").',
    )
  )
    input.origins = raw['origins'] as string[];
  if (typed('statusUrl', (v) => v === null || typeof v === 'string', 'Use a URL or null.'))
    input.statusUrl = raw['statusUrl'] as string | null;
  if (
    typed(
      'pollIntervalMs',
      (v) => v === null || typeof v === 'number',
      'Use a number of milliseconds or null.',
    )
  )
    input.pollIntervalMs = raw['pollIntervalMs'] as number | null;
  const site: DeclaredSite = { slug: '', name: '' };
  if (input.slug !== undefined && input.name !== undefined) {
    const checked = normalizeSiteInput(input, { create: false });
    if ('errors' in checked)
      errors.push(
        ...checked.errors.map((e) => ({ field: `${at}.${e.field}`, message: e.message })),
      );
    else Object.assign(site, checked.value);
  }
  if (raw['policy'] !== undefined) {
    const checked = checkPolicy(raw['policy'], `${at}.policy`);
    if ('errors' in checked) errors.push(...checked.errors);
    else site.policy = { ...DEFAULT_POLICY, bannedWords: [], suspectWords: [], ...checked.value };
  }
  if (raw['sso'] !== undefined) {
    const checked = readSso(raw['sso'], `${at}.sso`, dir, env);
    if ('errors' in checked) errors.push(...checked.errors);
    else site.sso = checked.value;
  }
  if (raw['push'] !== undefined) {
    const checked = readDeclaredPush(raw['push'], `${at}.push`, env);
    if ('errors' in checked) errors.push(...checked.errors);
    else site.push = checked.value;
  }
  if (raw['webhooks'] !== undefined) {
    const checked = readDeclaredWebhooks(raw['webhooks'], `${at}.webhooks`, env);
    if ('errors' in checked) errors.push(...checked.errors);
    else site.webhooks = checked.value;
  }
  return errors.length ? { errors } : { value: site };
}

/**
 * Reads and checks a config file. Throws ConfigError listing every problem as `path: message`
 * (`sites[1].policy.maxLinks: Use a whole number from 0 to 5.`).
 */
export function readConfigFile(
  file: string,
  env: Record<string, string | undefined> = process.env,
): LoadedConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `Cannot read the config file ${file} (${(err as NodeJS.ErrnoException).code}).`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const errors: FieldError[] = [];
  const sites: DeclaredSite[] = [];
  let server: FileServerSettings = {};
  if (!isObject(raw)) {
    errors.push({ field: '$', message: 'Use a JSON object with a "sites" list.' });
  } else {
    errors.push(...unknownKeys(raw, ['$schema', 'server', 'sites'], '$'));
    if (raw['server'] !== undefined) {
      const checked = readServer(raw['server'], '$.server');
      if ('errors' in checked) errors.push(...checked.errors);
      else server = checked.value;
    }
    if (!Array.isArray(raw['sites'])) {
      errors.push({ field: '$.sites', message: 'Use a list of sites.' });
    } else {
      const seen = new Map<string, number>();
      raw['sites'].forEach((entry: unknown, i) => {
        const at = `$.sites[${i}]`;
        const checked = readSite(entry, at, path.dirname(file), env);
        if ('errors' in checked) errors.push(...checked.errors);
        else sites.push(checked.value);
        const slug = isObject(entry) && typeof entry['slug'] === 'string' ? entry['slug'] : null;
        if (slug === null) return;
        const first = seen.get(slug);
        if (first !== undefined)
          errors.push({
            field: `${at}.slug`,
            message: `"${slug}" is declared twice (also $.sites[${first}]).`,
          });
        else seen.set(slug, i);
      });
    }
  }
  if (errors.length)
    throw new ConfigError(
      `The config file ${file} has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}:\n` +
        errors.map((e) => `  ${e.field}: ${e.message}`).join('\n'),
    );
  return { file, sites, server };
}

export interface ApplyResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** Field by field, whatever the key order. */
const samePolicy = (a: SitePolicy, b: SitePolicy) =>
  (Object.keys(DEFAULT_POLICY) as Array<keyof SitePolicy>).every((k) => sameJson(a[k], b[k]));
const sameSso = (a: SiteSsoConfig, b: SiteSsoConfig) =>
  (a.hs256Secret ?? null) === (b.hs256Secret ?? null) &&
  sameJson(a.publicKeys ?? [], b.publicKeys ?? []);

/** What in a site differs from its declaration (only the declared fields). */
function siteChanges(site: SiteRecord, d: DeclaredSite): SitePatch {
  const patch: SitePatch = {};
  if (site.name !== d.name) patch.name = d.name;
  if (d.origins !== undefined && !sameJson(site.origins, d.origins)) patch.origins = d.origins;
  if (d.statusUrl !== undefined && (site.statusUrl ?? null) !== d.statusUrl)
    patch.statusUrl = d.statusUrl;
  if (d.pollIntervalMs !== undefined && (site.pollIntervalMs ?? null) !== d.pollIntervalMs)
    patch.pollIntervalMs = d.pollIntervalMs;
  return patch;
}

/** Creates or updates each declared site; writes only what differs. */
export async function applyConfigFile(
  store: Store,
  config: LoadedConfigFile,
  secrets: SecretBox,
): Promise<ApplyResult> {
  const result: ApplyResult = { created: [], updated: [], unchanged: [] };
  const actor = {
    kind: 'system' as const,
    id: null,
    displayName: `config file ${path.basename(config.file)}`,
  };
  for (const d of config.sites) {
    let site = await store.getSiteBySlug(d.slug);
    let changed = false;
    if (!site) {
      const outcome = await createSite(store, d);
      if (outcome.kind !== 'ok')
        throw new ConfigError(`Cannot create site "${d.slug}" from ${config.file}.`);
      site = outcome.site;
      result.created.push(d.slug);
    } else {
      const patch = siteChanges(site, d);
      if (Object.keys(patch).length) {
        const outcome = await updateSite(store, site, patch);
        if (outcome.kind !== 'ok')
          throw new ConfigError(`Cannot update site "${d.slug}" from ${config.file}.`);
        site = outcome.site;
        changed = true;
      }
    }
    if (d.policy && !samePolicy(await store.getSitePolicy(site.id), d.policy)) {
      await store.setSitePolicy(site.id, d.policy, {
        action: 'policy',
        actor,
        reason: 'Applied from the config file',
        detail: null,
      });
      changed = true;
    }
    if (d.sso && !sameSso(await readSiteSso(store, secrets, site.id), d.sso)) {
      await writeSiteSso(store, secrets, site.id, d.sso);
      changed = true;
    }
    if (
      (d.push || d.webhooks) &&
      (await applyDeclaredIntegrations(
        new SqlWebhooks((store as SqlStore).driver),
        secrets,
        site.id,
        d,
      ))
    )
      changed = true;
    if (!result.created.includes(d.slug))
      (changed ? result.updated : result.unchanged).push(d.slug);
  }
  return result;
}
