/**
 * OpenAPI 3.1, assembled from the registered routes' schemas (collected by an onRoute hook).
 * Shared schemas become `components.schemas`; `$ref: 'Post'` becomes `#/components/schemas/Post`.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

/** Plain JSON copy (drops TypeBox's symbol keys) with refs pointed at components. */
function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === '$ref' && typeof v === 'string' && !v.startsWith('#')
        ? `#/components/schemas/${v}`
        : v,
    ),
  ) as Json;
}

function parametersFrom(schema: unknown, where: 'path' | 'query' | 'header'): Json[] {
  const s = toJson(schema) as { properties?: Record<string, Json>; required?: string[] } | null;
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
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, Json> = {};
    for (const [code, sch] of Object.entries(
      (r.schema['response'] ?? {}) as Record<string, unknown>,
    )) {
      const key = code.toUpperCase();
      const json = toJson(sch) as Record<string, Json>;
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
        ...parametersFrom(r.schema['params'], 'path'),
        ...parametersFrom(r.schema['querystring'], 'query'),
        ...parametersFrom(r.schema['headers'], 'header'),
      ],
      responses,
    };
    if (r.schema['body'])
      op['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: toJson(r.schema['body']) } },
      };
    (paths[path] ??= {})[r.method] = op;
  }
  const schemas: Record<string, Json> = {};
  for (const s of shared) if (s.$id) schemas[s.$id] = toJson({ ...s, $id: undefined });
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
