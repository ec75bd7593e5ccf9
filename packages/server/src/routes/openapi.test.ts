/**
 * /v1/openapi.json against the official OpenAPI 3.1 JSON schema (bundled by
 * @seriousme/openapi-schema-validator), with no `$id` defined twice (strict validators refuse
 * that), and a typed client generated from it by openapi-typescript that compiles with tsc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { buildOpenApi } from '../http/openapi.js';
import { startTestServer, tempDir, type TestServer } from '../testing/harness.js';

let s: TestServer;
let doc: Record<string, unknown>;

beforeAll(async () => {
  s = await startTestServer();
  const res = await s.api('/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as Record<string, unknown>;
}, 60_000);
afterAll(async () => {
  await s.close();
});

/** Every value under `key` anywhere in `value`, with where it was found. */
function collect(value: unknown, key: string, at = '#', found: Array<[string, unknown]> = []) {
  if (Array.isArray(value)) value.forEach((v, i) => collect(v, key, `${at}/${i}`, found));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push([at, v]);
      collect(v, key, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, found);
    }
  return found;
}

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document by the official schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const pkg = new URL('../../package.json', import.meta.url);
    expect((doc['info'] as { version: string }).version).toBe(
      (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version,
    );
    // Every $ref resolves (resolveRefs throws on one that does not).
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('names each operation once and declares exactly the path parameters of its template', () => {
    const paths = doc['paths'] as Record<
      string,
      Record<string, { operationId: string; parameters: Array<{ name: string; in: string }> }>
    >;
    const ids = Object.values(paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const [template, ops] of Object.entries(paths)) {
      const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(ops))
        expect(
          op.parameters
            .filter((p) => p.in === 'path')
            .map((p) => p.name)
            .sort(),
          `${method} ${template}`,
        ).toEqual(names);
    }
  });

  it('defines each shared schema once, under components, and refers to it with $ref', () => {
    expect(collect(doc, '$id')).toEqual([]);
    const schemas = (doc['components'] as { schemas: Record<string, unknown> }).schemas;
    for (const name of ['Incident', 'Post', 'Problem', 'StatusComponent', 'Maintenance'])
      expect(schemas[name], name).toBeTypeOf('object');
    const refs = collect(doc, '$ref').map(([, ref]) => ref as string);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\/[A-Za-z]+$/);
      expect(schemas[ref.split('/').pop()!], ref).toBeTypeOf('object');
    }
    // The routes that answer with an Incident or a Post itself point at the one copy.
    const paths = doc['paths'] as Record<string, Record<string, any>>;
    expect(
      paths['/v1/sites/{site}/incidents/{incident}']!['get'].responses['200'].content[
        'application/json'
      ].schema,
    ).toEqual({ $ref: '#/components/schemas/Incident' });
    expect(
      paths['/v1/sites/{site}/posts/{post}']!['patch'].responses['200'].content['application/json']
        .schema,
    ).toEqual({ $ref: '#/components/schemas/Post' });
  });

  it('refuses to describe two different schemas under one $id', () => {
    const a = { $id: 'Thing', type: 'object', properties: { a: { type: 'string' } } };
    const b = { $id: 'Thing', type: 'object', properties: { b: { type: 'string' } } };
    const route = (schema: unknown) => ({
      method: 'get',
      url: '/x',
      schema: { response: { 200: schema } },
    });
    expect(() => buildOpenApi([route(a)], [a], '0')).not.toThrow();
    expect(() => buildOpenApi([route(b)], [a], '0')).toThrow(/two different schemas.*"Thing"/);
  });

  it('generates a typed client (openapi-typescript) that compiles with tsc', async () => {
    const dir = tempDir();
    const types = astToString(await openapiTS(structuredClone(doc) as never));
    fs.writeFileSync(path.join(dir, 'api.d.ts'), types);
    // A small client: typed paths, parameters and answers; the @ts-expect-error lines fail the
    // compile if the types went loose (any/unknown) or lost a field.
    fs.writeFileSync(
      path.join(dir, 'client.ts'),
      `import type { components, paths } from './api.js';

type Incident = components['schemas']['Incident'];
type Post = components['schemas']['Post'];
type Status =
  paths['/v1/sites/{site}/status']['get']['responses']['200']['content']['application/json'];
type OneIncident =
  paths['/v1/sites/{site}/incidents/{incident}']['get']['responses']['200']['content']['application/json'];
type NewPost = NonNullable<
  paths['/v1/sites/{site}/incidents/{incident}/posts']['post']['requestBody']
>['content']['application/json'];
type Problem = components['schemas']['Problem'];

export async function status(base: string, site: string): Promise<Status> {
  const res = await fetch(\`\${base}/v1/sites/\${encodeURIComponent(site)}/status\`);
  if (!res.ok) throw new Error(((await res.json()) as Problem).title);
  return (await res.json()) as Status;
}

export function openIncidents(s: Status): Incident[] {
  return s.incidents.filter((i) => i.phase !== 'resolved');
}

export const sameIncident = (a: OneIncident, b: Incident): boolean => a.id === b.id;

export function topAnswer(i: Incident): string | null {
  const post: Post | null = i.topWorkaround;
  return post ? \`\${post.author.displayName}: \${post.body} (\${post.counts.worked})\` : null;
}

export const answer: NewPost = { kind: 'answer', body: 'Retry with a smaller batch.' };

// @ts-expect-error a post's kind is one of answer, reply, workaround
export const wrongKind: NewPost = { kind: 'essay', body: 'x' };

export function noSuchField(i: Incident): unknown {
  // @ts-expect-error an incident has no such field
  return i.nonsense;
}

// @ts-expect-error an incident's phase is a closed set
export const badPhase: Incident['phase'] = 'exploded';
`,
    );
    const program = ts.createProgram([path.join(dir, 'client.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: [],
      noUnusedLocals: false,
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    expect(types).toContain('"/v1/sites/{site}/incidents/{incident}/posts"');
  }, 120_000); // tsc on a busy machine
});
