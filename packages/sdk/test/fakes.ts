/** Test doubles for the SDK: a scripted server behind `fetch`, an EventSource driven by hand. */
import type { Incident, LifeboatEvent, Post, SiteStatus, ThreadPage } from '@lifeboat/protocol';
import type { EventSourceLike } from '../src/stream.js';

export const SERVER = 'https://lifeboat.test';
export const SITE = 'acme';
export const BASE = `${SERVER}/v1/sites/${SITE}`;

export interface Call {
  method: string;
  /** Path under the site, with the query string. */
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | 'network';
type Handler = Reply | ((call: Call) => Reply | Promise<Reply>);

/** Routes are `METHOD /path` (query ignored); a handler array answers one call per entry, then repeats the last. */
export function fakeServer() {
  const routes = new Map<string, Handler[]>();
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const u = new URL(url);
    const call: Call = {
      method: init.method ?? 'GET',
      path: u.pathname.slice(new URL(BASE).pathname.length) + u.search,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body ? JSON.parse(init.body as string) : undefined,
    };
    calls.push(call);
    const queue = routes.get(`${call.method} ${u.pathname.slice(new URL(BASE).pathname.length)}`);
    if (!queue?.length) {
      return json(
        404,
        { type: 'about:blank', title: 'Not found', status: 404, code: 'not_found' },
        'application/problem+json',
      );
    }
    const handler = queue.length > 1 ? queue.shift()! : queue[0]!;
    const reply = typeof handler === 'function' ? await handler(call) : handler;
    if (reply === 'network') throw new TypeError('fetch failed');
    return json(reply.status ?? 200, reply.body, undefined, reply.headers);
  };
  return {
    fetch,
    calls,
    on(route: string, ...handlers: Handler[]) {
      routes.set(route, handlers);
    },
    count(route: string) {
      return calls.filter((c) => `${c.method} ${c.path.split('?')[0]}` === route).length;
    },
  };
}

/** A minimal Response: its body resolves in microtasks only, so fake timers drive everything. */
function json(
  status: number,
  body: unknown,
  type = 'application/json',
  headers: Record<string, string> = {},
) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    headers: new Headers({
      'content-type': status >= 400 ? 'application/problem+json' : type,
      ...headers,
    }),
    text: async () => text,
  } as Response;
}

export function problem(status: number, code: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status,
    body: { type: `https://lifeboat.dev/problems/${code}`, title: code, status, code, ...extra },
  };
}

/** A fresh EventSource class per test; `instances` are the sources the client opened. */
export function fakeEventSource() {
  class FakeEventSource implements EventSourceLike {
    static instances: FakeEventSource[] = [];
    static get last(): FakeEventSource {
      return FakeEventSource.instances[FakeEventSource.instances.length - 1]!;
    }
    readyState = 0;
    private listeners = new Map<string, Array<(event: MessageEvent) => void>>();
    constructor(readonly url: string) {
      FakeEventSource.instances.push(this);
    }
    addEventListener(type: string, listener: (event: MessageEvent) => void): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    close(): void {
      this.readyState = 2;
    }
    /** The event types listened to. */
    types(): string[] {
      return [...this.listeners.keys()];
    }
    get closed(): boolean {
      return this.readyState === 2;
    }
    dispatch(type: string, data?: unknown, id?: number): void {
      const event = {
        type,
        data: JSON.stringify(data),
        lastEventId: id === undefined ? '' : String(id),
      };
      for (const listener of this.listeners.get(type) ?? []) listener(event as MessageEvent);
    }
    open(): void {
      this.readyState = 1;
      this.dispatch('open');
    }
    send(event: LifeboatEvent): void {
      this.dispatch(event.type, event, event.seq);
    }
    /** The connection drops and the browser gives up (readyState CLOSED). */
    fail(): void {
      this.readyState = 2;
      this.dispatch('error');
    }
  }
  return FakeEventSource;
}

/** In-memory `localStorage`. */
export function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

/** Lets pending promises and zero-delay timers run. */
export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

export const INCIDENT_ID = 'statuspage:abc:inc1';

export function anIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: INCIDENT_ID,
    site: SITE,
    title: 'API errors',
    phase: 'investigating',
    impact: 'major',
    components: ['api'],
    startedAt: '2026-01-01T10:00:00.000Z',
    resolvedAt: null,
    updatedAt: '2026-01-01T10:05:00.000Z',
    threadState: 'open',
    updates: [],
    affectedCount: 3,
    postCount: 1,
    topWorkaround: null,
    ...overrides,
  };
}

export function aPost(overrides: Partial<Post> = {}): Post {
  return {
    id: '01J0000000000000000000POST',
    incidentId: INCIDENT_ID,
    parentId: null,
    kind: 'answer',
    body: 'Try the EU region.',
    workaround: null,
    author: { id: 'm1', displayName: 'Ada', role: 'member', staff: false },
    state: 'published',
    verified: false,
    pinned: false,
    counts: { worked: 2, didntWork: 0 },
    createdAt: '2026-01-01T10:06:00.000Z',
    editedAt: null,
    score: 0,
    ...overrides,
  };
}

export function aStatus(overrides: Partial<SiteStatus> = {}): SiteStatus {
  return {
    site: { slug: SITE, name: 'Acme' },
    severity: 'major',
    description: 'Partial outage',
    components: [{ id: 'api', name: 'API', status: 'partial_outage' }],
    incidents: [anIncident()],
    lastEventId: 10,
    updatedAt: '2026-01-01T10:05:00.000Z',
    ...overrides,
  };
}

export function aPage(overrides: Partial<ThreadPage> = {}): ThreadPage {
  return {
    incidentId: INCIDENT_ID,
    threadState: 'open',
    posts: [aPost()],
    nextCursor: null,
    lastEventId: 10,
    ...overrides,
  };
}

export function aSession(token = 'tok-1', displayName = 'Guest') {
  return {
    token,
    member: { id: `m-${token}`, displayName, role: 'member' as const, staff: false },
    expiresAt: '2099-01-01T00:00:00.000Z',
  };
}
