import { expect, fixture, html } from '@open-wc/testing';
import { FakeClient } from '../testing/fake-client.js';
import { sampleStatus } from '../testing/sample-data.js';
import type { LifeboatBanner } from '../banner/banner.js';
import '../banner/banner.js';
import '../subscribe/subscribe.js';

declare function before(fn: (this: { timeout(ms: number): void }) => Promise<void>): void;
declare function after(fn: () => void): void;

/** The text colour the host resolves (`--_text`): one value per scheme. */
const DARK_TEXT = 'rgb(236, 238, 242)';
const LIGHT_TEXT = 'rgb(22, 24, 29)';
const os = (): 'dark' | 'light' =>
  matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

/** Lets the MutationObserver's batch run, then Lit render. */
async function settle(el: LifeboatBanner): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
  await el.updateComplete;
}

function schemeOf(el: Element): 'dark' | 'light' {
  const color = getComputedStyle(el).color;
  if (color === DARK_TEXT) return 'dark';
  if (color === LIGHT_TEXT) return 'light';
  throw new Error(`unexpected text colour ${color}`);
}

async function banner(theme?: string): Promise<LifeboatBanner> {
  const client = new FakeClient();
  client.setStatus(sampleStatus('major'));
  const el = await fixture<LifeboatBanner>(
    theme
      ? html`<lifeboat-banner .client=${client} theme=${theme}></lifeboat-banner>`
      : html`<lifeboat-banner .client=${client}></lifeboat-banner>`,
  );
  await settle(el);
  return el;
}

const root = document.documentElement;

function clean(): void {
  for (const element of [root, document.body]) {
    for (const name of ['data-theme', 'data-color-scheme', 'data-bs-theme', 'data-mode']) {
      element.removeAttribute(name);
    }
    element.classList.remove('dark', 'light', 'theme-dark', 'dark-mode', 'light-mode');
    element.style.removeProperty('color-scheme');
  }
}

