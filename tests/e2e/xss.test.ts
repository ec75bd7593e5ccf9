/**
 * XSS corpus (issue 16): every payload of tests/fixtures/xss-corpus.json goes through every
 * visitor-writable field — post body, display name, workaround title, steps, platform and risk
 * note, flag note — and through upstream status text (component names, incident names and
 * update bodies of a fake Statuspage the real server polls), then is rendered by the real built
 * embed in Chromium: banner, threads, workaround form (component list, similar workarounds) and
 * the moderation console. The host pages have no CSP, so an injected handler would run.
 * Asserted: no payload executes (a `window.__xss` hook every payload calls, dialogs, CSP
 * violations), and no active element (script, iframe, object, embed, frame, base, meta, an `on*`
 * attribute, a javascript:/data:/vbscript: URL or srcdoc) is in any shadow root.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  freePort,
  launchChromium,
  root,
  serveStatic,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

const ADMIN_KEY = 'e2e-xss-admin-key-0123456789abcdefgh';
const PAYLOADS = (
  JSON.parse(readFileSync(join(root, 'tests/fixtures/xss-corpus.json'), 'utf8')) as {
    payloads: string[];
  }
).payloads;
/** Posts per incident stay below the thread's windowing threshold (50 rendered posts). */
const PER_INCIDENT = 20;
const GROUPS = Math.ceil(PAYLOADS.length / PER_INCIDENT);

/** Each field's payloads carry their own marker and id range, so a hit names its field. */
const FIELDS = {
  body: 1,
  name: 2,
  title: 3,
  steps: 4,
  platform: 5,
  riskNote: 6,
  flagNote: 7,
  component: 8,
  incident: 9,
  update: 10,
} as const;
type Field = keyof typeof FIELDS;
const marker = (field: Field, i: number) => `xq${FIELDS[field]}x${i}q`;
const payload = (field: Field, i: number, max = 5000) =>
  `${marker(field, i)} ${PAYLOADS[i]!.replaceAll('$ID', String(FIELDS[field] * 1000 + i))}`.slice(
    0,
    max,
  );
const MARKER = /xq(\d+)x(\d+)q/g;

let server: RunningServer;
let browser: Browser;
let upstream: Server;
const contexts: BrowserContext[] = [];

