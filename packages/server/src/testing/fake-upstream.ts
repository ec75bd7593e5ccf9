/** A fake upstream status page on 127.0.0.1:0 that answers from a queue of scripted replies. */
import fs from 'node:fs';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface UpstreamReply {
  status?: number;
  /** An object is sent as JSON; a string verbatim. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeouts). */
  hang?: boolean;
  /** Answer 304 when the request's If-None-Match equals this reply's ETag header. */
  honourEtag?: boolean;
}

export interface FakeUpstream {
  url: string;
  /** Headers of every request received, oldest first. */
  requests: IncomingHttpHeaders[];
  /** Replies to serve in order; the last one repeats. */
  serve(...replies: UpstreamReply[]): void;
  close(): Promise<void>;
}

const FIXTURES = new URL('../../../protocol/test/fixtures/statuspage/', import.meta.url);

/** A fixture of @lifeboat/protocol as parsed JSON (a fresh copy each call). */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
}

export async function startFakeUpstream(path = '/api/v2/summary.json'): Promise<FakeUpstream> {
  let queue: UpstreamReply[] = [];
  let last: UpstreamReply = { status: 404 };
  const requests: IncomingHttpHeaders[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    const reply = queue.shift() ?? last;
    if (queue.length === 0) last = reply;
    if (reply.hang) {
      hanging.add(res);
      return;
    }
    const headers = { ...(reply.headers ?? {}) };
    if (reply.honourEtag && headers['etag'] && req.headers['if-none-match'] === headers['etag']) {
      res.writeHead(304, { etag: headers['etag'] }).end();
      return;
    }
    const body =
      typeof reply.body === 'string'
        ? reply.body
        : reply.body === undefined
          ? ''
          : JSON.stringify(reply.body);
    res
      .writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    serve(...replies) {
      queue = [...replies];
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
