/**
 * A load-client process for SSE fan-out: holds many streams (one process holds at most ~19,990
 * sockets with `ulimit -n` 20000, so large runs use several), each from a loopback source address
 * shared by at most 4 streams, and notes when each stream parses the `post.created` event that
 * carries a marker. Times come from the machine's monotonic clock (procs.ts `clockMs`), the same
 * in the parent that sends the post. Driven by IPC messages from stream-fanout.ts:
 *   open {url, n, group, readyText, lastEventId?, batch?} → opened {ok, failed, statuses, openTimes, ms}
 *   arm {marker}                      → armed (again for each broadcast: each stream notes each
 *                                       marker once)
 *   (all streams saw the marker)      → delivered {times, missing}
 *   collect                           → delivered {times, missing} (what arrived so far)
 *   close                             → exits
 */
import http from 'node:http';
import { clockMs, loopbackAddress } from './procs.js';

interface OpenMessage {
  type: 'open';
  url: string;
  n: number;
  group: number;
  /** Text a stream must show before it counts as open (e.g. `event: ready`); null: any byte. */
  readyText: string | null;
  lastEventId?: number;
  /** Streams opened at once (default 250). */
  batch?: number;
}
type Message = OpenMessage | { type: 'arm'; marker: string } | { type: 'collect' | 'close' };

const send = (m: object) => process.send!(m);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const requests: http.ClientRequest[] = [];
let marker: string | null = null;
let times: number[] = [];
let expected = 0;
let reported = false;

function report(): void {
  reported = true;
  send({ type: 'delivered', times, missing: expected - times.length });
}

function openOne(
  o: OpenMessage,
  i: number,
  statuses: Record<string, number>,
  openTimes: number[],
): Promise<boolean> {
  const t0 = clockMs();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean) => {
      if (!settled) {
        settled = true;
        if (ok) openTimes.push(clockMs() - t0);
        resolve(ok);
      }
    };
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (o.lastEventId !== undefined) headers['last-event-id'] = String(o.lastEventId);
    const req = http.get(
      o.url,
      { agent, localAddress: loopbackAddress(o.group, i), headers },
      (res) => {
        statuses[res.statusCode!] = (statuses[res.statusCode!] ?? 0) + 1;
        if (res.statusCode !== 200) {
          res.resume();
          return settle(false);
        }
        res.setEncoding('utf8');
        let buffer = '';
        /** The marker this stream saw last (each `arm` sets a new one). */
        let seen: string | null = null;
        res.on('data', (chunk: string) => {
          buffer += chunk;
          if (!settled && (o.readyText === null || buffer.includes(o.readyText))) settle(true);
          let idx: number;
          while ((idx = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, idx);
            buffer = buffer.slice(idx + 2);
            if (
              marker &&
              seen !== marker &&
              frame.includes('event: post.created') &&
              frame.includes(marker)
            ) {
              JSON.parse(frame.slice(frame.indexOf('data: ') + 6)); // parse as a client would
              times.push(clockMs());
              seen = marker;
              if (times.length === expected && !reported) report();
            }
          }
        });
        res.on('end', () => settle(false));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      statuses[e.code ?? 'error'] = (statuses[e.code ?? 'error'] ?? 0) + 1;
      settle(false);
    });
    requests.push(req);
  });
}

process.on('message', (m: Message) => {
  void (async () => {
    if (m.type === 'open') {
      const t0 = clockMs();
      const statuses: Record<string, number> = {};
      const openTimes: number[] = [];
      let ok = 0;
      const BATCH = m.batch ?? 250;
      for (let i = 0; i < m.n; i += BATCH) {
        const results = await Promise.all(
          Array.from({ length: Math.min(BATCH, m.n - i) }, (_, j) =>
            openOne(m, i + j, statuses, openTimes),
          ),
        );
        ok += results.filter(Boolean).length;
      }
      for (const r of requests) r.setTimeout(0); // opened: streams stay open without a timeout
      expected = ok;
      send({ type: 'opened', ok, failed: m.n - ok, statuses, openTimes, ms: clockMs() - t0 });
    } else if (m.type === 'arm') {
      times = [];
      reported = false;
      marker = m.marker;
      send({ type: 'armed' });
    } else if (m.type === 'collect') {
      if (!reported) report();
    } else if (m.type === 'close') {
      for (const r of requests) r.destroy();
      agent.destroy();
      process.exit(0);
    }
  })();
});
process.on('disconnect', () => process.exit(0));
send({ type: 'hello' });
