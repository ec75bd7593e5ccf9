import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdnDirectory, DEMO_PAGES, demoDirectory } from './assets.js';
import { loadConfig } from './config.js';
import { startTestServer, type TestServer } from './testing/harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('assets (ADR 31)', () => {
  it('finds the script-tag bundle through the @lifeboat/elements/cdn/* export', () => {
    // In a checkout the workspace link resolves to the elements package's dist/cdn.
    expect(cdnDirectory()).toBe(path.join(root, 'packages/elements/dist/cdn'));
    expect(loadConfig({ env: {} }).cdnDir).toBe(cdnDirectory());
    expect(loadConfig({ env: { LIFEBOAT_CDN_DIR: '/srv/cdn' } }).cdnDir).toBe('/srv/cdn');
  });

  it('finds each demo page (from examples/ when running from the TypeScript sources)', () => {
    for (const page of DEMO_PAGES) {
      expect(demoDirectory(page)).toBe(path.join(root, 'examples', page));
      expect(fs.existsSync(path.join(demoDirectory(page), 'index.html'))).toBe(true);
    }
    expect(loadConfig({ env: {} }).demoDir).toBe(demoDirectory('status-page'));
  });
});

describe('demo pages served with the default directories', () => {
  let s: TestServer;
  // Seeding the demo site takes a while on a busy machine (more on PostgreSQL).
  beforeAll(async () => {
    s = await startTestServer({ demo: true });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it('serves the status page at /, the moderation page and the insights page', async () => {
    const home = await s.api('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('src="/cdn/lifeboat.js"');
    const moderation = await s.api('/moderation/');
    expect(moderation.status).toBe(200);
    expect(await moderation.text()).toContain('/cdn/lifeboat-moderation.js');
    const insights = await s.api('/insights/');
    expect(insights.status).toBe(200);
    expect(await insights.text()).toContain('/cdn/lifeboat-insights.js');
    expect((await s.api('/moderation/../../package.json')).status).toBe(404);
  });
});
