import type {
  AffectedHistory,
  Impact,
  IncidentPhase,
  Maintenance,
  SiteStatus,
} from '@lifeboat/protocol';
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { nothing } from 'lit';
import { FakeClient } from '../testing/fake-client.js';
import { INCIDENT_ID, sampleStatus } from '../testing/sample-data.js';
import type { LifeboatBanner } from './banner.js';
import './banner.js';

const PHASES: IncidentPhase[] = ['investigating', 'identified', 'monitoring', 'resolved'];
const IMPACTS: Impact[] = ['none', 'minor', 'major', 'critical'];
/** Lets the banner render, measure itself and render again (no frames: tabs may be hidden). */
const settle = async (el: LifeboatBanner) => {
  for (let i = 0; i < 3; i++) {
    await el.updateComplete;
    await Promise.resolve();
  }
};

function maintenance(overrides: Partial<Maintenance> = {}): Maintenance {
  return {
    id: 'statuspage:acme:m1',
    title: 'Database failover',
    status: 'in_progress',
    scheduledFor: new Date(Date.now() - 10 * 60_000).toISOString(),
    scheduledUntil: new Date(Date.now() + 50 * 60_000).toISOString(),
    components: ['dashboard'],
    updates: [
      {
        id: 'mu1',
        status: 'in_progress',
        body: 'Failover in progress; the dashboard may be read-only.',
        createdAt: new Date().toISOString(),
      },
    ],
    ...overrides,
  };
}

function history(counts: number[]): AffectedHistory {
  return {
    incidentId: INCIDENT_ID,
    bucketMinutes: 15,
    buckets: counts.map((count, i) => ({
      start: new Date(Date.now() - (counts.length - i) * 15 * 60_000).toISOString(),
      count,
    })),
  };
}

/** A status whose one incident is changed; counts and sequence move too, like a live stream. */
function changed(status: SiteStatus, change: Partial<SiteStatus['incidents'][number]>): SiteStatus {
  return {
    ...status,
    lastEventId: status.lastEventId + 1,
    incidents: status.incidents.map((i) => ({ ...i, ...change })),
  };
}

/** A banner that expects an incident (the incident height reserved), as most tests want. */
async function banner(client: FakeClient, attrs = html``): Promise<LifeboatBanner> {
  const el = await fixture<LifeboatBanner>(
    html`<lifeboat-banner .client=${client} expect="incident">${attrs}</lifeboat-banner>`,
  );
  await el.updateComplete;
  return el;
}

const q = <T extends Element = HTMLElement>(el: LifeboatBanner, selector: string): T =>
  el.shadowRoot!.querySelector<T>(selector)!;

