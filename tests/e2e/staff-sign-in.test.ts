/**
 * Staff sign-in in a real browser: the demo moderation page, "Sign in with Acme SSO", the login
 * and consent screens of a real OpenID Connect provider (oidc-provider on loopback), back on the
 * page with the queue live; the one-time code gone from the address bar; sign out. A user with no
 * mapped role reads why on the provider's way back. Real server (`lifeboat start --demo`), the
 * built modules, real Chromium. Screenshots of the sign-in screen go to $LIFEBOAT_SCREENSHOTS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  freePort,
  launchChromium,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';
import {
  startOidcProvider,
  type OidcTestProvider,
} from '../../packages/server/src/testing/oidc-test-provider.js';

let server: RunningServer;
let provider: OidcTestProvider;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const client = {
    client_id: 'lifeboat',
    client_secret: 'lifeboat-e2e-client-secret-0123',
    redirect_uris: [`${origin}/v1/staff/sso/callback`],
  };
  provider = await startOidcProvider([client], {
    ana: { name: 'Ana Support', email: 'ana@acme.test', groups: ['support'] },
    bob: { name: 'Bob Sales', email: 'bob@acme.test', groups: ['sales'] },
  });
  server = await startLifeboat(
    {
      LIFEBOAT_PUBLIC_ORIGIN: origin,
      LIFEBOAT_OIDC_ISSUER: provider.issuer,
      LIFEBOAT_OIDC_CLIENT_ID: client.client_id,
      LIFEBOAT_OIDC_CLIENT_SECRET: client.client_secret,
      LIFEBOAT_OIDC_NAME: 'Acme SSO',
      LIFEBOAT_OIDC_SCOPES: 'openid profile email groups',
      LIFEBOAT_OIDC_ROLES: JSON.stringify({
        demo: [{ claim: 'groups', value: 'support', role: 'moderator' }],
      }),
    },
    port,
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
  await provider?.close();
});

async function open(
  path: string,
  width = 1280,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  contexts.push(context);
  const page = await context.newPage();
  // The provider's development screens import a web font; nothing leaves loopback.
  await page.route(/fonts\.googleapis\.com/, (route) => route.abort());
  const errors = watchConsole(page);
  await page.goto(server.url + path);
  return { page, errors };
}

const moderation = (page: Page) => page.locator('lifeboat-moderation');

async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('staff sign-in with the company identity provider', () => {
  it('"Sign in with Acme SSO" on the moderation page ends on the live queue; sign out', async () => {
    const { page, errors } = await open('/moderation/');
    const button = moderation(page).getByRole('button', { name: 'Sign in with Acme SSO' });
    await expect.poll(() => button.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(errors).toEqual([]);
    await button.click();
    await page.waitForURL((url) => url.href.startsWith(provider.issuer), { timeout: 20_000 });
    await signInAtProvider(page, 'ana');
    await page.waitForURL((url) => url.pathname === '/moderation/', { timeout: 20_000 });
    // (The provider's screens logged their aborted web font; from here on, nothing.)
    errors.length = 0;
    await expect
      .poll(() => moderation(page).locator('[part="connection"]').textContent(), {
        timeout: 20_000,
      })
      .toContain('Live');
    await expect
      .poll(() => moderation(page).locator('[part="queue"], .empty').count())
      .toBeGreaterThan(0);
    // The one-time code left the address bar (and history) at once.
    expect(page.url()).toBe(`${server.url}/moderation/`);
    expect(await page.locator('#signed-in-as').textContent()).toBe(
      'Signed in as Ana Support (moderator).',
    );
    // A reload keeps the session (this tab's storage), like a pasted token.
    await page.reload();
    await expect
      .poll(() => moderation(page).locator('[part="connection"]').textContent(), {
        timeout: 20_000,
      })
      .toContain('Live');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => button.isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('a user without a mapped role reads why', async () => {
    const { page } = await open('/moderation/');
    const button = moderation(page).getByRole('button', { name: 'Sign in with Acme SSO' });
    await expect.poll(() => button.isVisible(), { timeout: 20_000 }).toBe(true);
    await button.click();
    await signInAtProvider(page, 'bob');
    await expect
      .poll(() => page.locator('main').textContent(), { timeout: 20_000 })
      .toContain('You signed in as Bob Sales, but your account has no staff or moderator role');
    expect(await page.locator('h1').textContent()).toBe('No staff role on this site');
    await page.getByRole('link', { name: 'Back to the console' }).click();
    await expect.poll(() => button.isVisible(), { timeout: 20_000 }).toBe(true);
  });

  it('the sign-in screens, light and dark, phone and desktop', async () => {
    const dir = process.env['LIFEBOAT_SCREENSHOTS'];
    for (const path of ['/moderation/', '/insights/'])
      for (const width of [375, 1280])
        for (const scheme of ['light', 'dark'] as const) {
          const { page } = await open(path, width, scheme);
          const tag = path === '/moderation/' ? 'lifeboat-moderation' : 'lifeboat-insights';
          const button = page.locator(tag).getByRole('button', { name: 'Sign in with Acme SSO' });
          await expect.poll(() => button.isVisible(), { timeout: 20_000 }).toBe(true);
          if (dir)
            await page.screenshot({
              path: `${dir}/sign-in${path.replace(/\//g, '-')}${width}-${scheme}.png`,
              fullPage: true,
            });
          await page.context().close();
        }
  }, 120_000);
});
