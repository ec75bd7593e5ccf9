/**
 * Every status reader against hostile upstreams: random JSON, real captures with random parts
 * replaced, wrong types, NUL characters, prototype keys (`__proto__`, `constructor`), huge lists
 * and texts, deep nesting. A document is either read into a well-formed NormalizedStatus or
 * refused with a StatusSourceError; nothing else escapes, nothing unbounded comes out.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeStatusDocument, StatusSourceError, type NormalizedStatus } from '../index.js';
import { MAX_ITEMS, MAX_TITLE } from './text.js';

const dir = new URL('../../test/fixtures/statuspage/', import.meta.url);
const fixtures = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((name) => ({
    name,
    json: JSON.parse(fs.readFileSync(new URL(name, dir), 'utf8')) as unknown,
  }));

const SEVERITIES = ['operational', 'maintenance', 'minor', 'major', 'critical'];
const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
];
const IMPACTS = ['none', 'minor', 'major', 'critical'];
const PHASES = ['investigating', 'identified', 'monitoring', 'resolved'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NUL = String.fromCharCode(0);

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** The shape every consumer (poller, store, SDK) relies on. */
function expectWellFormed(s: NormalizedStatus) {
  expect(SEVERITIES).toContain(s.severity);
  expect(typeof s.description).toBe('string');
  expect(typeof s.page.id).toBe('string');
  expect(s.page.id.length).toBeGreaterThan(0);
  expect(s.components.length).toBeLessThanOrEqual(MAX_ITEMS * 2);
  expect(s.incidents.length).toBeLessThanOrEqual(MAX_ITEMS);
  for (const c of s.components) {
    expect(COMPONENT_STATUSES).toContain(c.status);
    expect(typeof c.id).toBe('string');
    expect(c.name.length).toBeLessThanOrEqual(MAX_TITLE);
  }
  const ids = new Set<string>();
  for (const i of s.incidents) {
    expect(typeof i.id).toBe('string');
    expect(i.id.length).toBeLessThan(400);
    ids.add(i.id);
    expect(IMPACTS).toContain(i.impact);
    expect(PHASES).toContain(i.phase);
    expect(i.title.length).toBeLessThanOrEqual(MAX_TITLE);
    expect(i.title.length).toBeGreaterThan(0);
    for (const t of [i.startedAt, i.updatedAt, ...i.updates.map((u) => u.createdAt)])
      expect(t).toMatch(ISO);
    if (i.resolvedAt !== null) expect(i.resolvedAt).toMatch(ISO);
    expect(Array.isArray(i.components)).toBe(true);
  }
  for (const m of s.maintenances) {
    expect(['scheduled', 'in_progress', 'verifying', 'completed']).toContain(m.status);
    for (const t of [m.scheduledFor, m.scheduledUntil]) if (t !== null) expect(t).toMatch(ISO);
  }
  for (const text of strings(s)) expect(text.includes(NUL)).toBe(false);
  // Nothing from Object.prototype leaks into the result through a hostile key.
  expect(strings(s).some((t) => t.includes('[native code]'))).toBe(false);
}

function readOrRefuse(json: unknown, url?: string) {
  try {
    const s = normalizeStatusDocument(json, {
      now: new Date('2026-12-01T00:00:00Z'),
      ...(url ? { url } : {}),
    });
    expectWellFormed(s);
    return s;
  } catch (err) {
    if (!(err instanceof StatusSourceError)) throw err;
    return null;
  }
}

/** Every path of a JSON value (objects and arrays only), root first. */
function paths(
  value: unknown,
  at: Array<string | number> = [],
  out: Array<Array<string | number>> = [],
) {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function replaceAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    const next = node?.[key];
    // An earlier replacement may have removed this path: nothing to replace.
    if (typeof next !== 'object' || next === null) return copy;
    node = next as Record<string | number, unknown>;
  }
  if (typeof node !== 'object' || node === null) return copy;
  Object.defineProperty(node, path.at(-1)!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    null,
    '',
    NUL,
    `x${NUL}y`,
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    -1,
    1e308,
    'not a date',
    '2026-13-45 99:99:99',
    [],
    {},
    [null, 1, 'a'],
    { __proto__: 'x' },
    JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'),
  ),
);