describe('theme="auto" follows the host page', () => {
  // axe loads once per file: slow on a busy machine.
  before(async function () {
    this.timeout(60_000);
    await expect(await fixture(html`<p>Warm-up</p>`)).to.be.accessible();
  });
  beforeEach(() => {
    localStorage.clear();
    clean();
  });
  after(clean);

  it('follows the OS when the page says nothing', async () => {
    const el = await banner();
    expect(schemeOf(el)).to.equal(os());
  });

  it('follows a host toggle (data-theme on <html>) live, accessible in both schemes', async () => {
    const el = await banner();
    const other = os() === 'dark' ? 'light' : 'dark';

    root.dataset.theme = other;
    await settle(el);
    expect(schemeOf(el)).to.equal(other);
    await expect(el).to.be.accessible();

    root.dataset.theme = os();
    await settle(el);
    expect(schemeOf(el)).to.equal(os());
    await expect(el).to.be.accessible();

    root.dataset.theme = 'dark';
    await settle(el);
    expect(schemeOf(el)).to.equal('dark');
    root.dataset.theme = 'light';
    await settle(el);
    expect(schemeOf(el)).to.equal('light');
    await expect(el).to.be.accessible();
  });

  it('reads the documented conventions on <html> and <body>', async () => {
    const el = await banner();
    const cases: Array<[() => void, 'dark' | 'light']> = [
      [() => root.classList.add('dark'), 'dark'],
      [() => document.body.classList.add('light-mode'), 'light'],
      [() => root.setAttribute('data-bs-theme', 'dark'), 'dark'],
      [() => document.body.setAttribute('data-color-scheme', 'light'), 'light'],
      [() => root.setAttribute('data-mode', 'dark'), 'dark'],
      [() => document.body.classList.add('theme-dark'), 'dark'],
    ];
    for (const [apply, expected] of cases) {
      clean();
      apply();
      await settle(el);
      expect(schemeOf(el), apply.toString()).to.equal(expected);
    }
  });

  it('<body> wins over <html>; unknown values are ignored', async () => {
    const el = await banner();
    root.dataset.theme = 'dark';
    document.body.dataset.theme = 'light';
    await settle(el);
    expect(schemeOf(el)).to.equal('light');
    document.body.dataset.theme = 'sepia';
    await settle(el);
    expect(schemeOf(el)).to.equal('dark');
  });

  it("follows the page's computed color-scheme when it names one scheme", async () => {
    const el = await banner();
    root.style.colorScheme = 'dark';
    await settle(el);
    expect(schemeOf(el)).to.equal('dark');
    root.style.colorScheme = 'only light';
    await settle(el);
    expect(schemeOf(el)).to.equal('light');
    root.style.colorScheme = 'light dark';
    await settle(el);
    expect(schemeOf(el)).to.equal(os());
  });

  it('theme="light" and theme="dark" opt out of the host page', async () => {
    const light = await banner('light');
    const dark = await banner('dark');
    root.dataset.theme = 'dark';
    await settle(light);
    expect(schemeOf(light)).to.equal('light');
    root.dataset.theme = 'light';
    await settle(dark);
    expect(schemeOf(dark)).to.equal('dark');
    // And back to auto: the page decides again.
    light.theme = 'auto';
    root.dataset.theme = 'dark';
    await settle(light);
    expect(schemeOf(light)).to.equal('dark');
  });

  it('every connected element follows; a disconnected one stops listening', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <lifeboat-banner .client=${new FakeClient()}></lifeboat-banner>
        <lifeboat-email-updates .client=${new FakeClient()}></lifeboat-email-updates>
      </div>
    `);
    const [a, b] = [...wrapper.children] as LifeboatBanner[];
    await settle(a!);
    root.classList.add('dark');
    await settle(a!);
    expect(schemeOf(a!)).to.equal('dark');
    expect(schemeOf(b!)).to.equal('dark');

    b!.remove();
    root.classList.remove('dark');
    root.classList.add('light');
    await settle(a!);
    expect(schemeOf(a!)).to.equal('light');
    document.body.append(b!);
    await settle(b!);
    // Reconnected: it reads the page again at once.
    expect(schemeOf(b!)).to.equal('light');
    b!.remove();
  });
});

describe('theme presets (themes/*.css)', () => {
  const presets: Array<[string, string]> = [
    ['neutral', ''],
    ['brand', ''],
    ['brand', '--lifeboat-brand: #facc15'],
    ['brand', '--lifeboat-brand: #0b1f4d'],
    ['high-contrast', ''],
  ];
  let style: HTMLStyleElement;
  before(async function () {
    this.timeout(60_000);
    const sheets = await Promise.all(
      ['neutral', 'brand', 'high-contrast'].map(async (name) => {
        const response = await fetch(new URL(`../themes/${name}.css`, import.meta.url));
        if (!response.ok) throw new Error(`${name}.css: ${response.status}`);
        return response.text();
      }),
    );
    style = document.createElement('style');
    style.textContent = sheets.join('\n');
    document.head.append(style);
    await expect(await fixture(html`<p>Warm-up</p>`)).to.be.accessible();
  });
  beforeEach(() => {
    localStorage.clear();
    clean();
  });
  after(() => style.remove());

  for (const [preset, inline] of presets) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${preset}${inline ? ` (${inline})` : ''} keeps 4.5:1 in ${scheme}`, async () => {
        const client = new FakeClient();
        client.setStatus(sampleStatus('major'));
        const wrapper = await fixture<HTMLDivElement>(html`
          <div class="lifeboat-theme-${preset}" style=${inline}>
            <lifeboat-banner .client=${client} theme=${scheme}></lifeboat-banner>
          </div>
        `);
        const el = wrapper.firstElementChild as LifeboatBanner;
        await settle(el);
        // The preset applies: its text colour is not the default one.
        expect(getComputedStyle(el).color).not.to.equal(scheme === 'dark' ? DARK_TEXT : LIGHT_TEXT);
        if (preset === 'high-contrast') {
          expect(getComputedStyle(el).color).to.equal(
            scheme === 'dark' ? 'rgb(255, 255, 255)' : 'rgb(0, 0, 0)',
          );
        }
        await expect(el).to.be.accessible();
      });
    }
  }
});
