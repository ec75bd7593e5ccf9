import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { FakeLifeboatError } from '../testing/fake-error.js';
import {
  anAuditEntry,
  aSpike,
  aQueueItem,
  FakeModeration,
  sampleQueue,
} from '../testing/fake-moderation.js';
import type { LifeboatModeration } from './moderation.js';
import './moderation.js';

const root = (el: LifeboatModeration): ShadowRoot => el.shadowRoot!;
const q = <T extends Element = HTMLElement>(el: LifeboatModeration, selector: string): T =>
  root(el).querySelector<T>(selector)!;
const qa = (el: LifeboatModeration, selector: string): HTMLElement[] => [
  ...root(el).querySelectorAll<HTMLElement>(selector),
];
const text = (el: LifeboatModeration): string => root(el).textContent!.replace(/\s+/g, ' ').trim();

async function settle(el: LifeboatModeration): Promise<void> {
  await el.updateComplete;
  for (const child of qa(el, 'lifeboat-queue-item, lifeboat-audit-log'))
    await (child as unknown as { updateComplete: Promise<unknown> }).updateComplete;
  await el.updateComplete;
}

async function moderation(
  client: FakeModeration | undefined,
  theme = 'auto',
): Promise<LifeboatModeration> {
  const el = await fixture<LifeboatModeration>(
    html`<lifeboat-moderation site="acme" .client=${client} theme=${theme}></lifeboat-moderation>`,
  );
  await settle(el);
  return el;
}

const articles = (el: LifeboatModeration) => qa(el, 'article[part="item"]');
const ids = (el: LifeboatModeration) =>
  articles(el).map((a) => a.id.replace('lifeboat-queue-', ''));
const focusedId = (el: LifeboatModeration) =>
  (root(el).activeElement as HTMLElement | null)
    ?.closest('article')
    ?.id.replace('lifeboat-queue-', '');

function press(target: Element, key: string): void {
  target.dispatchEvent(
    new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }),
  );
}

const selectedSlowMode = (el: LifeboatModeration): string =>
  q<HTMLSelectElement>(el, '#lifeboat-slow-mode').selectedOptions[0]!.textContent!.trim();

const [ID1, ID2, ID3] = sampleQueue().map((i) => i.post.id) as [string, string, string];

