import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { FakeLifeboatError } from '../testing/fake-error.js';
import { FakeInsights, sampleInsights, sampleReport } from '../testing/fake-insights.js';
import type { LifeboatInsights } from './insights.js';
import './insights.js';

const root = (el: LifeboatInsights): ShadowRoot => el.shadowRoot!;
const q = <T extends Element = HTMLElement>(el: LifeboatInsights, selector: string): T =>
  root(el).querySelector<T>(selector)!;
const qa = <T extends Element = HTMLElement>(el: LifeboatInsights, selector: string): T[] => [
  ...root(el).querySelectorAll<T>(selector),
];
const text = (node: Element | ShadowRoot): string => node.textContent!.replace(/\s+/g, ' ').trim();
const button = (el: LifeboatInsights, label: string): HTMLButtonElement =>
  qa<HTMLButtonElement>(el, 'button').find(
    (b) => text(b) === label || b.getAttribute('aria-label') === label,
  )!;
const tile = (scope: Element, label: string): string =>
  text(
    [...scope.querySelectorAll('.tile')]
      .find((t) => text(t.querySelector('dt')!) === label)!
      .querySelector('dd')!,
  );

async function settle(el: LifeboatInsights): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await el.updateComplete;
    await new Promise((r) => setTimeout(r));
  }
}

async function insights(
  client: FakeInsights | undefined,
  theme = 'auto',
  width = 1100,
): Promise<LifeboatInsights> {
  const el = await fixture<LifeboatInsights>(
    html`<div style="width: ${width}px">
      <lifeboat-insights site="acme" .client=${client} theme=${theme}></lifeboat-insights>
    </div>`,
  ).then((div) => div.querySelector('lifeboat-insights')!);
  await settle(el);
  return el;
}

