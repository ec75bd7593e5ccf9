/**
 * Email updates end to end (issue 15, docs/email.md): the real `lifeboat start --demo` with SMTP
 * pointed at a real SMTP server (smtp-server) on loopback, the built script tag in Chromium. A
 * visitor asks for updates from `<lifeboat-thread email-updates>`, confirms from the mail's link
 * in the browser, staff verify a fix, one mail arrives, and the one-click unsubscribe ends it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import {
  axeViolations,
  freePort,
  launchChromium,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

const ADMIN_KEY = 'e2e-email-admin-key-0123456789-abcdef';

interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Raw header lines by lower-case name. */
  header: (name: string) => string | undefined;
}

let server: RunningServer;
let browser: Browser;
let smtp: SMTPServer;
const mails: Mail[] = [];

const mailTo = async (address: string, subject: RegExp): Promise<Mail> => {
  await expect
    .poll(() => mails.some((m) => m.to === address && subject.test(m.subject)), { timeout: 30_000 })
    .toBe(true);
  return mails.find((m) => m.to === address && subject.test(m.subject))!;
};

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream).then(
        (m) => {
          mails.push({
            to: session.envelope.rcptTo[0]?.address ?? '',
            subject: m.subject ?? '',
            text: m.text ?? '',
            header: (name) => {
              const line = m.headerLines.find((h) => h.key === name);
              return line?.line.slice(line.line.indexOf(':') + 1).trim();
            },
          });
          done();
        },
        (err: Error) => done(err),
      );
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as { port: number }).port;
  // A page of our own with the thread's email updates on.
  const pages = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-email-'));
  writeFileSync(
    join(pages, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme status</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<script type="module" src="/cdn/lifeboat.js" data-site="demo"></script></head>
<body><main><h1>Acme status</h1><lifeboat-thread email-updates></lifeboat-thread></main></body></html>`,
  );
  const port = await freePort();
  server = await startLifeboat(
    {
      LIFEBOAT_ADMIN_KEY: ADMIN_KEY,
      LIFEBOAT_DEMO_DIR: pages,
      LIFEBOAT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LIFEBOAT_MAIL_FROM: 'Acme status <status@acme.test>',
      LIFEBOAT_PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
    },
    port,
  );
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('email updates', () => {
  it('subscribe in the thread → confirm in the browser → one mail per verified fix → one-click unsubscribe', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    const errors = watchConsole(page);
    await page.goto(server.url + '/');
    const toggle = page.getByRole('button', { name: 'Get email updates about this incident' });
    await toggle.waitFor({ timeout: 30_000 });
    await toggle.click();
    const address = page.getByLabel('Email address');
    await address.fill('dana@example');
    await page.getByRole('button', { name: 'Email me', exact: true }).click();
    await expect.poll(() => address.getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await address.fill('dana@example.com');
    await page.getByRole('button', { name: 'Email me', exact: true }).click();
    await page.getByText('Check your inbox').waitFor();

    const confirmation = await mailTo('dana@example.com', /^Confirm email updates/);
    const link =
      /http:\/\/127\.0\.0\.1:\d+\/v1\/sites\/demo\/email-subscriptions\/confirm\?token=\S+/.exec(
        confirmation.text,
      )![0];
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();

    // Staff verify a published, unverified fix of the thread the visitor saw.
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const status = await (await fetch(`${server.url}/v1/sites/demo/status`)).json();
    const incident = status.incidents[0].id as string;
    const thread = await (
      await fetch(`${server.url}/v1/sites/demo/incidents/${encodeURIComponent(incident)}/thread`)
    ).json();
    const fix = (
      thread.posts as Array<{ id: string; kind: string; verified: boolean; state: string }>
    ).find((p) => p.kind !== 'reply' && !p.verified && p.state === 'published')!;
    const verified = await fetch(`${server.url}/v1/sites/demo/moderation/posts/${fix.id}`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ action: 'verify', reason: 'Confirmed' }),
    });
    expect(verified.status).toBe(200);
    const update = await mailTo('dana@example.com', /^Fix verified/);
    const listUnsubscribe = update.header('list-unsubscribe')!;
    expect(update.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = /<([^>]+)>/.exec(listUnsubscribe)![1]!;
    const one = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(one.status).toBe(200);
    expect(mails.filter((m) => m.to === 'dana@example.com').length).toBe(2);
    expect(errors).toEqual([]);
  }, 120_000);
});
