/**
 * Every route the app registers (method and URL pattern, HEAD and OPTIONS included), recorded by
 * an `onRoute` hook added before the routes. The authorization matrix test walks this list, so a
 * new route cannot ship without its row.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface RegisteredRoute {
  method: string;
  url: string;
}

export function recordRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: method.toUpperCase(), url: route.url });
  });
  return routes;
}
