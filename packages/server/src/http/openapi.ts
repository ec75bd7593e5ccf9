/**
 * OpenAPI 3.1, assembled from the registered routes' schemas (collected by an onRoute hook).
 * Shared schemas become `components.schemas`; `$ref: 'Post'` becomes `#/components/schemas/Post`.
 * A route may use a shared schema itself (`response: { 200: Incident }`, which Fastify needs for
 * typed handlers and fast serialization): wherever a schema with an `$id` appears in the document
 * it is replaced by a `$ref` to its one copy under components, so no `$id` is defined twice
 * (strict validators refuse a document that does). Two different schemas with one `$id` throw.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

type Components = Map<string, { json: string; schema: Json }>;

/**
 * Plain JSON copy (drops TypeBox's symbol keys) with refs pointed at components; each schema that
 * carries an `$id` is moved to `components` (once) and replaced by a `$ref` to it.
 */
function toJson(value: unknown, components: Components, keepTop = false): Json {
  if (value === undefined) return null;
  const plain = JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === '$ref' && typeof v === 'string' && !v.startsWith('#')
        ? `#/components/schemas/${v.replace(/#$/, '')}`
        : v,
    ),
  ) as Json;
  return lift(plain, components, keepTop);
}

/** `keepTop`: the value itself stays inline (without its `$id`); only what it contains moves. */
function lift(value: Json, components: Components, keepTop = false): Json {
  if (Array.isArray(value)) return value.map((v) => lift(v, components));
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) if (k !== '$id') out[k] = lift(v, components);
  const id = value['$id'];
  if (typeof id !== 'string' || keepTop) return out;
  const json = JSON.stringify(out);
  const known = components.get(id);
  if (!known) components.set(id, { json, schema: out });
  else if (known.json !== json)
    throw new Error(`OpenAPI: two different schemas have the $id "${id}".`);
  return { $ref: `#/components/schemas/${id}` };
}

function parametersFrom(
  schema: unknown,
  where: 'path' | 'query' | 'header',
  components: Components,
): Json[] {
  const s = toJson(schema, components, true) as {
    properties?: Record<string, Json>;
    required?: string[];
  } | null;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([name, sch]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: sch,
  }));
}

export function collectRoutes(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS' || !route.schema || route.url.includes('*'))
        continue;
      routes.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: route.schema as Record<string, unknown>,
      });
    }
  });
  return routes;
}

export function buildOpenApi(
  routes: readonly CollectedRoute[],
  shared: ReadonlyArray<{ $id?: string }>,
  version: string,
): Json {
  const components: Components = new Map();
  // The shared schemas first: each is the one copy of its `$id` the routes' copies must match.
  for (const s of shared) if (s.$id) toJson(s, components);
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, Json> = {};
    for (const [code, sch] of Object.entries(
      (r.schema['response'] ?? {}) as Record<string, unknown>,
    )) {
      const key = code.toUpperCase();
      const json = toJson(sch, components) as Record<string, Json>;
      responses[key] =
        'content' in json
          ? json
          : {
              description: key.startsWith('4') || key.startsWith('5') ? 'Problem details' : 'OK',
              content: {
                [key.startsWith('2') ? 'application/json' : 'application/problem+json']: {
                  schema: json,
                },
              },
            };
    }
    const op: Record<string, Json> = {
      operationId: (r.schema['operationId'] as string | undefined) ?? `${r.method}${path}`,
      summary: (r.schema['summary'] as string | undefined) ?? '',
      parameters: [
        ...parametersFrom(r.schema['params'], 'path', components),
        ...parametersFrom(r.schema['querystring'], 'query', components),
        ...parametersFrom(r.schema['headers'], 'header', components),
      ],
      responses,
    };
    if (r.schema['body'])
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: toJson(r.schema['body'], components) } },
      };
    (paths[path] ??= {})[r.method] = op;
  }
  const schemas: Record<string, Json> = {};
  for (const [id, c] of components) schemas[id] = c.schema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lifeboat API',
      version,
      description: 'Community layer for status pages during incidents.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: {
          type: 'http',
          scheme: 'bearer',
          description: 'Guest session token from POST /v1/sites/{site}/sessions',
        },
      },
    },
  };
}
