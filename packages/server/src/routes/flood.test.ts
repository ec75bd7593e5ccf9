/**
 * Flood (issue 16): one client — one address, one guest — sends 50 × each of its limits
 * (guest sessions per address, writes per address and per member, posts per member) within one
 * window, with the rate limits on, while other clients on other addresses read, post, confirm and
 * report "affected", and new visitors start sessions (solving the proof of work when the server
 * asks for it, as the SDK does). The other clients' success rate stays 100 %; the flooding
 * client's is printed beside it. Real HTTP from distinct loopback addresses (Linux answers on all
 * of 127.0.0.0/8), on either engine.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import type { RateLimitConfig } from '../config.js';
import { enc, startTestServer, TEST_ENGINE, type TestServer } from '../testing/harness.js';

/** A strict site's limits (per minute), so that 50 × them is quick to send. */
const LIMITS: RateLimitConfig = {
  sessionsPerIp: 4,
  writesPerIp: 20,
  writesPerMember: 10,
  writesPerStaff: 600,
  postsPerMember: 3,
  windowMs: 60_000,
};
const TIMES = 50;
const OTHERS = 12;
const NEWCOMERS = 4;

let s: TestServer;
let port = 0;

interface Answer {
  status: number;
  body: string;
}

/** One request from `address` (a new connection each time, as from another machine). */
function request(
  address: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown } = {},
): Promise<Answer> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress: address,
        method,
        path,
        agent: false,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
          'idempotency-key': ulid(),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A guest session as the SDK starts one: with the proof of work when the server asks for it. */
async function startSession(address: string, name: string): Promise<Answer & { token?: string }> {
  let r = await request(address, 'POST', '/v1/sites/acme/sessions', {
    json: { displayName: name },
  });
  if (r.status === 428) {
    const c = JSON.parse(
      (await request(address, 'GET', '/v1/sites/acme/sessions/challenge')).body,
    ) as {
      algorithm: string;
      challenge: string;
      maxnumber: number;
      salt: string;
      signature: string;
    };
    let number = -1;
    for (let n = 0; n <= c.maxnumber; n++)
      if (
        createHash('sha256')
          .update(c.salt + n)
          .digest('hex') === c.challenge
      ) {
        number = n;
        break;
      }
    const altcha = Buffer.from(JSON.stringify({ ...c, number })).toString('base64');
    r = await request(address, 'POST', '/v1/sites/acme/sessions', {
      json: { displayName: name, altcha },
    });
  }
  return r.status === 201 ? { ...r, token: (JSON.parse(r.body) as { token: string }).token } : r;
}

beforeAll(async () => {
  s = await startTestServer({ rateLimits: LIMITS });
  port = Number(new URL(s.url).port);
});
afterAll(async () => {
  await s?.close();
});