describe('status readers against hostile upstreams', () => {
  it('random JSON is read or refused, never anything else', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        readOrRefuse(json);
      }),
      { numRuns: 400 },
    );
  });

  it('every real capture with any one part replaced by hostile values', () => {
    for (const { name, json } of fixtures) {
      const all = paths(json);
      fc.assert(
        fc.property(
          fc.nat(all.length - 1),
          hostile,
          fc.nat(all.length - 1),
          hostile,
          (a, x, b, y) => {
            readOrRefuse(replaceAt(replaceAt(json, all[a]!, x), all[b]!, y));
          },
        ),
        { numRuns: 60 },
      );
      void name;
    }
  });

  it('a recognised page with anything wrong inside is still read, as the same source', () => {
    // Detection looks at the top two levels; anything deeper may be wrong, missing or hostile,
    // and the page still shows what can be read (never "Could not load the status").
    const samples: unknown[] = [null, 'junk', NUL, 42, [], {}, '__proto__', [null, 'x'], 1e308];
    for (const { name, json } of fixtures) {
      const original = readOrRefuse(json);
      if (!original) continue;
      const deep = paths(json).filter((p) => p.length >= 3);
      for (const [n, p] of deep.slice(0, 150).entries()) {
        const s = readOrRefuse(replaceAt(json, p, samples[n % samples.length]));
        expect(s, `${name} ${p.join('.')}`).not.toBeNull();
        expect(s!.source, `${name} ${p.join('.')}`).toBe(original.source);
      }
    }
  });

  it('prototype keys are data, not Object.prototype members', () => {
    const docs = [
      '{"page":{"name":"P","url":"https://p.example","status":"constructor"},"activeIncidents":[{"name":"x","impact":"toString","status":"__proto__"}]}',
      '{"data":{"type":"status_page","attributes":{"aggregate_state":"hasOwnProperty"}},"included":[{"id":"1","type":"status_page_resource","attributes":{"public_name":"A","status":"constructor"}}]}',
      '{"page":{"id":"p"},"status":{"indicator":"__proto__"},"incidents":[{"id":"i","name":"x","impact":"constructor","status":"toString"}]}',
      '{"status":"constructor"}',
      '{"result":{"status_overall":{"status_code":"__proto__"},"status":[],"incidents":[]}}',
      '{"heartbeatList":{"__proto__":[{"status":"constructor"}]},"uptimeList":{}}',
      '{"ongoing_incidents":[{"name":"x","current_worst_impact":"__proto__","status":"constructor"}]}',
    ];
    for (const text of docs) {
      const s = readOrRefuse(JSON.parse(text));
      if (!s) continue;
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
    expect(readOrRefuse(JSON.parse(docs[0]!))!.severity).not.toBe('operational');
    expect(readOrRefuse(JSON.parse(docs[3]!))).toBeNull();
  });

  it('huge lists and texts come out bounded', () => {
    const big = 'A'.repeat(1_000_000);
    const incidents = Array.from({ length: 20_000 }, (_, i) => ({
      name: `Incident ${i}`,
      started: '2026-11-30T08:00:00.000Z',
      status: 'INVESTIGATING',
    }));
    const s = readOrRefuse({
      page: { name: big, status: 'HASISSUES' },
      activeIncidents: incidents,
    })!;
    expect(s.incidents).toHaveLength(MAX_ITEMS);
    expect(new Set(s.incidents.map((i) => i.id)).size).toBe(MAX_ITEMS);
    expect(s.page.name.length).toBeLessThanOrEqual(MAX_TITLE);
    const one = readOrRefuse({
      page: { id: 'p' },
      incidents: [
        {
          id: big,
          name: big,
          incident_updates: [{ body: big, created_at: '2026-11-30T08:00:00Z' }],
        },
      ],
    })!;
    expect(one.incidents[0]!.id.length).toBeLessThan(100);
    expect(one.incidents[0]!.updates[0]!.body.length).toBeLessThanOrEqual(20_000);
  });

  it('deep nesting in any field is not walked', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    for (const { json } of fixtures.filter((f) => !Array.isArray(f.json))) {
      const all = paths(json).filter((p) => p.length > 0);
      for (const p of all.slice(0, 40)) readOrRefuse(replaceAt(json, p, deep));
    }
  });
});