describe('<lifeboat-banner>', () => {
  let client: FakeClient;
  beforeEach(() => {
    localStorage.clear();
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

    for (const phase of PHASES) {
      it(`is accessible in the ${phase} phase, with the stepper on it`, async () => {
        client.setStatus(sampleStatus('major', { phase }));
        const el = await banner(client, html``);
        await expect(el).to.be.accessible();
        expect(q(el, '[aria-current="step"]').textContent).to.contain(
          phase[0]!.toUpperCase() + phase.slice(1),
        );
      });
    }

    for (const impact of IMPACTS) {
      const loud = impact === 'major' || impact === 'critical';
      it(`is accessible with a ${impact}-impact incident and ${loud ? 'assertive' : 'polite'}`, async () => {
        client.setStatus(sampleStatus(impact));
        const el = await banner(client);
        await expect(el).to.be.accessible();
        expect(q(el, '[role="status"]').getAttribute('aria-live')).to.equal(
          loud ? 'assertive' : 'polite',
        );
        expect(q(el, '[part="impact-badge"]').textContent).to.equal(
          { none: 'No impact', minor: 'Minor', major: 'Major', critical: 'Critical' }[impact],
        );
      });
    }

    it('is accessible with an in-progress maintenance', async () => {
      client.setStatus({ ...sampleStatus('operational'), maintenances: [maintenance()] });
      const el = await banner(client);
      await expect(el).to.be.accessible();
    });

    it('is accessible collapsed, dismissed and with a sparkline', async () => {
      client.setStatus(sampleStatus('major'));
      client.setAffectedHistory(INCIDENT_ID, history([0, 2, 5, 9]));
      const el = await banner(client);
      await expect(el).to.be.accessible();
      q<HTMLButtonElement>(el, '[part="collapse-button"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
      q<HTMLButtonElement>(el, '[part="dismiss-button"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });

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
        html`<lifeboat-banner
          .client=${client}
          incident=${INCIDENT_ID}
          expect="incident"
        ></lifeboat-banner>`,
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

  describe('reserved height', () => {
    /** A banner as a page without a hint gets it: no expect attribute. */
    const plain = async (attrs: Partial<{ expect: string }> = {}) => {
      const el = await fixture<LifeboatBanner>(
        html`<lifeboat-banner
          .client=${client}
          expect=${attrs.expect ?? nothing}
        ></lifeboat-banner>`,
      );
      await settle(el);
      return el;
    };
    const height = (el: LifeboatBanner) => el.getBoundingClientRect().height;

    it('reserves one compact line by default, and a calm status fits it', async () => {
      const el = await plain();
      const loading = height(el);
      expect(loading).to.be.within(40, 80);
      expect(el.matches(':state(incident-reserve)')).to.be.false;
      client.setStatus(sampleStatus('operational'));
      await settle(el);
      await expect(el).to.be.accessible();
      expect(height(el)).to.equal(loading);
      expect(el.matches(':state(clipped)')).to.be.false;
      expect(q(el, '.overall-text').textContent).to.contain('operational');
    });

    it('summarises an incident in the compact line, with "Show details", at the same height', async () => {
      client.setStatus(sampleStatus('operational'));
      const el = await plain();
      const before = height(el);
      const status = sampleStatus('major');
      client.setStatus(status);
      await settle(el);
      await expect(el).to.be.accessible();
      expect(height(el)).to.equal(before);
      expect(el.matches(':state(summary)')).to.be.true;
      expect(el.matches(':state(clipped)')).to.be.false;
      expect(q(el, '[part="title"]').textContent).to.equal(status.incidents[0]!.title);
      expect(q(el, '[part="incident"]')).to.be.null;
      // still announced like any new incident
      expect(q(el, '[role="status"]').textContent).to.contain(status.incidents[0]!.title);
      expect(q(el, '[role="status"]').getAttribute('aria-live')).to.equal('assertive');

      const details = q<HTMLButtonElement>(el, '[part="details-button"]');
      expect(details.getAttribute('aria-expanded')).to.equal('false');
      details.focus();
      details.click();
      await settle(el);
      await el.updateComplete;
      expect(el.matches(':state(summary)')).to.be.false;
      expect(el.matches(':state(incident-reserve)')).to.be.true;
      expect(q(el, '[part="incident"]')).to.exist;
      expect(height(el)).to.be.greaterThan(before + 100);
      // fitted to its content after the visitor's click: nothing hidden
      expect(el.matches(':state(clipped)')).to.be.false;
      expect(el.shadowRoot!.activeElement?.tagName).to.equal('BUTTON');
    });

    it('counts the other open incidents and maintenances in the compact line', async () => {
      const status = sampleStatus('major');
      client.setStatus({
        ...status,
        incidents: [...status.incidents, { ...status.incidents[0]!, id: 'two', title: 'Two' }],
        maintenances: [maintenance()],
      });
      const el = await plain();
      expect(q(el, '.summary').textContent).to.contain('+2 more');
    });

    it('reserves the incident height on the next visit after one with an incident', async () => {
      client.setStatus(sampleStatus('major'));
      const first = await plain();
      const compact = height(first);
      first.remove();
      const second = await plain();
      expect(second.matches(':state(incident-reserve)')).to.be.true;
      expect(second.matches(':state(summary)')).to.be.false;
      expect(height(second)).to.be.greaterThan(compact + 100);
      expect(q(second, '[part="incident"]')).to.exist;
      // what it needed this time is what the visit after reserves: all of it fits
      second.remove();
      const third = await plain();
      expect(third.matches(':state(clipped)')).to.be.false;
      expect(height(third)).to.be.greaterThan(compact + 100);

      // a calm visit: the next one is compact again
      client.setStatus(sampleStatus('operational'));
      await settle(third);
      third.remove();
      const fourth = await plain();
      expect(fourth.matches(':state(incident-reserve)')).to.be.false;
      expect(height(fourth)).to.equal(compact);
    });

    it('follows expect over what the last visit showed', async () => {
      client.setStatus(sampleStatus('major'));
      (await plain()).remove();
      const calm = await plain({ expect: 'calm' });
      expect(calm.matches(':state(summary)')).to.be.true;
      calm.remove();
      client.setStatus(sampleStatus('operational'));
      const incident = await plain({ expect: 'incident' });
      expect(incident.matches(':state(incident-reserve)')).to.be.true;
      expect(height(incident)).to.be.greaterThan(300);
    });

    it('fits its content below the fold, where nothing the visitor sees can move', async () => {
      client.setStatus(sampleStatus('operational'));
      const wrapper = await fixture<HTMLDivElement>(
        html`<div>
          <div style="height: 200vh"></div>
          <lifeboat-banner .client=${client}></lifeboat-banner>
        </div>`,
      );
      const el = wrapper.querySelector('lifeboat-banner')!;
      await settle(el);
      const calm = height(el);
      client.setStatus(sampleStatus('major'));
      await settle(el);
      await settle(el);
      expect(el.matches(':state(summary)')).to.be.false;
      expect(el.matches(':state(clipped)')).to.be.false;
      expect(q(el, '[part="incident"]')).to.exist;
      expect(height(el)).to.be.greaterThan(calm + 100);
      client.setStatus(sampleStatus('operational'));
      await settle(el);
      await settle(el);
      expect(height(el)).to.equal(calm);
    });

    it('warns in development about an unknown expect value', async () => {
      const warn = console.warn;
      const messages: string[] = [];
      console.warn = (m: string) => messages.push(m);
      try {
        await plain({ expect: 'outage' });
      } finally {
        console.warn = warn;
      }
      expect(messages.some((m) => m.includes('expect="outage"'))).to.be.true;
    });
  });

  describe('host-page safety', () => {
    /** A banner whose page reserves less than the sample incident needs. */
    const small = async (c: FakeClient) => {
      const el = await fixture<LifeboatBanner>(
        html`<lifeboat-banner
          .client=${c}
          expect="incident"
          style="--lifeboat-banner-incident-height: 9rem"
        ></lifeboat-banner>`,
      );
      await settle(el);
      return el;
    };

    it('keeps the same height from skeleton to data: no layout shift', async () => {
      const el = await banner(client);
      await settle(el);
      const before = el.getBoundingClientRect().height;
      expect(before).to.be.greaterThan(100);
      client.setStatus(sampleStatus('critical'));
      await settle(el);
      expect(el.getBoundingClientRect().height).to.equal(before);
      client.setStatus(sampleStatus('operational'));
      await settle(el);
      expect(el.getBoundingClientRect().height).to.equal(before);
    });

    it('offers "Show all" when the content is taller than the reserved height', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await small(client);
      await settle(el);
      expect(el.matches(':state(clipped)')).to.be.true;
      const showAll = q<HTMLButtonElement>(el, '[part="show-all-button"]');
      expect(showAll.getAttribute('aria-expanded')).to.equal('false');
      const before = el.getBoundingClientRect().height;
      showAll.click();
      await settle(el);
      expect(el.matches(':state(expanded)')).to.be.true;
      expect(el.getBoundingClientRect().height).to.be.greaterThan(before);
      expect(q(el, '[part="show-all-button"]').getAttribute('aria-expanded')).to.equal('true');
    });

    it('reserves, on the next visit, the height the content needed', async () => {
      client.setStatus(sampleStatus('major'));
      const first = await small(client);
      await settle(first);
      q<HTMLButtonElement>(first, '[part="show-all-button"]').click();
      await settle(first);
      const needed = first.getBoundingClientRect().height;
      first.remove();
      const again = await fixture<LifeboatBanner>(
        html`<lifeboat-banner .client=${client}></lifeboat-banner>`,
      );
      await settle(again);
      expect(again.matches(':state(clipped)')).to.be.false;
      expect(Math.abs(again.getBoundingClientRect().height - needed)).to.be.lessThan(
        // The expanded card also holds the "Show less" row.
        60,
      );
    });

    it('expands when keyboard focus reaches a control below the fold', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await small(client);
      await settle(el);
      const link = q<HTMLAnchorElement>(el, '[part="workaround-link"]');
      link.focus();
      // A background tab (tests run two at a time) moves focus without firing focus events.
      if (!document.hasFocus())
        link.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
      await settle(el);
      expect(el.matches(':state(expanded)')).to.be.true;
    });
  });

  describe('announcements', () => {
    const live = (el: LifeboatBanner) => q(el, '[role="status"]').textContent!.trim();

    it('announces nothing on first load or when only counts change', async () => {
      const status = sampleStatus('major');
      client.setStatus(status);
      const el = await banner(client);
      expect(live(el)).to.equal('');
      client.setStatus(changed(status, { affectedCount: 99, postCount: 12 }));
      await el.updateComplete;
      el.requestUpdate();
      await el.updateComplete;
      expect(live(el)).to.equal('');
    });

    it('announces a phase change, an impact change, a new update and a resolution', async () => {
      const status = sampleStatus('minor');
      client.setStatus(status);
      const el = await banner(client);
      const monitoring = changed(status, { phase: 'monitoring' });
      client.setStatus(monitoring);
      await el.updateComplete;
      expect(live(el)).to.equal('Elevated API error rates: now Monitoring.');
      const major = changed(monitoring, { impact: 'major' });
      client.setStatus(major);
      await el.updateComplete;
      expect(live(el)).to.equal('Elevated API error rates: impact now Major.');
      expect(q(el, '[role="status"]').getAttribute('aria-live')).to.equal('assertive');
      const update = {
        id: 'u3',
        phase: 'monitoring' as const,
        body: 'A fix is deployed; error rates are dropping.',
        createdAt: new Date().toISOString(),
      };
      const updated = changed(major, { updates: [update, ...major.incidents[0]!.updates] });
      client.setStatus(updated);
      await el.updateComplete;
      expect(live(el)).to.contain('official update: A fix is deployed');
      client.setStatus({ ...updated, incidents: [], severity: 'operational' });
      await el.updateComplete;
      expect(live(el)).to.equal('Resolved: Elevated API error rates.');
    });

    it('announces a new incident', async () => {
      client.setStatus(sampleStatus('operational'));
      const el = await banner(client);
      client.setStatus(sampleStatus('critical'));
      await el.updateComplete;
      expect(live(el)).to.equal('New incident, Critical: Elevated API error rates. Identified.');
    });
  });

  describe('lifeboat-status-change', () => {
    it('fires, bubbling and composed, when the status is known and on real changes only', async () => {
      const events: CustomEvent<SiteStatus>[] = [];
      const listener = (e: Event) => events.push(e as CustomEvent<SiteStatus>);
      document.addEventListener('lifeboat-status-change', listener);
      try {
        const status = sampleStatus('major');
        const el = await banner(client);
        expect(events).to.have.length(0);
        client.setStatus(status);
        await el.updateComplete;
        expect(events).to.have.length(1);
        expect(events[0]!.bubbles && events[0]!.composed).to.be.true;
        expect(events[0]!.cancelable).to.be.false;
        expect(events[0]!.detail.incidents[0]!.id).to.equal(INCIDENT_ID);
        client.setStatus(changed(status, { affectedCount: 120 }));
        await el.updateComplete;
        expect(events).to.have.length(1);
        client.setStatus(changed(status, { phase: 'monitoring' }));
        await el.updateComplete;
        expect(events).to.have.length(2);
        expect(events[1]!.detail.incidents[0]!.phase).to.equal('monitoring');
        client.setStatus({
          ...status,
          components: status.components.map((c) => ({ ...c, status: 'major_outage' as const })),
        });
        await el.updateComplete;
        expect(events).to.have.length(3);
      } finally {
        document.removeEventListener('lifeboat-status-change', listener);
      }
    });
  });

  describe('dismiss and collapse', () => {
    it('collapses an incident to its title and remembers it', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      const toggle = q<HTMLButtonElement>(el, '[part="collapse-button"]');
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      toggle.click();
      await el.updateComplete;
      expect(q(el, '[part="update"]')).to.be.null;
      expect(q(el, '[part="title"]').textContent).to.equal('Elevated API error rates');
      expect(q(el, '[part="phase-badge"]').textContent).to.equal('Identified');
      expect(q(el, '[part="collapse-button"]').getAttribute('aria-expanded')).to.equal('false');
      el.remove();
      const again = await banner(client);
      expect(q(again, '[part="update"]')).to.be.null;
      q<HTMLButtonElement>(again, '[part="collapse-button"]').click();
      await again.updateComplete;
      expect(q(again, '[part="update"]')).to.exist;
    });

    it('dismisses an incident until its phase or impact changes', async () => {
      const status = sampleStatus('major');
      client.setStatus(status);
      const el = await banner(client);
      q<HTMLButtonElement>(el, '[part="dismiss-button"]').click();
      await el.updateComplete;
      expect(q(el, '[part="incident"]')).to.be.null;
      const show = q<HTMLButtonElement>(el, '[part="show-dismissed-button"]');
      expect(show.textContent).to.contain('Show 1 dismissed incident');
      expect(el.shadowRoot!.activeElement).to.equal(show);
      // Still dismissed after a reload and when only counts change.
      el.remove();
      const again = await banner(client);
      expect(q(again, '[part="incident"]')).to.be.null;
      client.setStatus(changed(status, { affectedCount: 50 }));
      await again.updateComplete;
      expect(q(again, '[part="incident"]')).to.be.null;
      // Shown again on demand…
      q<HTMLButtonElement>(again, '[part="show-dismissed-button"]').click();
      await again.updateComplete;
      expect(q(again, '[part="incident"]')).to.exist;
      q<HTMLButtonElement>(again, '[part="show-dismissed-button"]').click();
      await again.updateComplete;
      expect(q(again, '[part="incident"]')).to.be.null;
      // …and back for good when the phase moves on.
      client.setStatus(changed(status, { phase: 'monitoring' }));
      await again.updateComplete;
      expect(q(again, '[part="incident"]')).to.exist;
      expect(q(again, '[part="show-dismissed-button"]')).to.be.null;
    });

    it('fits the card to what is left after the visitor collapses or dismisses', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      await settle(el);
      const before = el.getBoundingClientRect().height;
      q<HTMLButtonElement>(el, '[part="collapse-button"]').click();
      await settle(el);
      const collapsed = el.getBoundingClientRect().height;
      expect(collapsed).to.be.lessThan(before - 50);
      q<HTMLButtonElement>(el, '[part="dismiss-button"]').click();
      await settle(el);
      expect(el.getBoundingClientRect().height).to.be.lessThan(collapsed);
      // Later data does not resize it again.
      client.setStatus(changed(sampleStatus('major'), { affectedCount: 80 }));
      await settle(el);
      expect(el.getBoundingClientRect().height).to.be.lessThan(collapsed);
    });

    it('brings a dismissed incident back when its impact changes', async () => {
      const status = sampleStatus('minor');
      client.setStatus(status);
      const el = await banner(client);
      q<HTMLButtonElement>(el, '[part="dismiss-button"]').click();
      await el.updateComplete;
      expect(q(el, '[part="incident"]')).to.be.null;
      client.setStatus(changed(status, { impact: 'critical' }));
      await el.updateComplete;
      expect(q(el, '[part="incident"]')).to.exist;
    });
  });

  describe('maintenance', () => {
    it('shows an in-progress maintenance with its components and latest update', async () => {
      client.setStatus({
        ...sampleStatus('operational'),
        severity: 'maintenance',
        maintenances: [
          maintenance(),
          maintenance({ id: 'm2', title: 'Later', status: 'scheduled' }),
        ],
      });
      const el = await banner(client);
      const sections = el.shadowRoot!.querySelectorAll('[part="maintenance"]');
      expect(sections).to.have.length(1);
      expect(sections[0]!.textContent).to.contain('Maintenance in progress');
      expect(sections[0]!.textContent).to.contain('Database failover');
      expect(sections[0]!.textContent).to.contain('Dashboard');
      expect(sections[0]!.textContent).to.contain('read-only');
      expect(q(el, '[part="overall"]').textContent).to.contain('Under maintenance');
      expect(el.matches(':state(maintenance)')).to.be.true;
    });

    it('works without the maintenances field', async () => {
      const status = sampleStatus('major');
      delete status.maintenances;
      client.setStatus(status);
      const el = await banner(client);
      expect(q(el, '[part="maintenance"]')).to.be.null;
      expect(el.matches(':state(maintenance)')).to.be.false;
    });
  });

  describe('sparkline', () => {
    it('draws "affected" reports over the last hours next to the button', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      expect(q(el, '[part="sparkline"]')).to.be.null;
      client.setAffectedHistory(INCIDENT_ID, history([0, 1, 1, 3, 2, 8, 0, 0, 4, 6, 7, 5]));
      await el.updateComplete;
      const spark = q(el, '[part="sparkline"]');
      expect(spark.getAttribute('role')).to.equal('img');
      expect(spark.getAttribute('aria-label')).to.equal('37 reports in the last 3 hours');
      const points = spark.querySelector('.spark-line')!.getAttribute('points')!.split(' ');
      expect(points).to.have.length(12);
      const ys = points.map((p) => Number(p.split(',')[1]));
      // The highest bucket is the highest point (smallest y).
      expect(Math.min(...ys)).to.equal(ys[5]);
    });
  });

  describe('direct mode', () => {
    const STATUS_URL = 'https://status.example.test/api/v2/summary.json';
    let realFetch: typeof fetch;
    let requested: string[];

    beforeEach(async () => {
      realFetch = window.fetch;
      const fixture = await (
        await realFetch(new URL('../testing/statuspage-summary-critical.json', import.meta.url))
      ).text();
      requested = [];
      window.fetch = async (input: RequestInfo | URL) => {
        requested.push(String(input));
        return new Response(fixture, { headers: { 'content-type': 'application/json' } });
      };
    });
    afterEach(() => {
      window.fetch = realFetch;
    });

    it('reads the status page directly and hides what needs a Lifeboat server', async () => {
      const el = await fixture<LifeboatBanner>(
        html`<lifeboat-banner status-url=${STATUS_URL} expect="incident"></lifeboat-banner>`,
      );
      await waitUntil(() => q(el, '[part="incident"]') !== null);
      await expect(el).to.be.accessible();
      expect(requested[0]).to.equal(STATUS_URL);
      expect(el.matches(':state(direct)')).to.be.true;
      expect(q(el, '[part="title"]').textContent).to.equal('Unplanned Database Outage');
      expect(q(el, '[part="impact-badge"]').textContent).to.equal('Critical');
      expect(q(el, '[aria-current="step"]').textContent).to.contain('Identified');
      expect(q(el, '[role="status"]').getAttribute('aria-live')).to.equal('assertive');
      expect(q(el, '[part="affected-button"]')).to.be.null;
      expect(q(el, '[part="workaround"]')).to.be.null;
      expect(q(el, '[part="timeline-button"]')).to.exist;
      expect(q(el, '[part="maintenance"]').textContent).to.contain('Web Tier Recycle');
    });
  });

  describe('early warning (calm state)', () => {
    const plain = async () => {
      const el = await fixture<LifeboatBanner>(
        html`<lifeboat-banner .client=${client}></lifeboat-banner>`,
      );
      await settle(el);
      return el;
    };
    const height = (el: LifeboatBanner) => el.getBoundingClientRect().height;
    const signal = {
      spikeId: '01JSPIKE000000000000000000',
      component: 'api',
      componentName: 'REST API',
      since: new Date().toISOString(),
    };

    it('one tap reports, then an optional component, all in the reserved line', async () => {
      client.setStatus(sampleStatus('operational'));
      const el = await plain();
      const before = height(el);
      const button = q<HTMLButtonElement>(el, '[part="report-problem-button"]');
      expect(button.textContent).to.contain('Something not working?');
      await expect(el).to.be.accessible();
      button.click();
      await waitUntil(() => q(el, '[part="report-component"]'));
      await settle(el);
      expect(client.calls.filter((c) => c.method === 'reportProblem')).to.deep.equal([
        { method: 'reportProblem', args: [null] },
      ]);
      expect(q(el, '[part="announcer"]').textContent).to.contain('your report was sent');
      const select = q<HTMLSelectElement>(el, '[part="report-component"]');
      expect(el.shadowRoot!.activeElement).to.equal(select);
      expect([...select.options].map((o) => o.value)).to.deep.equal([
        '',
        'api',
        'webhooks',
        'dashboard',
      ]);
      await expect(el).to.be.accessible();
      expect(height(el)).to.equal(before);
      select.value = 'webhooks';
      select.dispatchEvent(new Event('change'));
      await settle(el);
      expect(client.calls.filter((c) => c.method === 'reportProblem').at(-1)).to.deep.equal({
        method: 'reportProblem',
        args: ['webhooks'],
      });
      expect(q(el, '[part="report-status"]').textContent).to.contain('Thanks');
      expect(q(el, '[part="announcer"]').textContent).to.contain('Webhooks');
      expect(height(el)).to.equal(before);
    });

    it('shows "Others are reporting problems with …" only when the server says it is corroborated', async () => {
      client.setStatus(sampleStatus('operational'));
      const quiet = await plain();
      await waitUntil(() => client.calls.some((c) => c.method === 'signals'));
      await settle(quiet);
      expect(q(quiet, '[part="signal"]')).to.be.null;
      expect(q(quiet, '.site').textContent).to.contain('Acme Cloud');
      quiet.remove();

      client.publicSignals = [signal];
      const el = await plain();
      const before = height(el);
      await waitUntil(() => q(el, '[part="signal"]'));
      await settle(el);
      expect(q(el, '[part="signal"]').textContent).to.contain(
        'Others are reporting problems with REST API',
      );
      expect(height(el)).to.equal(before);
      await expect(el).to.be.accessible();
    });

    it('keeps the calm line one line at 320 px, whatever the status text', async () => {
      client.setStatus({ ...sampleStatus('operational'), severity: 'major' });
      const el = await fixture<LifeboatBanner>(
        html`<div style="width: 320px">
          <lifeboat-banner .client=${client}></lifeboat-banner>
        </div>`,
      ).then((d) => d.querySelector('lifeboat-banner')!);
      await settle(el);
      const button = q(el, '[part="report-problem-button"]');
      const text = q(el, '.overall-text');
      expect(el.matches(':state(clipped)')).to.be.false;
      expect(
        Math.abs(button.getBoundingClientRect().top - text.getBoundingClientRect().top),
      ).to.be.below(12);
      expect(text.getBoundingClientRect().height).to.be.below(30);
      await expect(el).to.be.accessible();
    });

    it('is not offered during an incident, nor in direct mode', async () => {
      client.setStatus(sampleStatus('major'));
      const el = await banner(client);
      await settle(el);
      expect(q(el, '[part="report-problem-button"]')).to.be.null;
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
      // Positioning (floating-ui) loads on the first open: the popover shows once placed.
      await waitUntil(() => q(el, '[part="timeline"]')?.style.visibility === 'visible');
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
