/**
 * Email subscriptions end to end (issue 15): a real SMTP server (smtp-server) on loopback, the real
 * HTTP API, real SQLite or PostgreSQL. subscribe → confirmation mail → confirm link → staff verify
 * a workaround → exactly one mail → one-click unsubscribe (RFC 8058) → no more mail; and the abuse
 * cases: bad addresses, one pending confirmation per address and incident, daily caps, forged and
 * expired links, member export and erasure.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { ulid, type Post } from '@lifeboat/protocol';
import { EmailDispatcher } from '../email/dispatcher.js';
import { MemoryHub } from '../realtime/hub.js';
import { StoreDb } from '../store/db.js';
import { SqlSubscriptions } from '../store/sql-subscriptions.js';
import { linkToken } from '../email/link-tokens.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ORIGIN = 'https://lifeboat.acme.test';

interface Inbox {
  url: string;
  mails: ParsedMail[];
  /** Resolves with the first mail (already received or to come) that matches. */
  next(match: (m: ParsedMail) => boolean): Promise<ParsedMail>;
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps every mail it is given. */
async function startInbox(): Promise<Inbox> {
  const mails: ParsedMail[] = [];
  const waiters: Array<{ match: (m: ParsedMail) => boolean; resolve: (m: ParsedMail) => void }> =
    [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          for (const w of [...waiters])
            if (w.match(mail)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(mail);
            }
          done();
        })
        .catch((err: Error) => done(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    next: (match) => {
      const found = mails.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    to: (address) => mails.filter((m) => toOf(m) === address),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const toOf = (m: ParsedMail) =>
  (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address?.toLowerCase() ?? '';
const header = (m: ParsedMail, name: string) => {
  const line = m.headerLines.find((h) => h.key === name.toLowerCase());
  return line ? line.line.slice(line.line.indexOf(':') + 1).trim() : undefined;
};
const linkIn = (m: ParsedMail, purpose: 'confirm' | 'unsubscribe') => {
  const found = new RegExp(
    `${ORIGIN.replace(/\./g, '\\.')}/v1/sites/[a-z-]+/email-subscriptions/${purpose}\\?token=[A-Za-z0-9._-]+`,
  ).exec(m.text ?? '');
  if (!found) throw new Error(`no ${purpose} link in: ${m.text}`);
  return found[0];
};

let inbox: Inbox;
let s: TestServer;
const config = () => ({
  smtpUrl: inbox.url,
  mailFrom: 'Acme status <status@acme.test>',
  publicOrigin: ORIGIN,
  mailSweepMs: 3_600_000,
});
/** A link from a mail, to this test server (the mail says the public https origin). */
const local = (link: string) => link.replace(ORIGIN, s.url);

beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(async () => {
  await inbox.close();
});
afterEach(async () => {
  await s?.close();
});

async function manualIncident(title = 'Checkout errors'): Promise<string> {
  const res = await s.api('/v1/sites/acme/incidents', {
    method: 'POST',
    token: await s.staffToken(),
    json: { title, impact: 'major', body: 'Investigating.' },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function workaround(incidentId: string, title: string): Promise<string> {
  const { store } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const author = await store.createMember({
    siteId: site.id,
    kind: 'guest',
    displayName: 'Helper',
    role: 'member',
  });
  const outcome = await store.createPost({
    siteId: site.id,
    incidentId,
    memberId: author.id,
    id: ulid(),
    kind: 'workaround',
    body: '',
    parentId: null,
    workaround: { title, steps: ['Open settings', 'Switch to the EU region'], risk: 'safe' },
    state: 'published',
    idempotency: null,
  });
  if (outcome.kind !== 'created') throw new Error(outcome.kind);
  return outcome.post.id;
}

async function verify(postId: string, staff: string) {
  const res = await s.api(`/v1/sites/acme/moderation/posts/${postId}`, {
    method: 'POST',
    token: staff,
    json: { action: 'verify', reason: 'Confirmed by SRE' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(((await res.json()) as { post: Post }).post.verified).toBe(true);
}

const subscribe = (
  incidentId: string,
  token: string,
  body: Record<string, unknown>,
  slug = 'acme',
) =>
  s.api(`/v1/sites/${slug}/incidents/${enc(incidentId)}/email-subscriptions`, {
    method: 'POST',
    token,
    json: body,
  });

/** Follows a confirmation link as a person: the page, then its button. */
async function confirm(link: string) {
  const page = await fetch(local(link), { headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  const text = await page.text();
  expect(text).toContain('<form method="post">');
  // The page alone confirms nothing (mail scanners follow links).
  const done = await fetch(local(link), {
    method: 'POST',
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  expect(done.status).toBe(200);
  expect(await done.text()).toContain('You are subscribed');
}

describe('email subscriptions', () => {
  it('subscribe → confirm → one mail per verified fix → one-click unsubscribe → no more mail', async () => {
    s = await startTestServer(config());
    const incident = await manualIncident('Checkout <b>errors</b>');
    const dana = await s.session('Dana');
    const cleo = await s.session('Cleo', 'acme', 'Cleo browser');
    const staff = await s.staffToken();

    // Subscribe: 202, and a confirmation mail with a link on the public https origin.
    const res = await subscribe(incident, dana.token, {
      email: 'Dana@Example.com',
      onVerified: true,
      onResolved: false,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect((await res.json()).status).toBe('pending');
    // Cleo (the control subscriber) wants both kinds of update.
    expect(
      (
        await subscribe(incident, cleo.token, {
          email: 'cleo@example.com',
          onVerified: true,
          onResolved: true,
        })
      ).status,
    ).toBe(202);

    const confirmation = await inbox.next((m) => toOf(m) === 'dana@example.com');
    expect(confirmation.subject).toBe('Confirm email updates: Checkout <b>errors</b>');
    expect(confirmation.from?.text).toBe('"Acme status" <status@acme.test>');
    expect(header(confirmation, 'List-Unsubscribe')).toBeUndefined();
    // The incident title is text in the HTML part, never markup.
    expect(confirmation.html).toContain('Checkout &lt;b&gt;errors&lt;/b&gt;');
    expect(confirmation.html).not.toContain('<b>errors');
    const confirmLink = linkIn(confirmation, 'confirm');
    expect(confirmLink.startsWith(`${ORIGIN}/v1/sites/acme/`)).toBe(true);

    // A verified fix before the confirmation sends nothing to Dana yet.
    await confirm(confirmLink);
    await confirm(linkIn(await inbox.next((m) => toOf(m) === 'cleo@example.com'), 'confirm'));
    const [row] = await s.sql<{ state: string }>(
      "SELECT state FROM email_subscriptions WHERE address_key = 'dana@example.com'",
    );
    expect(row?.state).toBe('confirmed');

    // Staff verify a workaround: exactly one mail each.
    const first = await workaround(incident, 'Use the <i>EU</i> region');
    await verify(first, staff);
    const fixMail = await inbox.next(
      (m) => toOf(m) === 'dana@example.com' && m.subject!.startsWith('Fix verified'),
    );
    expect(fixMail.subject).toBe('Fix verified: Checkout <b>errors</b>');
    expect(fixMail.text).toContain('Use the <i>EU</i> region');
    expect(fixMail.text).toContain('2. Switch to the EU region');
    expect(fixMail.html).toContain('Use the &lt;i&gt;EU&lt;/i&gt; region');
    expect(fixMail.html).not.toContain('<i>EU');
    // RFC 8058: an https List-Unsubscribe URL and the one-click POST header.
    const unsubscribe = linkIn(fixMail, 'unsubscribe');
    expect(header(fixMail, 'List-Unsubscribe')).toBe(`<${unsubscribe}>`);
    expect(header(fixMail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(fixMail.messageId).toMatch(/@lifeboat\.acme\.test>?$/);
    await inbox.next(
      (m) => toOf(m) === 'cleo@example.com' && m.subject!.startsWith('Fix verified'),
    );

    // Unverify and verify again, then restart: the outbox row still says "told", so no second mail.
    const unverify = await s.api(`/v1/sites/acme/moderation/posts/${first}`, {
      method: 'POST',
      token: staff,
      json: { action: 'unverify' },
    });
    expect(unverify.status).toBe(200);
    await verify(first, staff);
    s = await s.restart(config());

    // One-click unsubscribe: a form POST to the List-Unsubscribe URL, no cookie, no session.
    const one = await fetch(local(unsubscribe), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(one.status).toBe(200);

    // A second verified fix and the resolution: Cleo gets both, Dana nothing.
    const second = await workaround(incident, 'Retry with a new session');
    await verify(second, await s.staffToken());
    const resolved = await s.api(`/v1/sites/acme/incidents/${enc(incident)}/resolve`, {
      method: 'POST',
      token: await s.staffToken(),
      json: { body: 'Fixed.' },
    });
    expect(resolved.status, await resolved.clone().text()).toBe(200);
    await inbox.next(
      (m) => toOf(m) === 'cleo@example.com' && m.text!.includes('Retry with a new session'),
    );
    await inbox.next((m) => toOf(m) === 'cleo@example.com' && m.subject!.startsWith('Resolved'));
    // Cleo's mails came after every sweep that could have written to Dana.
    expect(inbox.to('dana@example.com').map((m) => m.subject)).toEqual([
      'Confirm email updates: Checkout <b>errors</b>',
      'Fix verified: Checkout <b>errors</b>',
    ]);
    expect(inbox.to('cleo@example.com').map((m) => m.subject)).toEqual([
      'Confirm email updates: Checkout <b>errors</b>',
      'Fix verified: Checkout <b>errors</b>',
      'Fix verified: Checkout <b>errors</b>',
      'Resolved: Checkout <b>errors</b>',
    ]);
    const outbox = await s.sql<{ address_key: string; event_key: string; state: string }>(
      `SELECT s.address_key, o.event_key, o.state FROM email_outbox o
       JOIN email_subscriptions s ON s.id = o.subscription_id ORDER BY s.address_key, o.created_at, o.event_key`,
    );
    expect(outbox.filter((r) => r.address_key === 'dana@example.com')).toEqual([
      { address_key: 'dana@example.com', event_key: 'confirm', state: 'sent' },
      { address_key: 'dana@example.com', event_key: `verified:${first}`, state: 'sent' },
    ]);
    // The unsubscribe page now says so; a second one-click is harmless.
    const again = await fetch(local(unsubscribe), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(again.status).toBe(200);
  }, 60_000);

  it("the links' pages work in a real browser: Confirm, then Unsubscribe (Chromium)", async () => {
    s = await startTestServer(config());
    const incident = await manualIncident('Pages');
    const { token } = await s.session('Jo');
    await subscribe(incident, token, {
      email: 'jo@example.com',
      onVerified: true,
      onResolved: true,
    });
    const mail = await inbox.next((m) => toOf(m) === 'jo@example.com');
    const browser = await chromium.launch({
      executablePath: process.env['CHROME_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(local(linkIn(mail, 'confirm')));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
      const [row] = await s.sql<{ id: string; state: string }>(
        'SELECT id, state FROM email_subscriptions',
      );
      expect(row?.state).toBe('confirmed');
      const unsubscribe = linkToken(s.app.lifeboat.keys, 'unsubscribe', row!.id, null);
      await page.goto(
        `${s.url}/v1/sites/acme/email-subscriptions/unsubscribe?token=${unsubscribe}`,
      );
      await page.getByRole('button', { name: 'Unsubscribe' }).click();
      await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
      const [after] = await s.sql<{ state: string }>('SELECT state FROM email_subscriptions');
      expect(after?.state).toBe('unsubscribed');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('two instances over one database send each mail once', async () => {
    s = await startTestServer(config());
    const incident = await manualIncident('Login loops');
    const eli = await s.session('Eli');
    await subscribe(incident, eli.token, {
      email: 'eli@example.com',
      onVerified: true,
      onResolved: false,
    });
    await confirm(linkIn(await inbox.next((m) => toOf(m) === 'eli@example.com'), 'confirm'));
    // Two more instances' dispatchers, each over its own connection to the same data.
    const stores = [await s.data.open(), await s.data.open()];
    const others = stores.map(
      (store) =>
        new EmailDispatcher({
          subscriptions: new SqlSubscriptions(new StoreDb(store.driver, 1000)),
          hub: new MemoryHub(),
          config: config(),
          keys: s.app.lifeboat.keys,
          log: s.app.log,
        }),
    );
    try {
      const staff = await s.staffToken();
      const fixes = [
        await workaround(incident, 'Clear cookies'),
        await workaround(incident, 'Use a private window'),
      ];
      for (const id of fixes) await verify(id, staff);
      // They sweep at the same time as the server's own dispatcher, several times over.
      await Promise.all(others.flatMap((d) => [d.kick(), d.kick()]));
      await Promise.all(others.map((d) => d.kick()));
      await inbox.next((m) => toOf(m) === 'eli@example.com' && m.text!.includes('Clear cookies'));
      await inbox.next((m) => toOf(m) === 'eli@example.com' && m.text!.includes('private window'));
      await Promise.all(others.map((d) => d.kick()));
      expect(inbox.to('eli@example.com').length).toBe(3);
      expect(s.count('email_outbox', "state = 'sent'")).toBe(3);
    } finally {
      for (const d of others) await d.stop();
      for (const store of stores) await store.close();
    }
  }, 60_000);

  it('refuses bad addresses and choices with field messages, and anonymous callers', async () => {
    s = await startTestServer(config());
    const incident = await manualIncident();
    const { token } = await s.session('Fay');
    for (const email of [
      'not-an-address',
      'a@b',
      'x@example.com\r\nBcc: victim@example.org',
      'x@example.com, victim@example.org',
      '"Boss" <boss@example.com>',
      '<script>@example.com',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      const res = await subscribe(incident, token, { email, onVerified: true, onResolved: true });
      expect(res.status, email).toBe(400);
      const problem = await res.json();
      expect(
        problem.errors.map((e: { field: string }) => e.field),
        email,
      ).toContain('email');
    }
    const none = await subscribe(incident, token, {
      email: 'fay@example.com',
      onVerified: false,
      onResolved: false,
    });
    expect(none.status).toBe(400);
    expect((await none.json()).errors[0].field).toBe('onVerified');
    const anonymous = await s.api(`/v1/sites/acme/incidents/${enc(incident)}/email-subscriptions`, {
      method: 'POST',
      json: { email: 'fay@example.com', onVerified: true, onResolved: true },
    });
    expect(anonymous.status).toBe(401);
    const resolved = await subscribe(s.lockedIncident, token, {
      email: 'fay@example.com',
      onVerified: true,
      onResolved: true,
    });
    expect(resolved.status).toBe(409);
    const missing = await subscribe('no-such-incident', token, {
      email: 'fay@example.com',
      onVerified: true,
      onResolved: true,
    });
    expect(missing.status).toBe(404);
    expect(s.count('email_subscriptions')).toBe(0);
  });

  it('cannot mail-bomb a third party: one pending confirmation per incident, a daily cap per address, limits per member', async () => {
    s = await startTestServer(config());
    const incidents = [
      await manualIncident('One'),
      await manualIncident('Two'),
      await manualIncident('Three'),
      await manualIncident('Four'),
    ];
    const victim = 'victim@example.org';
    const attackers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => s.session(`Attacker ${n}`, 'acme', `Browser ${n}`)),
    );
    // The same incident, again and again, by several members: one confirmation only.
    for (const a of attackers) {
      const res = await subscribe(incidents[0]!, a.token, {
        email: victim.toUpperCase(),
        onVerified: true,
        onResolved: false,
      });
      expect(res.status).toBe(202);
    }
    expect(s.count('email_outbox', "event_key = 'confirm'")).toBe(1);
    // Other incidents: three confirmation mails a day per address, then 429.
    expect(
      (
        await subscribe(incidents[1]!, attackers[0]!.token, {
          email: victim,
          onVerified: true,
          onResolved: false,
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await subscribe(incidents[2]!, attackers[1]!.token, {
          email: victim,
          onVerified: true,
          onResolved: false,
        })
      ).status,
    ).toBe(202);
    // A sub-address reaches the same inbox: it counts against the same cap.
    const capped = await subscribe(incidents[3]!, attackers[2]!.token, {
      email: 'victim+lifeboat-4@example.org',
      onVerified: true,
      onResolved: false,
    });
    expect(capped.status).toBe(429);
    expect(capped.headers.get('retry-after')).toBe('86400');
    expect(s.count('email_outbox', "event_key = 'confirm'")).toBe(3);
    // Erasing the members who asked does not reset the address's count.
    for (const a of attackers.slice(0, 2)) {
      const erased = await s.api('/v1/sites/acme/members/me', { method: 'DELETE', token: a.token });
      expect(erased.status).toBe(204);
    }
    expect(s.count('email_outbox', "event_key = 'confirm'")).toBe(0);
    const still = await subscribe(incidents[3]!, attackers[3]!.token, {
      email: victim,
      onVerified: true,
      onResolved: false,
    });
    expect(still.status).toBe(429);
    // What is kept for the cap is a keyed hash, not the address.
    const kept = await s.sql<{ address_mac: string }>(
      'SELECT address_mac FROM email_confirmations',
    );
    expect(kept.length).toBe(3);
    for (const row of kept) expect(row.address_mac).not.toContain('victim');

    // One member, many addresses: the member limit (5 an hour).
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await subscribe(incidents[3]!, attackers[4]!.token, {
            email: `list-${i}@example.net`,
            onVerified: true,
            onResolved: false,
          })
        ).status,
      );
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  });

  it('refuses forged, swapped, expired and other-site links', async () => {
    s = await startTestServer(config());
    const incident = await manualIncident();
    const { token } = await s.session('Gus');
    await subscribe(incident, token, {
      email: 'gus@example.com',
      onVerified: true,
      onResolved: true,
    });
    const mail = await inbox.next((m) => toOf(m) === 'gus@example.com');
    const link = local(linkIn(mail, 'confirm'));
    const tokenOf = new URL(link).searchParams.get('token')!;
    const [id] = (await s.sql<{ id: string }>('SELECT id FROM email_subscriptions')).map(
      (r) => r.id,
    );
    const { keys } = s.app.lifeboat;
    const attempts: Array<[string, string]> = [
      ['tampered', link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))],
      ['confirm token to unsubscribe', link.replace('/confirm?', '/unsubscribe?')],
      ['other site', link.replace('/sites/acme/', '/sites/other/')],
      [
        'expired',
        `${s.url}/v1/sites/acme/email-subscriptions/confirm?token=${linkToken(keys, 'confirm', id!, Date.now() - 1000)}`,
      ],
      [
        'no expiry',
        `${s.url}/v1/sites/acme/email-subscriptions/confirm?token=${linkToken(keys, 'confirm', id!, null)}`,
      ],
      ['garbage', `${s.url}/v1/sites/acme/email-subscriptions/confirm?token=%3Cscript%3E`],
    ];
    for (const [label, url] of attempts) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(res.status, label).toBe(404);
      expect(res.headers.get('content-type'), label).toContain('application/problem+json');
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(page.status, label).toBe(404);
      expect(await page.text(), label).not.toContain('<script');
    }
    expect(
      (await s.sql<{ state: string }>('SELECT state FROM email_subscriptions'))[0]?.state,
    ).toBe('pending');
    expect(tokenOf.length).toBeLessThan(200);
  });

  it('addresses are member data: the export lists them, erasure deletes them', async () => {
    s = await startTestServer(config());
    const incident = await manualIncident();
    const hana = await s.session('Hana');
    await subscribe(incident, hana.token, {
      email: 'hana@example.com',
      onVerified: false,
      onResolved: true,
    });
    await inbox.next((m) => toOf(m) === 'hana@example.com');
    const exported = await s.api('/v1/sites/acme/members/me/export', { token: hana.token });
    expect(exported.status).toBe(200);
    const data = await exported.json();
    expect(data.emailSubscriptions).toEqual([
      expect.objectContaining({
        incidentId: incident,
        email: 'hana@example.com',
        onVerified: false,
        onResolved: true,
        state: 'pending',
      }),
    ]);
    const erased = await s.api('/v1/sites/acme/members/me', {
      method: 'DELETE',
      token: hana.token,
    });
    expect(erased.status).toBe(204);
    expect(s.count('email_subscriptions')).toBe(0);
    expect(s.count('email_outbox')).toBe(0);
  });

  it('answers 409 when the server has no SMTP configured', async () => {
    s = await startTestServer();
    const { token } = await s.session('Ida');
    const res = await subscribe(s.incident, token, {
      email: 'ida@example.com',
      onVerified: true,
      onResolved: true,
    });
    expect(res.status).toBe(409);
  });
});
