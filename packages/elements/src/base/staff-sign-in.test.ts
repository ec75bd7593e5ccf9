/**
 * "Sign in with <provider>" in the staff consoles, and the way back (the one-time code taken out
 * of the address bar and traded with this tab's verifier). The server's answers are stubbed here
 * (`fetch`); the real flow against a real provider is tests/e2e/staff-sign-in.test.ts.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { LifeboatModeration } from '../moderation/moderation.js';
import type { LifeboatInsights } from '../insights/insights.js';
import '../moderation/moderation.js';
import '../insights/insights.js';

const realFetch = window.fetch;
const calls: Array<{ url: string; body?: string }> = [];

function serve(session?: Record<string, unknown>): void {
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, body: init?.body as string | undefined });
    if (url.endsWith('/v1/staff/sso'))
      return new Response(JSON.stringify({ name: 'Acme SSO' }), { status: 200 });
    if (url.endsWith('/v1/staff/sso/session'))
      return session
        ? new Response(JSON.stringify(session), { status: 200 })
        : new Response(
            JSON.stringify({ detail: 'The sign-in code was already used. Sign in again.' }),
            {
              status: 401,
            },
          );
    return new Response('{}', { status: 404 });
  };
}

const text = (node: Element | ShadowRoot): string => node.textContent!.replace(/\s+/g, ' ').trim();

afterEach(() => {
  window.fetch = realFetch;
  calls.length = 0;
  sessionStorage.clear();
});

describe('staff sign-in in the consoles', () => {
  before(async () => {
    // axe's first run is slow (as in the components' own tests).
    await expect(await fixture(html`<p>Warm-up</p>`)).to.be.accessible();
  });

  for (const theme of ['light', 'dark']) {
    it(`<lifeboat-moderation> offers "Sign in with Acme SSO" (${theme}), accessible`, async () => {
      serve();
      const el = await fixture<LifeboatModeration>(
        html`<lifeboat-moderation site="acme" theme=${theme}></lifeboat-moderation>`,
      );
      await waitUntil(() => el.shadowRoot!.querySelector('[part="sign-in"]'));
      const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part="sign-in"]')!;
      expect(text(button)).to.equal('Sign in with Acme SSO');
      expect(text(el.shadowRoot!.querySelector('[part="notice"]')!)).to.contain(
        'Sign in with your company account',
      );
      await expect(el).to.be.accessible();
    });

    it(`<lifeboat-insights> offers "Sign in with Acme SSO" (${theme}), accessible`, async () => {
      serve();
      const el = await fixture<LifeboatInsights>(
        html`<lifeboat-insights site="acme" theme=${theme}></lifeboat-insights>`,
      );
      await waitUntil(() => el.shadowRoot!.querySelector('[part="sign-in"]'));
      expect(text(el.shadowRoot!.querySelector('[part="sign-in"]')!)).to.equal(
        'Sign in with Acme SSO',
      );
      await expect(el).to.be.accessible();
    });
  }
});

// The way back runs once per page (several consoles share it), so one test covers it.
describe('back from the identity provider', () => {
  it('takes the code out of the address bar, trades it with the verifier, sets the token and tells the page', async () => {
    const before = location.href;
    sessionStorage.setItem('lifeboat:staff-sign-in:verifier', 'v'.repeat(43));
    history.replaceState(null, '', `${location.pathname}${location.search}#lifeboat_sso=CODE123`);
    serve({
      token: 'staff-token',
      site: 'acme',
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      member: { id: 'm1', displayName: 'Ana Support', role: 'moderator' },
    });
    const seen: CustomEvent[] = [];
    const onSignIn = (e: Event) => seen.push(e as CustomEvent);
    document.addEventListener('lifeboat-staff-sign-in', onSignIn);
    try {
      const el = await fixture<LifeboatModeration>(
        html`<lifeboat-moderation site="acme"></lifeboat-moderation>`,
      );
      await waitUntil(() => seen.length === 1);
      expect(location.hash).to.equal('');
      expect(location.href).to.equal(before.split('#')[0]);
      const exchange = calls.find((c) => c.url.endsWith('/v1/staff/sso/session'))!;
      expect(JSON.parse(exchange.body!)).to.deep.equal({
        code: 'CODE123',
        verifier: 'v'.repeat(43),
      });
      expect(sessionStorage.getItem('lifeboat:staff-sign-in:verifier')).to.equal(null);
      expect(el.token).to.equal('staff-token');
      expect(seen[0]!.detail.member.displayName).to.equal('Ana Support');
    } finally {
      document.removeEventListener('lifeboat-staff-sign-in', onSignIn);
    }
  });
});
