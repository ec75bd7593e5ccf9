/**
 * Display names and word matching on normalized text (issue 16 item 5), through the real server on
 * either engine: NFKC, invisible and bidi characters stripped, empty names refused, the site's
 * name, its staff's names and role words kept from guests, banned words found however they are
 * disguised (zero-width characters, look-alike letters, full-width forms, accents).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ulid, type Post, type Session } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { hostClaims, mintHostToken } from '../testing/host-tokens.js';

const ADMIN_KEY = 'admin-key-names-0123456789abcdef';
const HOST_SECRET = 'acme-host-secret-names-0123456789abcdef';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
let s: TestServer;

const startSession = (displayName: string) =>
  s.api('/v1/sites/acme/sessions', { method: 'POST', json: { displayName } });

const rename = (token: string, displayName: string) =>
  s.api('/v1/sites/acme/sessions/me', { method: 'PATCH', token, json: { displayName } });

async function setPolicy(change: object) {
  const res = await s.api('/v1/admin/sites/acme/policy', {
    method: 'PUT',
    headers: admin,
    json: change,
  });
  expect(res.status).toBe(200);
}

const post = (token: string, body: string) =>
  s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    headers: { 'idempotency-key': ulid() },
    json: { kind: 'answer', body },
  });

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  await s.staffToken('Jordan Lee');
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  await setPolicy({ bannedWords: [], suspectWords: [], preModeration: 'none' });
});

describe('guest display names', () => {
  it.each([
    [
      'bidi override and zero-width characters',
      'Ali\u200Bce\u202E \u2066Smith\u2069',
      'Alice Smith',
    ],
    ['full-width letters (NFKC)', 'Ａｌｉｃｅ', 'Alice'],
    ['a byte-order mark and a soft hyphen', '\uFEFFBo\u00ADb', 'Bob'],
    ['tabs, newlines and odd spaces', ' Zoë\t\n\u00A0\u3000Ng ', 'Zoë Ng'],
    ['a name in another script', '李小龙', '李小龙'],
  ])('strips %s', async (_what, raw, stored) => {
    const res = await startSession(raw);
    expect(res.status).toBe(201);
    const session = (await res.json()) as Session;
    expect(session.member.displayName).toBe(stored);
    const row = await s.sql<{ display_name: string }>(
      'SELECT display_name FROM members WHERE id = ?',
      session.member.id,
    );
    expect(row[0]!.display_name).toBe(stored);
  });

  it('refuses a name with nothing visible left once normalized (400, nothing stored)', async () => {
    const before = s.count('members');
    for (const raw of [
      '\u200B\u200D\u2060',
      '\u202E\u2066\u2069 ',
      '\u3164\u115F',
      '\u0007\u001B',
    ]) {
      const res = await startSession(raw);
      expect(res.status, JSON.stringify(raw)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = await res.json();
      expect(problem.errors).toEqual([{ field: 'displayName', message: expect.any(String) }]);
    }
    expect(s.count('members')).toBe(before);
  });

  it.each([
    'Acme Support',
    'ACME STAFF',
    'acme',
    'Acme\u200BSupport',
    'Αсmе Ѕuppоrt', // Greek and Cyrillic look-alikes
    'A.C.M.E. Help',
    'Ａｃｍｅ Team',
    'Support',
    'Supp0rt',
    'Official Staff',
    'Admin',
    'Moderator',
    'Jordan Lee', // a staff member's name
    'jordan  LEE',
    'J0rdan Lee',
  ])('keeps %j for the site and its staff (422)', async (raw) => {
    const before = s.count('members');
    const res = await startSession(raw);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await res.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors[0].field).toBe('displayName');
    expect(problem.detail).toMatch(/choose a name of your own/i);
    expect(s.count('members')).toBe(before);
  });

  it('lets ordinary names through, including ones that merely contain a role word', async () => {
    for (const name of ['Mother Teresa', 'Staffan', 'Modest Mouse', 'Supportive Sam', 'Zoë']) {
      const res = await startSession(name);
      expect(res.status, name).toBe(201);
    }
  });

  it('a rename follows the same rules and leaves the name unchanged when refused', async () => {
    const session = (await (await startSession('Robin')).json()) as Session;
    const refused = await rename(session.token, 'Acme Support');
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors[0].field).toBe('displayName');
    const empty = await rename(session.token, '\u200B\u202E');
    expect(empty.status).toBe(400);
    const ok = await rename(session.token, 'Robin\u202E Hood');
    expect(ok.status).toBe(200);
    expect((await ok.json()).member.displayName).toBe('Robin Hood');
    const row = await s.sql<{ display_name: string }>(
      'SELECT display_name FROM members WHERE id = ?',
      session.member.id,
    );
    expect(row[0]!.display_name).toBe('Robin Hood');
  });

  it('refuses a banned word in a name, however it is disguised (422 content_rejected)', async () => {
    await setPolicy({ bannedWords: ['casino'] });
    for (const raw of ['Casino King', 'Ca\u200Bsino King', 'Саsіno King']) {
      const res = await startSession(raw);
      expect(res.status, raw).toBe(422);
      expect((await res.json()).code).toBe('content_rejected');
    }
  });

  it('a host sign-in name keeps no invisible or bidi characters', async () => {
    expect(
      (
        await s.api('/v1/admin/sites/acme/sso', {
          method: 'PUT',
          headers: admin,
          json: { hs256Secret: HOST_SECRET },
        })
      ).status,
    ).toBe(200);
    const token = mintHostToken(hostClaims({ id: 'host-7', name: 'Dana\u202E \u200BHost' }), {
      alg: 'HS256',
      secret: HOST_SECRET,
    });
    const res = await s.api('/v1/sites/acme/sessions/sso', { method: 'POST', json: { token } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Session).member.displayName).toBe('Dana Host');
  });
});

describe('banned and suspect words on normalized text', () => {
  it.each([
    ['a zero-width space inside', 'Best ca\u200Bsino in town'],
    ['Cyrillic look-alikes', 'Best саsіno in town'],
    ['full-width letters', 'Best ＣＡＳＩＮＯ in town'],
    ['an accent', 'Best cásino in town'],
    ['a soft hyphen', 'Best ca\u00ADsino in town'],
  ])(
    'refuses a banned word with %s (422 content_rejected, nothing stored)',
    async (_what, body) => {
      await setPolicy({ bannedWords: ['casino'] });
      const guest = (await (await startSession('Poster')).json()) as Session;
      const before = s.count('posts');
      const res = await post(guest.token, body);
      expect(res.status).toBe(422);
      const problem = await res.json();
      expect(problem.code).toBe('content_rejected');
      expect(problem.errors[0].field).toBe('body');
      expect(s.count('posts')).toBe(before);
    },
  );

  it('holds a disguised suspect word for review', async () => {
    await setPolicy({ suspectWords: ['refund'] });
    const guest = (await (await startSession('Poster')).json()) as Session;
    const res = await post(guest.token, 'DM me for a re\u200Bfund today');
    expect(res.status).toBe(201);
    const held = (await res.json()) as Post;
    expect(held.state).toBe('pending');
  });

  it('still publishes honest text', async () => {
    await setPolicy({ bannedWords: ['casino'], suspectWords: ['refund'] });
    const guest = (await (await startSession('Poster')).json()) as Session;
    const res = await post(guest.token, 'Switching the region to EU fixed the webhooks for me.');
    expect(res.status).toBe(201);
    expect(((await res.json()) as Post).state).toBe('published');
  });
});