describe('flood', () => {
  it(`keeps other clients at 100 % while one client sends ${TIMES} × its limits`, async () => {
    const threadPath = `/v1/sites/acme/incidents/${enc(s.incident)}`;
    const seed = await s.session('Seed');
    const seedPost = await s.api(`${threadPath}/posts`, {
      method: 'POST',
      token: seed.token,
      headers: { 'idempotency-key': ulid() },
      json: { kind: 'answer', body: 'Retrying after a minute worked for me.' },
    });
    expect(seedPost.status).toBe(201);
    const target = ((await seedPost.json()) as { id: string }).id;

    // The other clients' sessions, each from its own address.
    const others: Array<{ address: string; token: string }> = [];
    for (let k = 0; k < OTHERS; k++) {
      const address = `127.0.1.${10 + k}`;
      const r = await startSession(address, `Visitor ${k}`);
      expect(r.status, r.body).toBe(201);
      others.push({ address, token: r.token! });
    }

    const flooder = '127.0.0.66';
    const own = await startSession(flooder, 'Flooder');
    expect(own.status).toBe(201);
    const abuse: Array<() => Promise<Answer>> = [];
    for (let n = 0; n < TIMES * LIMITS.sessionsPerIp; n++)
      abuse.push(() => startSession(flooder, `Flood ${n}`));
    const writes = [
      () =>
        request(flooder, 'POST', `${threadPath}/posts`, {
          token: own.token,
          json: { kind: 'answer', body: `Buy cheap credits now ${ulid()}` },
        }),
      () =>
        request(flooder, 'PUT', `/v1/sites/acme/posts/${target}/reaction`, {
          token: own.token,
          json: { kind: 'didnt_work' },
        }),
      () => request(flooder, 'PUT', `${threadPath}/affected`, { token: own.token }),
      () =>
        request(flooder, 'POST', `/v1/sites/acme/posts/${target}/flags`, {
          token: own.token,
          json: { reason: 'spam' },
        }),
    ];
    // 50 × the tightest of its write limits per address and per member (and so of posts).
    for (let n = 0; n < TIMES * LIMITS.writesPerIp; n++) abuse.push(writes[n % writes.length]!);

    const flood = { sent: 0, ok: 0, limited: 0, other: new Map<number, number>() };
    const rest = { sent: 0, ok: 0, failures: [] as string[] };
    const started = Date.now();
    let next = 0;
    const flooding = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < abuse.length) {
          const r = await abuse[next++]!();
          flood.sent++;
          if (r.status >= 200 && r.status < 300) flood.ok++;
          else if (r.status === 429) flood.limited++;
          else flood.other.set(r.status, (flood.other.get(r.status) ?? 0) + 1);
        }
      }),
    );
    const check = (who: string, what: string, r: Answer) => {
      rest.sent++;
      if (r.status >= 200 && r.status < 300) rest.ok++;
      else rest.failures.push(`${who} ${what}: ${r.status} ${r.body.slice(0, 160)}`);
    };
    // Meanwhile, the others go about their visit: well within their own limits.
    const visits = others.map(async ({ address, token }, k) => {
      for (let round = 0; round < 2; round++) {
        // The second round in the thick of it: once half the flood is sent.
        while (round === 1 && flood.sent < abuse.length / 2)
          await new Promise((r) => setTimeout(r, 20));
        check(address, 'status', await request(address, 'GET', '/v1/sites/acme/status'));
        check(address, 'thread', await request(address, 'GET', `${threadPath}/thread`));
        check(
          address,
          'post',
          await request(address, 'POST', `${threadPath}/posts`, {
            token,
            json: { kind: 'answer', body: `Visitor ${k}: the EU relay works (${round}).` },
          }),
        );
        check(
          address,
          'confirm',
          await request(address, 'PUT', `/v1/sites/acme/posts/${target}/reaction`, {
            token,
            json: { kind: round ? 'worked' : 'didnt_work' },
          }),
        );
        check(
          address,
          'affected',
          await request(address, round ? 'DELETE' : 'PUT', `${threadPath}/affected`, { token }),
        );
      }
    });
    const newcomers = Array.from({ length: NEWCOMERS }, async (_, k) => {
      while (flood.sent < (abuse.length * (k + 1)) / (NEWCOMERS + 1))
        await new Promise((r) => setTimeout(r, 20));
      const address = `127.0.2.${10 + k}`;
      const r = await startSession(address, `Newcomer ${k}`);
      check(address, 'session', r);
      if (r.token)
        check(
          address,
          'post',
          await request(address, 'POST', `${threadPath}/posts`, {
            token: r.token,
            json: { kind: 'answer', body: `Newcomer ${k}: same here, the relay helped.` },
          }),
        );
    });
    await Promise.all([...visits, ...newcomers]);
    await flooding;
    const seconds = (Date.now() - started) / 1000;

    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)} %`;
    console.log(
      `flood (${TEST_ENGINE}): limits per minute ${JSON.stringify({ ...LIMITS, windowMs: undefined })}; ` +
        `one client sent ${flood.sent} requests (${TIMES} × its session and write limits) in ${seconds.toFixed(1)} s: ` +
        `${flood.ok} succeeded (${pct(flood.ok, flood.sent)}), ${flood.limited} answered 429` +
        `${flood.other.size ? `, other: ${JSON.stringify([...flood.other])}` : ''}; ` +
        `${OTHERS + NEWCOMERS} other clients sent ${rest.sent}: ${rest.ok} succeeded (${pct(rest.ok, rest.sent)})`,
    );
    expect(rest.failures).toEqual([]);
    expect(rest.ok).toBe(rest.sent);
    // The flooder got no more than its limits allow (fixed windows: a run may straddle two, more
    // on a machine slow enough to take minutes), and the server said why.
    const windows = 2 + Math.floor((seconds * 1000) / LIMITS.windowMs);
    expect(flood.ok).toBeLessThanOrEqual((LIMITS.sessionsPerIp + LIMITS.writesPerIp) * windows);
    expect(flood.limited).toBeGreaterThan(flood.sent * 0.9);
    expect([...flood.other.keys()].filter((code) => code >= 500)).toEqual([]);
  }, 180_000);
});