describe('<lifeboat-moderation>', () => {
  let client: FakeModeration;
  /**
   * axe-core's first run in a page is its slowest: pay it once in a hook with its own generous
   * timeout (a failed hook would fail every test of the suite), not inside the first test.
   */
  before(async function () {
    this.timeout(60_000);
    await expect(await fixture(html`<p>Warm-up</p>`)).to.be.accessible();
  });
  beforeEach(() => {
    client = new FakeModeration();
  });

  describe('accessibility', () => {
    const states: Record<string, (client: FakeModeration, el: LifeboatModeration) => void> = {
      loading: () => {},
      'with posts to review': (c) => c.setQueue(sampleQueue()),
      'empty and reconnecting': (c) => {
        c.$connection.set('reconnecting');
        c.setQueue([]);
      },
      'in error': (c) =>
        c.$queue.set({
          ...c.$queue.get(),
          state: 'error',
          error: new FakeLifeboatError('Server error', { status: 500, code: 'internal' }),
        }),
      'with early-warning spikes and trust levels': (c) => {
        const [first, ...rest] = sampleQueue();
        c.setQueue([
          {
            ...first!,
            author: { ...first!.author, trust: 'helper', reputation: 7, helped: 5 },
          },
          ...rest,
        ]);
        c.setSpikes([
          aSpike(),
          aSpike({ component: null, componentName: null, members: 6, public: true }),
          aSpike({ state: 'declared', incidentId: 'inc-1' }),
        ]);
      },
      'on the audit log': (c, el) => {
        c.setQueue([]);
        el.tab = 'audit';
        c.setAudit([anAuditEntry({ reason: 'Phishing' })], { nextCursor: 'c1' });
      },
    };
    for (const theme of ['light', 'dark']) {
      for (const [name, arrange] of Object.entries(states)) {
        it(`is accessible ${name} (${theme})`, async () => {
          const el = await moderation(client, theme);
          arrange(client, el);
          await settle(el);
          await expect(el).to.be.accessible();
        });
      }
    }

    it('is accessible without a token and when the token is refused', async () => {
      const none = await moderation(undefined, 'dark');
      expect(none.matches(':state(no-token)')).to.be.true;
      await expect(none).to.be.accessible();
      client.$connection.set('unauthorized');
      const refused = await moderation(client, 'light');
      expect(refused.matches(':state(unauthorized)')).to.be.true;
      await expect(refused).to.be.accessible();
    });

    it('uses the tab pattern: tablist, tabs with aria-selected, labelled panels', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      const tabs = qa(el, '[role="tab"]');
      expect(tabs.map((t) => t.getAttribute('aria-selected'))).to.deep.equal(['true', 'false']);
      expect(q(el, '#lifeboat-panel-queue').getAttribute('aria-labelledby')).to.equal(
        'lifeboat-tab-queue',
      );
      expect(tabs[0]!.textContent).to.match(/Queue\s*3/);
      press(tabs[0]!, 'ArrowRight');
      await settle(el);
      expect(el.tab).to.equal('audit');
      expect(q(el, '#lifeboat-panel-queue').hidden).to.be.true;
      expect(root(el).activeElement?.id).to.equal('lifeboat-tab-audit');
    });
  });

  describe('states', () => {
    it('explains what is needed without a token', async () => {
      const el = await fixture<LifeboatModeration>(
        html`<lifeboat-moderation site="acme"></lifeboat-moderation>`,
      );
      expect(text(el)).to.contain('Staff sign-in needed');
      expect(text(el)).to.contain('lifeboat staff add');
    });

    it('says clearly that a refused token (403) is not accepted', async () => {
      const el = await moderation(client);
      client.$queue.set({
        ...client.$queue.get(),
        state: 'error',
        error: new FakeLifeboatError('Forbidden', { status: 403, code: 'forbidden' }),
      });
      await settle(el);
      expect(el.matches(':state(unauthorized)')).to.be.true;
      expect(q(el, '[role="alert"]').textContent).to.contain('not accepted for this site');
      expect(qa(el, '[role="tab"]')).to.have.length(0);
    });

    it('shows "All clear" for an empty queue', async () => {
      client.setQueue([]);
      const el = await moderation(client);
      expect(q(el, '[part="empty"]').textContent).to.contain('All clear');
      expect(el.matches(':state(empty)')).to.be.true;
      expect(el.matches(':state(loading)')).to.be.false;
    });

    it('offers a retry when the queue could not be loaded', async () => {
      client.$queue.set({
        ...client.$queue.get(),
        state: 'error',
        error: new FakeLifeboatError('Network error', { status: 0, code: 'network' }),
      });
      const el = await moderation(client);
      expect(el.matches(':state(error)')).to.be.true;
      const retry = [...qa(el, 'button')].find((b) => b.textContent!.trim() === 'Retry')!;
      retry.click();
      expect(client.callsOf('retry')).to.have.length(1);
    });

    it('says when the live connection is down', async () => {
      client.setQueue(sampleQueue());
      client.$connection.set('offline');
      const el = await moderation(client);
      expect(q(el, '.notice.offline').textContent).to.contain('offline');
      expect(el.matches(':state(offline)')).to.be.true;
      client.$connection.set('open');
      await settle(el);
      expect(q(el, '.notice.offline')).to.not.exist;
      expect(q(el, '[part="connection"]').textContent).to.contain('Live');
    });
  });

  describe('the queue', () => {
    it('shows each post through the safe-text renderer, with author, reasons and flags', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      expect(ids(el)).to.deep.equal([ID1, ID2, ID3]);
      const risky = q(el, `#lifeboat-queue-${ID2}`);
      expect(risky.querySelector('[part="body"] pre code')!.textContent).to.contain('curl -k');
      expect(risky.querySelector('[part="reasons"]')!.textContent!.replace(/\s+/g, ' ')).to.contain(
        'Risky advice: Turns off TLS certificate verification, which exposes readers to interception. — matched curl -k',
      );
      expect(risky.querySelector('.item-head')!.textContent).to.contain('Sam Patel');
      expect(risky.querySelector('.item-head')!.textContent).to.contain('Signed in');
      expect(risky.querySelector('.item-head')!.textContent).to.contain('customer');
      expect(risky.querySelector('.item-head')!.textContent).to.contain('3 published posts');
      const flagged = q(el, `#lifeboat-queue-${ID3}`);
      const flags = flagged.querySelector('[part="flags"]')!.textContent!.replace(/\s+/g, ' ');
      expect(flags).to.contain('3 flags');
      expect(flags).to.contain('Phishing × 2');
      expect(flags).to.contain('“Asks for passwords”');
      // Hidden posts offer restore and reject, not approve.
      const actions = [...flagged.querySelectorAll('[part="action-button"]')].map((b) =>
        b.getAttribute('data-action'),
      );
      expect(actions).to.deep.equal(['restore', 'reject', 'ban']);
    });

    it('shows a flagged post that member flags cannot hide (pinned, verified) as still published, with why, to keep or hide', async () => {
      const id = '01HZQUEUE0000000000000PROT';
      client.setQueue([
        aQueueItem(id, {
          queue: 'flagged',
          reasons: [
            {
              code: 'flagged',
              message:
                'Flagged by 3 members (threshold 3) but not hidden: staff pinned it. Keep it (clear the flags) or hide it.',
            },
          ],
          flags: { count: 3, reasons: [{ reason: 'spam', count: 3 }], notes: [] },
          post: { state: 'published', verified: true, pinned: true, kind: 'workaround' },
        }),
      ]);
      const el = await moderation(client);
      const item = q(el, `#lifeboat-queue-${id}`);
      const head = item.querySelector('.item-head')!.textContent!.replace(/\s+/g, ' ');
      expect(head).to.contain('Flagged 3 times');
      expect(head).to.contain('Published');
      expect(head).to.not.contain('Hidden');
      expect(head).to.contain('Verified');
      expect(head).to.contain('Pinned');
      expect(item.querySelector('[part="reasons"]')!.textContent!.replace(/\s+/g, ' ')).to.contain(
        'but not hidden: staff pinned it',
      );
      const buttons = [...item.querySelectorAll<HTMLElement>('[part="action-button"]')];
      const keep = buttons.find((b) => b.getAttribute('data-action') === 'approve')!;
      expect(keep.textContent).to.contain('Keep, clear flags');
      expect(buttons.map((b) => b.getAttribute('data-action'))).to.include('hide');
    });

    it('filters pending and flagged posts', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      const [, pending, flagged] = qa(el, '[part="filter"] button');
      expect(flagged!.textContent).to.match(/Flagged\s*1/);
      flagged!.click();
      await settle(el);
      expect(ids(el)).to.deep.equal([ID3]);
      pending!.click();
      await settle(el);
      expect(ids(el)).to.deep.equal([ID1, ID2]);
    });

    it('shows a visible legend of the shortcuts and names keys on buttons', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      const legend = q(el, '[part="shortcuts"]').textContent!.replace(/\s+/g, ' ');
      for (const part of [
        'A Approve',
        'R Reject',
        'H Hide',
        'S Restore',
        'V Verify',
        'P Pin',
        'B Ban author',
        'JK move',
      ])
        expect(legend).to.contain(part);
      const approve = q(el, `#lifeboat-queue-${ID1} [data-action="approve"]`);
      expect(approve.getAttribute('aria-keyshortcuts')).to.equal('A');
    });
  });

  describe('keyboard', () => {
    it('keeps one post in the tab order and moves with J/K and the arrows', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      expect(articles(el).map((a) => a.tabIndex)).to.deep.equal([0, -1, -1]);
      el.focusQueue();
      expect(focusedId(el)).to.equal(ID1);
      press(root(el).activeElement!, 'j');
      await settle(el);
      expect(focusedId(el)).to.equal(ID2);
      press(root(el).activeElement!, 'ArrowDown');
      await settle(el);
      expect(focusedId(el)).to.equal(ID3);
      press(root(el).activeElement!, 'j');
      await settle(el);
      expect(focusedId(el)).to.equal(ID3);
      press(root(el).activeElement!, 'k');
      await settle(el);
      press(root(el).activeElement!, 'ArrowUp');
      await settle(el);
      expect(focusedId(el)).to.equal(ID1);
      expect(articles(el).map((a) => a.tabIndex)).to.deep.equal([0, -1, -1]);
    });

    it('A approves the focused post with the typed reason; focus moves to the next post', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      const reason = q<HTMLInputElement>(el, `#lifeboat-reason-${ID1}`);
      reason.value = 'Looks fine';
      reason.dispatchEvent(new Event('input', { bubbles: true }));
      // A letter typed in the reason field is text, not a shortcut.
      press(reason, 'a');
      expect(client.callsOf('act')).to.have.length(0);
      press(reason, 'Escape');
      expect(focusedId(el)).to.equal(ID1);
      press(root(el).activeElement!, 'a');
      await settle(el);
      expect(client.callsOf('act')).to.deep.equal([[ID1, 'approve', 'Looks fine']]);
      expect(ids(el)).to.deep.equal([ID2, ID3]);
      expect(focusedId(el)).to.equal(ID2);
      await waitUntil(() => text(el).includes('Approve: post by Robin Guest.'));
    });

    it('R rejects, S restores a hidden post; H, V, P only on published posts; A keeps a flagged one', async () => {
      client.setQueue([
        ...sampleQueue(),
        aQueueItem('01HZQUEUE0000000000000PUB1', {
          queue: 'flagged',
          post: { state: 'published' },
          flags: { count: 1, reasons: [{ reason: 'off_topic', count: 1 }], notes: [] },
        }),
      ]);
      const el = await moderation(client);
      el.focusQueue();
      press(root(el).activeElement!, 'h'); // a pending post cannot be hidden
      press(root(el).activeElement!, 'r');
      await settle(el);
      press(root(el).activeElement!, 'j');
      await settle(el);
      expect(focusedId(el)).to.equal(ID3);
      press(root(el).activeElement!, 'v'); // a hidden post cannot be verified
      press(root(el).activeElement!, 's');
      await settle(el);
      expect(focusedId(el)).to.equal('01HZQUEUE0000000000000PUB1');
      expect(
        q(el, '#lifeboat-queue-01HZQUEUE0000000000000PUB1 [data-action="approve"]').textContent,
      ).to.contain('Keep, clear flags');
      press(root(el).activeElement!, 'v');
      press(root(el).activeElement!, 'p');
      press(root(el).activeElement!, 'h');
      await settle(el);
      expect(client.callsOf('act').map((c) => [c[0], c[1]])).to.deep.equal([
        [ID1, 'reject'],
        [ID3, 'restore'],
        ['01HZQUEUE0000000000000PUB1', 'verify'],
        ['01HZQUEUE0000000000000PUB1', 'pin'],
        ['01HZQUEUE0000000000000PUB1', 'hide'],
      ]);
    });

    it('B asks how long to ban the author, Escape cancels', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      el.focusQueue();
      press(root(el).activeElement!, 'b');
      await settle(el);
      const group = q(el, '.ban-confirm');
      expect(group.getAttribute('aria-label')).to.equal('Ban Robin Guest from this site?');
      expect(root(el).activeElement!.textContent).to.contain('Ban for 24 hours');
      press(root(el).activeElement!, 'Escape');
      await settle(el);
      expect(q(el, '.ban-confirm')).to.not.exist;
      expect(focusedId(el)).to.equal(ID1);
      press(root(el).activeElement!, 'b');
      await settle(el);
      (root(el).activeElement as HTMLButtonElement).click();
      await settle(el);
      expect(client.callsOf('ban')).to.deep.equal([[`m-${ID1}`, null, 24]]);
      expect(q(el, `#lifeboat-queue-${ID1} [part="banned-badge"]`)).to.exist;
      expect(q(el, `#lifeboat-queue-${ID1} [data-action="unban"]`)).to.exist;
    });
  });

  describe('optimistic actions', () => {
    it('puts a post back with an inline error when the action fails', async () => {
      client.setQueue(sampleQueue());
      client.hold = true;
      client.failNext = new FakeLifeboatError('The post changed meanwhile.', {
        status: 409,
        code: 'conflict',
      });
      const el = await moderation(client);
      q<HTMLButtonElement>(el, `#lifeboat-queue-${ID2} [data-action="approve"]`).click();
      await settle(el);
      expect(ids(el)).to.deep.equal([ID1, ID3]);
      client.release();
      await waitUntil(() => ids(el).length === 3);
      await settle(el);
      expect(ids(el)).to.deep.equal([ID1, ID2, ID3]);
      const error = q(el, `#lifeboat-queue-${ID2} [role="alert"]`);
      expect(error.textContent!.replace(/\s+/g, ' ')).to.contain(
        'Approve failed: The post changed meanwhile.',
      );
    });
  });

  describe('live updates', () => {
    it('adds posts that arrive without moving focus, and announces them politely', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      el.focusQueue();
      press(root(el).activeElement!, 'j');
      await settle(el);
      client.queue(aQueueItem('01HZQUEUE0000000000000LIVE'));
      await settle(el);
      expect(ids(el)).to.deep.equal([ID1, ID2, ID3, '01HZQUEUE0000000000000LIVE']);
      expect(focusedId(el)).to.equal(ID2);
      expect(q(el, '[role="status"][aria-live="polite"]').textContent).to.contain(
        '1 new post to review',
      );
    });

    it('drops a post another moderator cleared, and the next one becomes active', async () => {
      client.setQueue(sampleQueue());
      const el = await moderation(client);
      client.setQueue(sampleQueue().slice(1));
      await settle(el);
      expect(ids(el)).to.deep.equal([ID2, ID3]);
      expect(articles(el).map((a) => a.tabIndex)).to.deep.equal([0, -1]);
    });
  });

  describe('slow mode', () => {
    it('shows the current slow mode and switches it, with the error when refused', async () => {
      client.setQueue([]);
      client.$slowMode.set(0);
      const el = await moderation(client);
      const select = q<HTMLSelectElement>(el, '#lifeboat-slow-mode');
      expect(select.labels![0]!.textContent).to.contain('Slow mode');
      expect(selectedSlowMode(el)).to.equal('Off');
      select.value = '60';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      await settle(el);
      expect(client.callsOf('setSlowMode')).to.deep.equal([[60, null]]);
      expect(selectedSlowMode(el)).to.equal('1 min');
      client.failNext = new FakeLifeboatError('Forbidden', { status: 500, code: 'internal' });
      const again = q<HTMLSelectElement>(el, '#lifeboat-slow-mode');
      again.value = '300';
      again.dispatchEvent(new Event('change', { bubbles: true }));
      await waitUntil(() => q(el, '#lifeboat-slow-mode-error'));
      expect(q(el, '#lifeboat-slow-mode-error').textContent).to.contain(
        'Slow mode could not be changed',
      );
      expect(selectedSlowMode(el)).to.equal('1 min');
      // Another moderator's change (an audit event in the SDK) shows up.
      client.$slowMode.set(45);
      await settle(el);
      expect(selectedSlowMode(el)).to.equal('45 s');
    });
  });

  describe('audit log', () => {
    it('loads when first shown: who, action, target, reason, relative and absolute time', async () => {
      client.setQueue([]);
      const el = await moderation(client);
      client.setAudit(
        [
          anAuditEntry({ action: 'reject', reason: 'Phishing link' }),
          anAuditEntry({
            action: 'slow_mode',
            actor: { kind: 'admin', id: null, displayName: 'admin' },
            target: { kind: 'site', id: 's1' },
            detail: { seconds: 60 },
          }),
        ],
        { nextCursor: 'c1' },
      );
      expect(q(el, 'lifeboat-audit-log')).to.not.exist;
      q<HTMLButtonElement>(el, '#lifeboat-tab-audit').click();
      await settle(el);
      const entries = qa(el, '[part="audit-list"] li').map((li) =>
        li.textContent!.replace(/\s+/g, ' ').trim(),
      );
      expect(entries[0]).to.match(
        /^Morgan \(Acme\) rejected post …00000009 “Phishing link” 5 min ago · /,
      );
      expect(entries[1]).to.contain('Admin key set slow mode on site (60 s)');
      expect(q(el, '[part="audit-list"] time').getAttribute('datetime')).to.match(/Z$/);
      q<HTMLButtonElement>(el, '[part="load-more"]').click();
      expect(client.callsOf('loadMoreAudit')).to.have.length(1);
      client.setAudit([anAuditEntry({ action: 'ban' }), ...client.$audit.get().entries]);
      await settle(el);
      expect(qa(el, '[part="audit-list"] li')[0]!.textContent).to.contain('banned');
    });
  });

  describe('reputation and early warning', () => {
    it("shows the author's trust level and how many people they helped", async () => {
      const [first] = sampleQueue();
      client.setQueue([
        { ...first!, author: { ...first!.author, trust: 'trusted', reputation: 20, helped: 17 } },
      ]);
      const el = await moderation(client);
      const badge = q(el, '[part="trust-badge"]');
      expect(badge.dataset.trust).to.equal('trusted');
      expect(badge.textContent!.replace(/\s+/g, ' ')).to.contain('Trusted · helped 17 people');
      expect(badge.title).to.contain('reputation 20');
    });

    it('lists open spikes before the queue; declare, confirm and dismiss are one click', async () => {
      client.setQueue([]);
      const open = aSpike({ members: 12 });
      const quiet = aSpike({ component: null, componentName: null, members: 6 });
      client.setSpikes([open, quiet]);
      const el = await moderation(client);
      const panel = q(el, '[part="spikes"]');
      expect(panel).to.exist;
      // Before the tabs: staff see it first.
      expect(
        panel.compareDocumentPosition(q(el, '[role="tablist"]')) & Node.DOCUMENT_POSITION_FOLLOWING,
      ).to.be.greaterThan(0);
      expect(text(el)).to.contain('12 members report problems with REST API');
      expect(text(el)).to.contain('6 members report problems');
      expect(text(el)).to.contain('not public yet');

      qa(el, '[part="spike-confirm"]')[1]!.click();
      await settle(el);
      expect(client.callsOf('spikeAction')).to.deep.equal([[quiet.id, 'confirm']]);
      expect(text(el)).to.contain('shown in the public banner');

      qa(el, '[part="spike-declare"]')[0]!.click();
      await settle(el);
      expect(client.callsOf('spikeAction').at(-1)).to.deep.equal([open.id, 'declare']);
      expect(text(el)).to.contain('Declared as an incident');
      await expect(el).to.be.accessible();
    });

    it('announces a spike the stream brings in, and shows nothing without spikes', async () => {
      client.setQueue([]);
      const el = await moderation(client);
      expect(q(el, '[part="spikes"]')).to.be.null;
      client.setSpikes([aSpike({ members: 9, componentName: 'Webhooks' })]);
      await settle(el);
      expect(q(el, '[role="status"]').textContent).to.contain(
        'Early warning: 9 members report problems with Webhooks.',
      );
    });
  });

  describe('dev warnings', () => {
    it('warns about an unknown theme', async () => {
      const warn = console.warn;
      const messages: string[] = [];
      console.warn = (m: string) => messages.push(m);
      try {
        await fixture(html`<lifeboat-moderation theme="blue"></lifeboat-moderation>`);
      } finally {
        console.warn = warn;
      }
      expect(messages.some((m) => m.includes('theme="blue"'))).to.be.true;
    });
  });
});