/** The fake Statuspage: every component, incident name and update body is a payload. */
function summary(): string {
  const at = '2026-12-06T10:00:00.000Z';
  const group = (g: number) =>
    PAYLOADS.map((_, i) => i).filter((i) => Math.floor(i / PER_INCIDENT) === g);
  return JSON.stringify({
    page: { id: 'xsspage', name: 'XSS Cloud', url: 'https://status.xss.test', updated_at: at },
    status: { indicator: 'major', description: 'Partial outage' },
    components: PAYLOADS.map((_, i) => ({
      id: `c${i}`,
      name: payload('component', i, 200),
      status: 'major_outage',
      group_id: null,
      group: false,
      position: i,
    })),
    incidents: Array.from({ length: GROUPS }, (_, g) => ({
      id: `inc${g}`,
      name: payload('incident', group(g)[0]!, 200),
      status: 'investigating',
      impact: 'major',
      created_at: at,
      updated_at: at,
      started_at: at,
      resolved_at: null,
      monitoring_at: null,
      shortlink: 'https://status.xss.test/i',
      page_id: 'xsspage',
      components: group(g).map((i) => ({ id: `c${i}`, name: `c${i}` })),
      incident_updates: group(g).map((i, k) => ({
        id: `u${i}`,
        status: 'investigating',
        body: payload('update', i),
        incident_id: `inc${g}`,
        created_at: new Date(Date.parse(at) + k * 1000).toISOString(),
        updated_at: at,
        display_at: at,
        affected_components: null,
      })),
    })),
    scheduled_maintenances: [],
  });
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url !== '/api/v2/summary.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(summary());
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  server = await startLifeboat({
    LIFEBOAT_ADMIN_KEY: ADMIN_KEY,
    LIFEBOAT_POLL_INTERVAL_MS: '500',
    // The fake upstream is on loopback: allowed explicitly, as a self-hosted status page would be.
    LIFEBOAT_STATUS_ALLOW: '127.0.0.1',
    LIFEBOAT_RATE_LIMITS: 'off',
    LIFEBOAT_CHALLENGE_LOAD: '1000000',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
  await new Promise((r) => upstream?.close(r));
});

async function call(method: string, path: string, body?: unknown, token = ADMIN_KEY) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      'idempotency-key': crypto.randomUUID(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** What a page saw run, and what its shadow roots hold that could run. */
const INIT = `
  window.__xssFired = [];
  window.__xss = (id) => window.__xssFired.push('xss:' + id);
  for (const name of ['alert', 'confirm', 'prompt', 'print'])
    window[name] = (m) => window.__xssFired.push(name + ':' + m);
  document.addEventListener('securitypolicyviolation',
    (e) => window.__xssFired.push('csp:' + e.violatedDirective + ':' + e.sample), true);
`;

interface Scan {
  fired: string[];
  active: string[];
  /** Marker (field, payload) pairs found in each surface's rendered text. */
  texts: Record<string, string>;
}

async function scan(page: Page): Promise<Scan> {
  return page.evaluate(() => {
    const active: string[] = [];
    const texts: Record<string, string> = {};
    const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'];
    const ACTIVE_TAGS = new Set([
      'script',
      'iframe',
      'object',
      'embed',
      'frame',
      'frameset',
      'base',
      'meta',
      'applet',
      'portal',
    ]);
    const describe = (el: Element) => el.outerHTML.slice(0, 160);
    const visit = (rootNode: ShadowRoot, surface: string, out: string[]) => {
      for (const el of rootNode.querySelectorAll('*')) {
        const tag = el.localName;
        if (ACTIVE_TAGS.has(tag)) active.push(`${surface}: <${tag}> ${describe(el)}`);
        if (tag === 'link' && el.getAttribute('rel') !== 'stylesheet')
          active.push(`${surface}: <link> ${describe(el)}`);
        for (const attr of el.attributes) {
          const name = attr.name.toLowerCase();
          if (name.startsWith('on')) active.push(`${surface}: ${name}= ${describe(el)}`);
          if (name === 'srcdoc') active.push(`${surface}: srcdoc ${describe(el)}`);
          // As a browser reads a URL's scheme: controls, spaces, tabs and newlines dropped.
          const scheme = [...attr.value]
            .filter((c) => c.charCodeAt(0) > 0x20)
            .join('')
            .toLowerCase();
          if (URL_ATTRS.includes(name) && /^(javascript|vbscript|data):/.test(scheme))
            active.push(`${surface}: ${name}=${attr.value.slice(0, 60)} ${describe(el)}`);
        }
        if (el.shadowRoot) visit(el.shadowRoot, surface, out);
        if (tag === 'option' || tag === 'textarea' || tag === 'input')
          out.push((el as HTMLInputElement).value ?? '');
      }
      out.push(rootNode.textContent ?? '');
    };
    for (const el of document.querySelectorAll('*')) {
      if (!el.localName.startsWith('lifeboat-') || !el.shadowRoot) continue;
      const surface = el.localName.replace('lifeboat-', '');
      const out: string[] = [];
      visit(el.shadowRoot, surface, out);
      texts[surface] = (texts[surface] ?? '') + '\n' + out.join('\n');
    }
    const fired = (window as unknown as { __xssFired: string[] }).__xssFired;
    return { fired: [...fired], active, texts };
  });
}

describe('XSS corpus', () => {
  it(`renders ${PAYLOADS.length} payloads in every field and surface without running any`, async () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(100);
    const port = await freePort();
    const pageOrigin = `http://127.0.0.1:${port}`;

    // A site that follows the fake upstream, embedded on a page of another origin.
    const created = await call('POST', '/v1/admin/sites', {
      slug: 'xss',
      name: 'XSS Cloud',
      origins: [pageOrigin],
      statusUrl: `http://127.0.0.1:${(upstream.address() as { port: number }).port}/api/v2/summary.json`,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    // Posts straight to the thread: no first-post review, so the thread shows them.
    await call('PUT', '/v1/admin/sites/xss/policy', { preModeration: 'none', riskyAdvice: true });
    const site = '/v1/sites/xss';
    let incidents: string[] = [];
    await expect
      .poll(
        async () => {
          const status = (await call('GET', `${site}/status`)).json as {
            incidents?: Array<{ id: string }>;
          };
          incidents = (status.incidents ?? []).map((i) => i.id);
          return incidents.length;
        },
        { timeout: 20_000 },
      )
      .toBe(GROUPS);
    incidents.sort((a, b) => Number(/inc(\d+)$/.exec(a)![1]) - Number(/inc(\d+)$/.exec(b)![1]));

    // Every visitor-writable field, per payload.
    const accepted: Record<Field, Set<number>> = Object.fromEntries(
      Object.keys(FIELDS).map((f) => [f, new Set<number>()]),
    ) as Record<Field, Set<number>>;
    const refused: string[] = [];
    const flagger = (await call('POST', `${site}/sessions`, { displayName: 'Flag Person' }, ''))
      .json['token'] as string;
    const pinned = new Set<string>();
    for (const [i] of PAYLOADS.entries()) {
      const incident = incidents[Math.floor(i / PER_INCIDENT)]!;
      let session = await call('POST', `${site}/sessions`, {
        displayName: payload('name', i, 60),
      });
      const named = session.status === 201;
      if (!named) {
        // The name is refused: the other fields still get the payload, under a plain name.
        refused.push(`name ${i}: ${session.status}`);
        session = await call('POST', `${site}/sessions`, { displayName: `Visitor ${i}` });
      }
      const token = session.json['token'] as string;
      const posts = `${site}/incidents/${encodeURIComponent(incident)}/posts`;
      const answer = await call('POST', posts, { kind: 'answer', body: payload('body', i) }, token);
      if (answer.status === 201) {
        accepted.body.add(i);
        if (named) accepted.name.add(i);
      } else refused.push(`body ${i}: ${answer.status}`);
      const workaround = await call(
        'POST',
        posts,
        {
          kind: 'workaround',
          body: `Relay workaround ${marker('title', i)}`,
          workaround: {
            title: `Relay workaround ${payload('title', i, 120)}`,
            steps: [payload('steps', i, 500)],
            component: `c${i}`,
            platform: payload('platform', i, 80),
            risk: 'temporary',
            riskNote: payload('riskNote', i, 280),
          },
        },
        token,
      );
      if (workaround.status === 201) {
        for (const f of ['title', 'steps', 'platform', 'riskNote'] as const) accepted[f].add(i);
        if (named) accepted.name.add(i);
        const id = workaround.json['id'] as string;
        // One pinned workaround per incident reaches the banner.
        if (!pinned.has(incident)) {
          const pin = await call('POST', `${site}/moderation/posts/${id}`, { action: 'pin' });
          if (pin.status === 200) pinned.add(incident);
        }
      } else refused.push(`workaround ${i}: ${workaround.status}`);
      // A flag with a note puts the answer in the moderation console's flagged queue.
      const target = (answer.status === 201 ? answer : workaround).json['id'] as string | undefined;
      if (target) {
        const flag = await call(
          'POST',
          `${site}/posts/${target}/flags`,
          { reason: 'other', note: payload('flagNote', i, 500) },
          flagger,
        );
        if (flag.status === 200 || flag.status === 201) accepted.flagNote.add(i);
        else refused.push(`flag ${i}: ${flag.status}`);
      }
    }
    for (const i of PAYLOADS.keys()) {
      accepted.component.add(i);
      accepted.update.add(i);
      if (i % PER_INCIDENT === 0) accepted.incident.add(i);
    }

    // The visitor page: banner, a thread per incident, the workaround form. No CSP.
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>XSS Cloud status</title><link rel="icon" href="data:,">
<script type="module" src="${server.url}/cdn/lifeboat.js" data-server="${server.url}" data-site="xss"></script></head>
<body><main><h1>XSS Cloud status</h1><lifeboat-banner></lifeboat-banner>
<lifeboat-workaround-form incident="${incidents[0]}"></lifeboat-workaround-form>
${incidents.map((id) => `<lifeboat-thread incident="${id}"></lifeboat-thread>`).join('\n')}
</main></body></html>`;
    const moderationHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Moderation</title><link rel="icon" href="data:,">
<script type="module" src="${server.url}/cdn/lifeboat-moderation.js"></script></head>
<body><main><lifeboat-moderation server="${server.url}" site="xss"></lifeboat-moderation></main></body></html>`;
    const pages = await serveStatic(
      { '/index.html': html, '/moderation.html': moderationHtml },
      port,
    );
    const scans: Scan[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    try {
      const open = async (path: string) => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 2000 } });
        contexts.push(context);
        await context.addInitScript(INIT);
        const page = await context.newPage();
        errors.push(...watchConsole(page));
        page.on('dialog', (d) => {
          dialogs.push(`${d.type()}: ${d.message()}`);
          void d.dismiss();
        });
        await page.goto(pageOrigin + path);
        return page;
      };

      const visitor = await open('/');
      const published = async (incident: string) =>
        (
          (await call('GET', `${site}/incidents/${encodeURIComponent(incident)}/thread?limit=100`))
            .json['posts'] as unknown[]
        ).length;
      const threads = visitor.locator('lifeboat-thread');
      for (const [k, incident] of incidents.entries()) {
        const expected = await published(incident);
        await expect
          .poll(() => threads.nth(k).locator('article').count(), { timeout: 30_000 })
          .toBeGreaterThanOrEqual(expected);
      }
      // Open what can be opened: the banner's details, the form's component list, and typing
      // a title that asks for similar workarounds.
      const banner = visitor.locator('lifeboat-banner');
      for (const button of await banner
        .locator('button[aria-expanded="false"]:not([part="timeline-button"])')
        .all())
        await button.click({ timeout: 2000 }).catch(() => {});
      // Each incident's timeline (every official update), one popover at a time.
      for (const button of await banner.locator('[part="timeline-button"]').all()) {
        await button.click({ timeout: 2000 }).catch(() => {});
        await visitor.waitForTimeout(300);
        scans.push(await scan(visitor));
        await visitor.keyboard.press('Escape');
      }
      const form = visitor.locator('lifeboat-workaround-form');
      await form
        .getByRole('textbox', { name: /title/i })
        .first()
        .fill('Relay workaround')
        .catch(() => {});
      await visitor.waitForTimeout(2000);
      scans.push(await scan(visitor));

      const staff = await open('/moderation.html');
      await staff.evaluate((key) => {
        (document.querySelector('lifeboat-moderation') as unknown as { token: string }).token = key;
      }, ADMIN_KEY);
      const moderation = staff.locator('lifeboat-moderation');
      await expect
        .poll(() => moderation.locator('article[part="item"]').count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      for (const tab of await moderation.getByRole('tab').all()) {
        await tab.click({ timeout: 2000 }).catch(() => {});
        await staff.waitForTimeout(1000);
        scans.push(await scan(staff));
      }
      await staff.waitForTimeout(1000);
      scans.push(await scan(staff));
    } finally {
      await pages.close();
    }

    // Which payload of which field each surface rendered.
    const fieldOf = Object.fromEntries(Object.entries(FIELDS).map(([f, n]) => [n, f])) as Record<
      number,
      Field
    >;
    const rendered = new Map<string, Set<string>>();
    for (const s of scans)
      for (const [surface, text] of Object.entries(s.texts))
        for (const m of text.matchAll(MARKER)) {
          const key = `${fieldOf[Number(m[1])]}:${m[2]}`;
          (rendered.get(surface) ?? rendered.set(surface, new Set()).get(surface)!).add(key);
        }
    const fired = [...new Set(scans.flatMap((s) => s.fired))];
    const active = [...new Set(scans.flatMap((s) => s.active))];
    const pairs = [...rendered.values()].reduce((n, set) => n + set.size, 0);
    const perSurface = [...rendered].map(([surface, set]) => `${surface} ${set.size}`).join(', ');
    const perField = (Object.keys(FIELDS) as Field[])
      .map((f) => {
        const shown = new Set(
          [...rendered.values()].flatMap((set) =>
            [...set].filter((k) => k.startsWith(`${f}:`)).map((k) => k.split(':')[1]),
          ),
        );
        return `${f} ${accepted[f].size} stored / ${shown.size} shown`;
      })
      .join('; ');
    console.log(
      `xss: ${PAYLOADS.length} payloads × ${Object.keys(FIELDS).length} fields; ` +
        `${pairs} payload × surface renderings (${perSurface}); per field: ${perField}; ` +
        `refused by the server (field status×n): ${[
          ...refused.reduce(
            (m, r) => m.set(r.replace(/ \d+:/, ''), (m.get(r.replace(/ \d+:/, '')) ?? 0) + 1),
            new Map<string, number>(),
          ),
        ]
          .map(([k, n]) => `${k}×${n}`)
          .join(', ')}; executed: ${fired.length}; dialogs: ${dialogs.length}; ` +
        `active elements injected: ${active.length}`,
    );
    expect(fired).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(active).toEqual([]);
    // Not vacuous: most payloads were stored and shown, on every surface.
    for (const surface of ['banner', 'thread', 'workaround-form', 'moderation'])
      expect(rendered.get(surface)?.size ?? 0, `${surface} rendered payloads`).toBeGreaterThan(20);
    expect(pairs).toBeGreaterThanOrEqual(PAYLOADS.length * 4);
    expect(errors.filter((e) => /__xss|xq\d+x/.test(e))).toEqual([]);
  }, 400_000);
});