describe('<lifeboat-insights>', () => {
  let client: FakeInsights;
  before(async function () {
    this.timeout(60_000);
    await expect(await fixture(html`<p>Warm-up</p>`)).to.be.accessible();
  });
  beforeEach(() => {
    client = new FakeInsights();
    client.site = sampleInsights();
    client.report = sampleReport();
  });

  it('shows who helped: members by people helped, with their trust level, and a table behind it', async () => {
    const el = await insights(client, 'light');
    const figure = el.shadowRoot!.querySelector('#chart-helpers-title')!.closest('figure')!;
    expect(figure.textContent).to.include('Who helped');
    expect(figure.querySelector('svg')!.textContent).to.include('Priya (SRE) · Trusted');
    const cells = [...figure.querySelectorAll('#chart-helpers-table tbody tr')].map((tr) =>
      [...tr.children].map((c) => c.textContent!.trim()),
    );
    expect(cells).to.deep.equal([
      ['Priya (SRE)', '23', '29', 'Trusted'],
      ['Jonas', '9', '9', 'Helper'],
      ['Guest 4f2a', '2', '2', 'Basic'],
    ]);
  });

  describe('accessibility', () => {
    for (const theme of ['light', 'dark']) {
      it(`is accessible with a period and a report (${theme})`, async () => {
        const el = await insights(client, theme);
        expect(qa(el, 'svg[role="img"]')).to.have.length(8);
        await expect(el).to.be.accessible();
      });

      it(`is accessible with every data table open, on a phone (${theme})`, async () => {
        const el = await insights(client, theme, 360);
        for (const details of qa<HTMLDetailsElement>(el, 'details')) details.open = true;
        await settle(el);
        await expect(el).to.be.accessible();
      });

      it(`is accessible loading, empty, refused and failed (${theme})`, async () => {
        client.site = null;
        const loading = await insights(client, theme);
        expect(loading.matches(':state(loading)')).to.be.true;
        await expect(loading).to.be.accessible();
        client.$site.set({ state: 'ready', value: { ...sampleInsights(), incidents: [] } });
        await settle(loading);
        expect(loading.matches(':state(empty)')).to.be.true;
        await expect(loading).to.be.accessible();
        client.$site.set({
          state: 'error',
          error: new FakeLifeboatError('Forbidden', { status: 403, code: 'forbidden' }),
        });
        await settle(loading);
        expect(loading.matches(':state(unauthorized)')).to.be.true;
        await expect(loading).to.be.accessible();
        client.$site.set({
          state: 'error',
          error: new FakeLifeboatError('Server error', { status: 500, code: 'internal' }),
        });
        await settle(loading);
        expect(loading.matches(':state(error)')).to.be.true;
        await expect(loading).to.be.accessible();
      });
    }

    it('puts a data table behind every chart, named by aria-describedby', async () => {
      const el = await insights(client);
      const charts = qa(el, 'svg[role="img"]');
      for (const chart of charts) {
        const table = root(el).getElementById(chart.getAttribute('aria-describedby')!)!;
        expect(table.localName, chart.getAttribute('aria-describedby')!).to.equal('table');
        expect(table.closest('details')).to.exist;
        const [title] = chart.getAttribute('aria-labelledby')!.split(' ');
        expect(text(root(el).getElementById(title!)!)).to.not.equal('');
        // Keyboard users reach every chart.
        expect(chart.getAttribute('tabindex')).to.equal('0');
      }
      const affected = root(el).getElementById('chart-affected-table')!;
      expect(
        [...affected.querySelectorAll('tbody tr')].map((r) =>
          text(r.querySelector('td:last-child')!),
        ),
      ).to.deep.equal(['41', '12', '312']);
    });
  });

  describe('states', () => {
    it('explains what is needed without a token', async () => {
      const el = await fixture<LifeboatInsights>(
        html`<lifeboat-insights site="acme"></lifeboat-insights>`,
      );
      expect(el.matches(':state(no-token)')).to.be.true;
      expect(text(root(el))).to.contain('Staff sign-in needed');
    });

    it('offers a retry when the numbers could not be loaded', async () => {
      client.site = null;
      const el = await insights(client);
      client.$site.set({
        state: 'error',
        error: new FakeLifeboatError('Network error', { status: 0, code: 'network' }),
      });
      await settle(el);
      expect(q(el, '[role="alert"]').textContent).to.contain('Could not load the insights');
      const before = client.callsOf('loadSite').length;
      button(el, 'Retry').click();
      await settle(el);
      expect(client.callsOf('loadSite')).to.have.length(before + 1);
    });
  });

  describe('the period', () => {
    it('shows the totals of the last 30 days and switches to 90', async () => {
      const el = await insights(client);
      expect(client.callsOf('loadSite').map((c) => c.days)).to.deep.equal([30]);
      const totals = q(el, '[part="totals"]');
      expect(tile(totals, 'Incidents')).to.equal('3');
      expect(tile(totals, 'Affected reports')).to.equal('365');
      expect(tile(totals, 'Answers')).to.equal('18');
      expect(tile(totals, '“Worked for me”')).to.equal('80');
      expect(tile(totals, 'Community found a fix first')).to.equal('2 of 3 67 %');
      expect(tile(totals, 'Median time to first peer answer')).to.equal('6 min');
      expect(button(el, 'Last 30 days').getAttribute('aria-pressed')).to.equal('true');
      let changes = 0;
      el.addEventListener('change', () => changes++);
      button(el, 'Last 90 days').click();
      await settle(el);
      expect(el.days).to.equal(90);
      expect(client.callsOf('loadSite').map((c) => c.days)).to.deep.equal([30, 90]);
      expect(button(el, 'Last 90 days').getAttribute('aria-pressed')).to.equal('true');
      expect(changes).to.equal(1);
    });

    it('says who found a fix first, with the share', async () => {
      const el = await insights(client);
      expect(text(q(el, '#chart-share-summary'))).to.equal(
        'The community was first in 2 of 3 incidents (67 %).',
      );
      const rows = [...root(el).getElementById('chart-share-table')!.querySelectorAll('tbody tr')];
      expect(rows.map((r) => text(r))).to.deep.equal([
        'Community first 2',
        'Staff first 1',
        'No community fix 0',
      ]);
    });

    it('lists the incidents newest first, each with a report button', async () => {
      const el = await insights(client);
      const rows = qa(el, '.incidents tbody tr');
      expect(rows.map((r) => text(r.querySelector('th')!))).to.deep.equal([
        'Webhook deliveries delayed',
        'Slow dashboards',
        'Login failures',
      ]);
      expect(text(rows[0]!)).to.contain('312 9 57 6 min Yes');
    });
  });

  describe('the report', () => {
    it("opens the latest incident's report, with every number", async () => {
      const el = await insights(client);
      expect(client.callsOf('loadReport').map((c) => c.incidentId)).to.deep.equal(['inc-3']);
      const report = q(el, '[part="report"]');
      expect(text(report.querySelector('h3')!)).to.equal('Report: Webhook deliveries delayed');
      expect(text(report.querySelector('.meta')!)).to.contain('Lasted 47 min');
      expect(tile(report, 'Participants')).to.equal('330');
      expect(tile(report, 'Affected')).to.equal('312');
      expect(tile(report, 'Replies')).to.equal('14');
      expect(tile(report, '“Didn’t work”')).to.equal('6');
      expect(tile(report, 'First peer answer')).to.equal('6 min in');
      expect(tile(report, 'First verified fix')).to.equal('20 min in');
      expect(tile(report, 'Held for review')).to.equal('4');
      expect(text(report)).to.contain('Webhooks · 2');
      expect(text(report)).to.contain('Android · 1');
      const timeline = root(el).getElementById('chart-timeline-table')!;
      expect(timeline.querySelectorAll('tbody tr')).to.have.length(12);
    });

    it('opens another report from the list and moves focus to it', async () => {
      const el = await insights(client);
      button(el, 'Report of “Login failures”').click();
      await settle(el);
      expect(el.incident).to.equal('inc-1');
      expect(client.callsOf('loadReport').map((c) => c.incidentId)).to.deep.equal([
        'inc-3',
        'inc-1',
      ]);
      await waitUntil(() => root(el).activeElement?.id === 'report-heading');
      expect(q(el, '.incidents tr[aria-current="true"] th').textContent!.trim()).to.equal(
        'Login failures',
      );
    });

    it('exports CSV and copies the Markdown summary (shown to copy by hand if refused)', async () => {
      const el = await insights(client);
      button(el, 'Download CSV').click();
      await settle(el);
      expect(client.callsOf('reportText')).to.deep.equal([
        { name: 'reportText', incidentId: 'inc-3', format: 'csv' },
      ]);
      button(el, 'Copy summary (Markdown)').click();
      await waitUntil(() => client.callsOf('reportText').length === 2);
      await settle(el);
      // Headless Chromium without a user gesture may refuse the clipboard: then the text shows.
      const shown = q<HTMLTextAreaElement>(el, 'textarea.markdown');
      const announced = text(q(el, '[role="status"]'));
      if (shown) expect(shown.value).to.equal('## Summary\n');
      else expect(announced).to.equal('Summary copied.');
    });
  });

  describe('charts', () => {
    it('draws at the width they are shown at, on a phone too', async () => {
      const wide = await insights(client, 'light', 1100);
      const narrow = await insights(client, 'light', 360);
      const width = (el: LifeboatInsights) =>
        Number(
          q(el, '#chart-affected-table')
            .closest('figure')!
            .querySelector('svg')!
            .getAttribute('viewBox')!
            .split(' ')[2],
        );
      // The charts redraw once their resize observer has seen the width: wait for that frame.
      await waitUntil(() => width(narrow) < 330, 'the narrow charts redraw', {
        timeout: 3000,
      }).catch(() => undefined);
      expect(width(wide)).to.be.greaterThan(400);
      expect(width(narrow)).to.be.lessThan(330);
      // Nothing wider than the phone.
      expect(narrow.getBoundingClientRect().width).to.be.at.most(360);
      for (const svg of qa(narrow, 'svg.plot'))
        expect(svg.getBoundingClientRect().width).to.be.at.most(360);
    });

    it('warns in development about a period that is not 30 or 90', async () => {
      const warnings: unknown[] = [];
      const original = console.warn;
      console.warn = (...args: unknown[]) => warnings.push(args[0]);
      try {
        const el = await insights(client);
        el.days = 7 as 30;
        await settle(el);
      } finally {
        console.warn = original;
      }
      expect(String(warnings[0])).to.contain('days="7"');
      expect(client.callsOf('loadSite').map((c) => c.days)).to.deep.equal([30]);
    });
  });
});
