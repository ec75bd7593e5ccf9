import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { FakeClient } from '../testing/fake-client.js';
import { INCIDENT_ID, sampleStatus } from '../testing/sample-data.js';
import type { LifeboatBanner } from './banner.js';
import './banner.js';

async function banner(client: FakeClient, attrs = html``): Promise<LifeboatBanner> {
  const el = await fixture<LifeboatBanner>(
    html`<lifeboat-banner .client=${client}>${attrs}</lifeboat-banner>`,
  );
  await el.updateComplete;
  return el;
}

const q = <T extends Element = HTMLElement>(el: LifeboatBanner, selector: string): T =>
  el.shadowRoot!.querySelector<T>(selector)!;

describe('<lifeboat-banner>', () => {
  let client: FakeClient;
  beforeEach(() => {
    client = new FakeClient();
  });

  describe('accessibility', () => {
    it('is accessible while loading', async () => {
      const el = await banner(client);
      await expect(el).to.be.accessible();
    });

    for (const impact of ['operational', 'minor', 'major', 'critical'] as const) {
      it(`is accessible with ${impact} status`, async () => {
        client.setStatus(sampleStatus(impact));
        const el = await banner(client);
        await expect(el).to.be.accessible();
      });
    }

    it('is a polite status region for minor incidents', async () => {
      client.setStatus(sampleStatus('minor'));
      const el = await banner(client);
      const region = q(el, '[role="status"]');
      expect(region.getAttribute('aria-live')).to.equal('polite');
    });

    it('raises politeness to assertive for major and critical incidents', async () => {
      for (const impact of ['major', 'critical'] as const) {
        const c = new FakeClient();
        c.setStatus(sampleStatus(impact));
        const el = await banner(c);
        expect(q(el, '[role="status"]').getAttribute('aria-live')).to.equal('assertive');
      }
    });

    it('names the affected button with its count', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      const button = q<HTMLButtonElement>(el, '[part="affected-button"]');
      expect(button.getAttribute('aria-pressed')).to.equal('false');
      expect(button.textContent!.replace(/\s+/g, ' '))
        .to.contain('Affected me too')
        .and.contain('37 affected');
    });
  });

  describe('defaults', () => {
    it('reserves its height with a skeleton before data arrives', async () => {
      const el = await banner(client);
      expect(q(el, '[part="skeleton"]')).to.exist;
      expect(el.getBoundingClientRect().height).to.be.greaterThan(60);
      expect(el.matches(':state(loading)')).to.be.true;
    });

    it('shows a slim "All systems operational" bar without incidents', async () => {
      client.setStatus(sampleStatus('operational'));
      const el = await banner(client);
      expect(q(el, '[part="overall"]').textContent).to.contain('All systems operational');
      expect(q(el, '[part="incident"]')).to.be.null;
      expect(el.matches(':state(operational)')).to.be.true;
    });

    it('shows every open incident with title, impact, phase, components and latest update', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      expect(q(el, '[part="overall"]').textContent).to.contain('Partial outage');
      expect(q(el, '[part="title"]').textContent).to.equal('Elevated API error rates');
      expect(q(el, '[part="impact-badge"]').textContent).to.equal('Major');
      expect(q(el, '[aria-current="step"]').textContent).to.contain('Identified');
      expect(q(el, '[part="components"]').textContent).to.contain('REST API, Webhooks');
      expect(q(el, '[part="meta"]').textContent).to.contain('Updated 12 min ago');
      expect(q(el, '[part="update"]').textContent).to.contain('faulty configuration change');
    });

    it('shows the error state with a retry button', async () => {
      client.$status.set({ state: 'error', error: new Error('x') as never });
      const el = await banner(client);
      const retry = q<HTMLButtonElement>(el, 'button');
      expect(retry.textContent).to.contain('Retry');
      retry.click();
      expect(client.callsOf('retry')).to.have.length(1);
    });
  });

  describe('attributes', () => {
    it('shows only the incident named by the incident attribute', async () => {
      client.setStatus(sampleStatus('minor'));
      const el = await fixture<LifeboatBanner>(
        html`<lifeboat-banner .client=${client} incident=${INCIDENT_ID}></lifeboat-banner>`,
      );
      expect(client.callsOf('incident')[0]).to.deep.equal([INCIDENT_ID]);
      expect(el.shadowRoot!.querySelectorAll('[part="incident"]')).to.have.length(1);
    });

    it('reflects theme', async () => {
      client.setStatus(sampleStatus('operational'));
      const el = await fixture<LifeboatBanner>(
        html`<lifeboat-banner .client=${client} theme="dark"></lifeboat-banner>`,
      );
      expect(getComputedStyle(el).colorScheme).to.equal('dark');
    });
  });

  describe('events', () => {
    it('toggles "affected me too" and updates the count in the name', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      const listener = oneEvent(el, 'lifeboat-affected');
      q<HTMLButtonElement>(el, '[part="affected-button"]').click();
      const event = await listener;
      expect(event.detail).to.deep.equal({ incidentId: INCIDENT_ID, affected: true });
      await el.updateComplete;
      const button = q<HTMLButtonElement>(el, '[part="affected-button"]');
      expect(button.getAttribute('aria-pressed')).to.equal('true');
      expect(button.textContent).to.contain('38 affected');
      expect(client.callsOf('setAffected')).to.deep.equal([[INCIDENT_ID, true]]);
    });

    it('does not call the client when lifeboat-affected is canceled', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      el.addEventListener('lifeboat-affected', (e) => e.preventDefault());
      q<HTMLButtonElement>(el, '[part="affected-button"]').click();
      expect(client.callsOf('setAffected')).to.have.length(0);
    });

    it('links the top workaround to its post in the thread', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      const link = q<HTMLAnchorElement>(el, '[part="workaround-link"]');
      expect(link.getAttribute('href')).to.equal('#lifeboat-post-01HZWORKAROUND00000000000A');
      expect(q(el, '[part="verified-badge"]')).to.exist;
      expect(q(el, '[part="workaround"]').textContent).to.contain('Use the EU endpoint');
      el.addEventListener('lifeboat-navigate', (e) => e.preventDefault());
      const listener = oneEvent(el, 'lifeboat-navigate');
      link.click();
      expect((await listener).detail.postId).to.equal('01HZWORKAROUND00000000000A');
    });
  });

  describe('keyboard', () => {
    it('opens the timeline popover, closes it on Escape and returns focus', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      const button = q<HTMLButtonElement>(el, '[part="timeline-button"]');
      button.focus();
      button.click();
      await el.updateComplete;
      await new Promise((r) => setTimeout(r, 50));
      const popover = q(el, '[part="timeline"]');
      expect(popover).to.exist;
      expect(button.getAttribute('aria-expanded')).to.equal('true');
      expect(popover.style.visibility).to.equal('visible');
      expect(popover.textContent).to.contain('We are investigating');
      await expect(el).to.be.accessible();
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      await el.updateComplete;
      expect(q(el, '[part="timeline"]')).to.be.null;
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '[part="timeline-button"]'));
    });
  });
});
