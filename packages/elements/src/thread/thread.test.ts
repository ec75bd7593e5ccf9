import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { LocalPost } from '@lifeboat/sdk';
import { FakeClient } from '../testing/fake-client.js';
import { FakeLifeboatError } from '../testing/fake-error.js';
import { INCIDENT_ID, samplePost, samplePosts, sampleStatus } from '../testing/sample-data.js';
import type { LifeboatThread } from './thread.js';
import './thread.js';

const root = (el: LifeboatThread): ShadowRoot => el.shadowRoot!;
const q = <T extends Element = HTMLElement>(el: LifeboatThread, selector: string): T =>
  root(el).querySelector<T>(selector)!;
const qa = (el: LifeboatThread, selector: string): HTMLElement[] => [
  ...root(el).querySelectorAll<HTMLElement>(selector),
];

async function thread(client: FakeClient): Promise<LifeboatThread> {
  const el = await fixture<LifeboatThread>(
    html`<lifeboat-thread .client=${client}></lifeboat-thread>`,
  );
  await el.updateComplete;
  return el;
}

async function settle(el: LifeboatThread): Promise<void> {
  await el.updateComplete;
  for (const child of qa(el, 'lifeboat-answer, lifeboat-composer'))
    await (child as unknown as { updateComplete: Promise<unknown> }).updateComplete;
}

const SESSION = {
  token: 't',
  member: { id: 'm-me', displayName: 'Me', role: 'member' as const, staff: false },
  expiresAt: '',
};

describe('<lifeboat-thread>', () => {
  let client: FakeClient;
  beforeEach(() => {
    client = new FakeClient();
    client.setStatus(sampleStatus('major'));
  });

  const ready = (posts: LocalPost[] = samplePosts()): void =>
    client.setThread(INCIDENT_ID, { state: 'ready', posts });

  describe('accessibility', () => {
    it('is accessible while loading', async () => {
      const el = await thread(client);
      expect(el.matches(':state(loading)')).to.be.true;
      await expect(el).to.be.accessible();
    });

    it('is accessible with posts', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      await expect(el).to.be.accessible();
    });

    it('is accessible when empty, locked, errored and offline', async () => {
      ready([]);
      client.$connection.set('offline');
      const el = await thread(client);
      await settle(el);
      await expect(el).to.be.accessible();
      client.setThread(INCIDENT_ID, { threadState: 'locked' });
      await settle(el);
      await expect(el).to.be.accessible();
      client.setThread(INCIDENT_ID, {
        state: 'error',
        error: new FakeLifeboatError('Boom', { status: 500 }),
      });
      await settle(el);
      await expect(el).to.be.accessible();
    });

    it('renders posts as a list of articles with confirm buttons naming their counts', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      expect(q(el, 'ol[part="list"]')).to.exist;
      expect(qa(el, 'ol[part="list"] > li')).to.have.length(3);
      const article = q(el, '#lifeboat-post-01HZANSWER000000000000000A');
      expect(article.tagName).to.equal('ARTICLE');
      const buttons = [...article.querySelectorAll<HTMLButtonElement>('[part="confirm-button"]')];
      expect(buttons.map((b) => b.textContent!.trim())).to.deep.equal([
        'Worked for me (3)',
        "Didn't work (2)",
      ]);
      expect(buttons.every((b) => b.getAttribute('aria-pressed') === 'false')).to.be.true;
    });
  });

  describe('defaults', () => {
    it('uses the first open incident and explains it is community help', async () => {
      ready();
      const el = await thread(client);
      expect(el.incidentId).to.equal(INCIDENT_ID);
      expect(q(el, '[part="heading"]').textContent).to.contain('Community answers');
      expect(q(el, '[part="note"]').textContent).to.contain('not official support');
    });

    it('sorts verified, then pinned, then by helpfulness; replies under their answer', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const ids = qa(el, 'ol[part="list"] > li > lifeboat-answer article').map((a) => a.id);
      expect(ids).to.deep.equal([
        'lifeboat-post-01HZWORKAROUND00000000000A',
        'lifeboat-post-01HZSTAFF0000000000000000A',
        'lifeboat-post-01HZANSWER000000000000000A',
      ]);
      expect(q(el, '.replies #lifeboat-post-01HZREPLY0000000000000000A')).to.exist;
    });

    it('shows a staff badge from author.staff only', async () => {
      ready([
        samplePost({
          id: 'A1',
          author: { id: 'x', displayName: 'Acme Staff', role: 'member', staff: false },
        }),
        samplePost({
          id: 'A2',
          author: { id: 'y', displayName: 'Jordan', role: 'staff', staff: true },
        }),
      ]);
      const el = await thread(client);
      await settle(el);
      expect(q(el, '#lifeboat-post-A1 [part="staff-badge"]')).to.be.null;
      expect(q(el, '#lifeboat-post-A2 [part="staff-badge"]')).to.exist;
    });

    it('shows "helped N people" from author.helped, and nothing without it', async () => {
      ready([
        samplePost({
          id: 'H1',
          author: { id: 'h', displayName: 'Hana', role: 'member', staff: false, helped: 12 },
        }),
        samplePost({
          id: 'H2',
          author: { id: 'o', displayName: 'One', role: 'member', staff: false, helped: 1 },
        }),
        samplePost({ id: 'H3' }),
      ]);
      const el = await thread(client);
      await settle(el);
      expect(q(el, '#lifeboat-post-H1 [part="helped"]').textContent).to.contain('helped 12 people');
      expect(q(el, '#lifeboat-post-H2 [part="helped"]').textContent).to.contain('helped 1 person');
      expect(q(el, '#lifeboat-post-H3 [part="helped"]')).to.be.null;
      await expect(el).to.be.accessible();
    });

    it('renders workaround posts as a card with steps and risk', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const card = q(el, '#lifeboat-post-01HZWORKAROUND00000000000A [part="workaround"]');
      expect(card.querySelectorAll('.steps li')).to.have.length(3);
      expect(card.querySelector('[part="risk-badge"]')!.textContent).to.equal('Temporary');
      expect(card.textContent).to.contain('REST API');
    });

    it('renders bodies as safe text', async () => {
      ready([
        samplePost({
          id: 'S1',
          body: '<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n- one `code`\n- two\n\njavascript:alert(1) http://plain.test https://ok.test/path.',
        }),
      ]);
      const el = await thread(client);
      await settle(el);
      const body = q(el, '#lifeboat-post-S1 [part="body"]');
      expect(body.querySelector('script, img')).to.be.null;
      expect(body.textContent).to.contain('<script>alert(1)</script>');
      expect(body.querySelectorAll('li')).to.have.length(2);
      expect(body.querySelector('code')!.textContent).to.equal('code');
      const links = [...body.querySelectorAll('a')];
      expect(links).to.have.length(1);
      expect(links[0].getAttribute('href')).to.equal('https://ok.test/path');
      expect(links[0].getAttribute('rel')).to.equal('nofollow ugc noopener');
      expect(body.textContent).to.contain('http://plain.test');
    });

    it('shows the empty state', async () => {
      ready([]);
      const el = await thread(client);
      expect(q(el, '[part="empty"]').textContent).to.contain('No answers yet');
      expect(el.matches(':state(empty)')).to.be.true;
    });

    it('shows an error with a retry button', async () => {
      client.setThread(INCIDENT_ID, {
        state: 'error',
        error: new FakeLifeboatError('Boom', { status: 500 }),
      });
      const el = await thread(client);
      const retry = q<HTMLButtonElement>(el, '[part="notice"] button');
      retry.click();
      expect(client.callsOf('retry')).to.have.length(1);
    });

    it('replaces the composer with a notice when locked', async () => {
      ready();
      client.setThread(INCIDENT_ID, { threadState: 'locked' });
      const el = await thread(client);
      expect(q(el, 'form')).to.be.null;
      expect(q(el, '.locked').textContent).to.contain('locked');
      expect(el.matches(':state(locked)')).to.be.true;
    });

    it('shows an offline hint', async () => {
      ready();
      client.$connection.set('offline');
      const el = await thread(client);
      expect(q(el, '.offline')).to.exist;
      expect(el.matches(':state(offline)')).to.be.true;
    });

    it('shows sending and failed optimistic posts with retry', async () => {
      ready([
        { ...samplePost({ id: 'L1' }), local: 'sending' },
        { ...samplePost({ id: 'L2' }), local: 'failed' },
      ]);
      const el = await thread(client);
      await settle(el);
      expect(q(el, '#lifeboat-post-L1').textContent).to.contain('Sending…');
      const failed = q(el, '#lifeboat-post-L2');
      expect(failed.textContent).to.contain('Couldn’t send');
      const [retry, discard] = [...failed.querySelectorAll('button')];
      retry.click();
      expect(client.callsOf('retryPost')).to.deep.equal([[INCIDENT_ID, 'L2']]);
      discard.click();
      expect(client.callsOf('discardPost')).to.deep.equal([[INCIDENT_ID, 'L2']]);
    });

    it('holds live posts from others behind "N new answers" without moving the list', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const first = q(el, 'ol[part="list"] article');
      const before = first.getBoundingClientRect();
      client.setThread(INCIDENT_ID, {
        posts: [
          ...samplePosts(),
          samplePost({ id: 'NEW1', body: 'Fresh', score: 0.9 }),
          samplePost({ id: 'NEW2', body: 'Fresher', score: 0.8 }),
        ],
      });
      await settle(el);
      expect(q(el, '#lifeboat-post-NEW1')).to.be.null;
      const button = q<HTMLButtonElement>(el, '[part="new-answers"]');
      expect(button.textContent!.trim()).to.equal('Show 2 new answers');
      expect(q(el, '[role="status"][aria-live="polite"]').textContent).to.contain('2 new answers');
      const after = q(el, 'ol[part="list"] article');
      expect(after).to.equal(first);
      expect(after.getBoundingClientRect().top).to.equal(before.top);
      await expect(el).to.be.accessible();

      button.click();
      await settle(el);
      expect(q(el, '#lifeboat-post-NEW1')).to.exist;
      expect(q(el, '#lifeboat-post-NEW2')).to.exist;
      expect(q(el, '[part="new-answers"]')).to.be.null;
      expect(root(el).activeElement?.id).to.match(/^lifeboat-post-NEW/);
    });

    it("inserts the member's own posts at once and applies counts and edits in place", async () => {
      client.$session.set(SESSION);
      ready();
      const el = await thread(client);
      await settle(el);
      const answer = q(el, '#lifeboat-post-01HZANSWER000000000000000A');
      client.setThread(INCIDENT_ID, {
        posts: [
          ...samplePosts().map((p) =>
            p.id === '01HZANSWER000000000000000A'
              ? {
                  ...p,
                  body: 'Backoff, edited',
                  editedAt: new Date().toISOString(),
                  counts: { worked: 9, didntWork: 2 },
                }
              : p,
          ),
          samplePost({ id: 'MINE1', body: 'Mine', author: SESSION.member }),
        ],
      });
      await settle(el);
      expect(q(el, '#lifeboat-post-MINE1')).to.exist;
      expect(q(el, '[part="new-answers"]')).to.be.null;
      const same = q(el, '#lifeboat-post-01HZANSWER000000000000000A');
      expect(same).to.equal(answer);
      expect(same.textContent).to.contain('Backoff, edited');
      expect(same.textContent).to.contain('edited');
      expect(same.querySelector('[data-kind="worked"]')!.textContent!.trim()).to.equal(
        'Worked for me (9)',
      );
    });

    it('re-renders only the answer that changed', async () => {
      const posts = Array.from({ length: 50 }, (_, i) =>
        samplePost({ id: `BULK${String(i).padStart(3, '0')}`, body: `Answer ${i}` }),
      );
      ready(posts);
      const el = await thread(client);
      await settle(el);
      const renders = new Map<string, number>();
      const answers = qa(el, 'lifeboat-answer') as unknown as Array<
        HTMLElement & { post: LocalPost; updated(changed: Map<string, unknown>): void }
      >;
      for (const a of answers) {
        const original = a.updated.bind(a);
        a.updated = (changed) => {
          renders.set(a.post.id, (renders.get(a.post.id) ?? 0) + 1);
          original(changed);
        };
      }
      client.setThread(INCIDENT_ID, {
        posts: posts.map((p) =>
          p.id === 'BULK007' ? { ...p, counts: { worked: 1, didntWork: 0 } } : p,
        ),
      });
      await settle(el);
      expect([...renders.keys()]).to.deep.equal(['BULK007']);
    });

    describe('a long thread (windowed)', () => {
      const long = (n: number) =>
        Array.from({ length: n }, (_, i) =>
          samplePost({
            id: `LONG${String(i).padStart(4, '0')}`,
            body: `Answer ${i}`,
            // Oldest first under "newest" would reverse them: keep the index order by score.
            score: 1 - i / n,
          }),
        );
      const items = (el: LifeboatThread) => qa(el, 'ol[part="list"] > li');
      const positions = (el: LifeboatThread) =>
        items(el).map((li) => Number(li.getAttribute('aria-posinset')));
      afterEach(() => window.scrollTo(0, 0));

      it('renders only the posts near the viewport, as list items that say where they are', async () => {
        ready(long(500));
        const el = await thread(client);
        await settle(el);
        const rendered = items(el);
        expect(rendered.length).to.be.greaterThan(0).and.lessThan(60);
        expect(rendered[0]!.getAttribute('aria-setsize')).to.equal('500');
        expect(positions(el)[0]).to.equal(1);
        expect(rendered.every((li) => li.querySelector('article'))).to.be.true;
        // The rows not rendered keep their room: the list is as tall as all of them.
        const list = q(el, 'ol[part="list"]');
        expect(list.getBoundingClientRect().height).to.be.greaterThan(rendered.length * 100 * 4);
        await expect(el).to.be.accessible();
      });

      it('renders the rows that scroll into view', async () => {
        ready(long(500));
        const el = await thread(client);
        await settle(el);
        const list = q(el, 'ol[part="list"]');
        const target = list.getBoundingClientRect().top + window.scrollY + list.offsetHeight / 2;
        window.scrollTo(0, target);
        await waitUntil(() => !positions(el).includes(1), 'the first rows left the DOM');
        await settle(el);
        const shown = positions(el);
        expect(Math.min(...shown)).to.be.greaterThan(100);
        expect(Math.max(...shown)).to.be.lessThan(450);
        // What is rendered is what is in the viewport.
        const visible = items(el).filter((li) => {
          const r = li.getBoundingClientRect();
          return r.bottom > 0 && r.top < innerHeight;
        });
        expect(visible.length).to.be.greaterThan(0);
        // Back at the top, the first rows come back.
        window.scrollTo(0, 0);
        await waitUntil(() => positions(el).includes(1), 'the first rows are back');
      });

      it('reveals a post far down, focused, and keeps it while the reader scrolls away', async () => {
        ready(long(500));
        const el = await thread(client);
        await settle(el);
        expect(q(el, '#lifeboat-post-LONG0449')).to.be.null;
        expect(el.revealPost('LONG0449')).to.be.true;
        expect(root(el).activeElement?.id).to.equal('lifeboat-post-LONG0449');
        const li = q(el, 'li[data-key="LONG0449"]');
        expect(li.getAttribute('aria-posinset')).to.equal('450');
        window.scrollTo(0, 0);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        await settle(el);
        expect(positions(el)).to.include(1);
        expect(q(el, 'li[data-key="LONG0449"]')).to.equal(li);
        expect(root(el).activeElement?.id).to.equal('lifeboat-post-LONG0449');
      });

      it('shows held answers that sort far down: renders, scrolls to and focuses the first', async () => {
        const posts = long(500);
        ready(posts);
        const el = await thread(client);
        await settle(el);
        client.setThread(INCIDENT_ID, {
          posts: [...posts, samplePost({ id: 'LATE', body: 'Late but here', score: -1 })],
        });
        await settle(el);
        q<HTMLButtonElement>(el, '[part="new-answers"]').click();
        await waitUntil(() => root(el).activeElement?.id === 'lifeboat-post-LATE', 'focused');
        expect(q(el, 'li[data-key="LATE"]').getAttribute('aria-posinset')).to.equal('501');
        expect(q(el, 'li[data-key="LATE"]').getAttribute('aria-setsize')).to.equal('501');
      });

      it('keeps what the reader sees in place when rows of unknown height render above it', async () => {
        // Rows of very different heights: the estimate for rows never rendered is wrong.
        ready(
          long(400).map((p, i) =>
            i % 3
              ? p
              : { ...p, body: Array.from({ length: 12 }, (_, k) => `Line ${k}`).join('\n\n') },
          ),
        );
        const el = await thread(client);
        await settle(el);
        const list = q(el, 'ol[part="list"]');
        window.scrollTo(
          0,
          list.getBoundingClientRect().top + window.scrollY + list.offsetHeight * 0.6,
        );
        const frames = async (n: number) => {
          for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r));
          await settle(el);
        };
        await frames(4);
        // The row at the top of the viewport.
        const atTop = () =>
          items(el).find((li) => {
            const r = li.getBoundingClientRect();
            return r.top <= 10 && r.bottom > 10;
          });
        for (let step = 0; step < 6; step++) {
          const row = atTop()!;
          expect(row, 'a row at the top of the viewport').to.exist;
          const top = row.getBoundingClientRect().top;
          window.scrollBy(0, -500);
          await frames(4);
          expect(row.isConnected, 'still rendered').to.be.true;
          expect(Math.abs(row.getBoundingClientRect().top - (top + 500))).to.be.lessThan(2);
        }
      });

      it('applies a live change to a rendered row in place', async () => {
        const posts = long(500);
        ready(posts);
        const el = await thread(client);
        await settle(el);
        const first = q(el, '#lifeboat-post-LONG0000');
        client.setThread(INCIDENT_ID, {
          posts: posts.map((p) =>
            p.id === 'LONG0001' ? { ...p, counts: { worked: 5, didntWork: 0 } } : p,
          ),
        });
        await settle(el);
        expect(q(el, '#lifeboat-post-LONG0000')).to.equal(first);
        expect(q(el, '#lifeboat-post-LONG0001 [data-kind="worked"]').textContent).to.contain('5');
      });
    });

    it('shows a deleted post as a tombstone in its place, replies kept', async () => {
      ready(
        samplePosts().map((p) =>
          p.id === '01HZANSWER000000000000000A'
            ? { ...p, body: '', deletedAt: new Date().toISOString() }
            : p,
        ),
      );
      const el = await thread(client);
      await settle(el);
      const tomb = q(el, '#lifeboat-post-01HZANSWER000000000000000A');
      expect(tomb.textContent).to.contain('This post was deleted.');
      expect(tomb.querySelector('button')).to.be.null;
      expect(q(el, '.replies #lifeboat-post-01HZREPLY0000000000000000A')).to.exist;
      await expect(el).to.be.accessible();
    });

    it('shows a post waiting in the offline outbox', async () => {
      ready([{ ...samplePost({ id: 'Q1' }), local: 'pending' }]);
      const el = await thread(client);
      await settle(el);
      expect(q(el, '#lifeboat-post-Q1').textContent).to.contain('Waiting for a connection');
    });

    it('renders fenced code blocks verbatim', async () => {
      ready([
        samplePost({
          id: 'C1',
          body: 'Run:\n```sh\ncurl https://x.test/a\n- not a list\n```\nDone',
        }),
      ]);
      const el = await thread(client);
      await settle(el);
      const body = q(el, '#lifeboat-post-C1 [part="body"]');
      expect(body.querySelector('pre code')!.textContent).to.equal(
        'curl https://x.test/a\n- not a list',
      );
      expect(body.querySelector('a')).to.be.null;
      expect(body.querySelector('li')).to.be.null;
      expect(body.textContent).to.contain('Done');
    });

    it('orders by the server score after verified, pinned and staff posts', async () => {
      ready([
        samplePost({ id: 'LOW', score: 0.1, counts: { worked: 9, didntWork: 0 } }),
        samplePost({ id: 'HIGH', score: 0.7, counts: { worked: 2, didntWork: 0 } }),
        samplePost({
          id: 'STAFF',
          score: 0,
          author: { id: 'st', displayName: 'Acme', role: 'staff', staff: true },
        }),
      ]);
      const el = await thread(client);
      await settle(el);
      const ids = qa(el, 'ol[part="list"] > li > lifeboat-answer article').map((a) => a.id);
      expect(ids).to.deep.equal(['lifeboat-post-STAFF', 'lifeboat-post-HIGH', 'lifeboat-post-LOW']);
    });

    it('loads more with a button; the page appears at once, not held', async () => {
      ready();
      client.setThread(INCIDENT_ID, { nextCursor: 'c1' });
      const el = await thread(client);
      await settle(el);
      const more = q<HTMLButtonElement>(el, '[part="load-more"]');
      expect(more.textContent!.trim()).to.equal('Load more answers');
      const original = client.loadMore.bind(client);
      client.loadMore = async (incidentId: string) => {
        await original(incidentId);
        client.setThread(INCIDENT_ID, {
          posts: [...samplePosts(), samplePost({ id: 'PAGE2', body: 'Older page' })],
          nextCursor: null,
        });
      };
      more.click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(client.callsOf('loadMore')).to.deep.equal([[INCIDENT_ID]]);
      expect(q(el, '#lifeboat-post-PAGE2')).to.exist;
      expect(q(el, '[part="new-answers"]')).to.be.null;
      expect(q(el, '[part="load-more"]')).to.be.null;
    });
  });

  describe('attributes', () => {
    afterEach(() => localStorage.removeItem('lifeboat:thread-sort'));

    it('remembers the sort chosen by the visitor', async () => {
      ready();
      const el = await thread(client);
      const newest = [...qa(el, '[part="sort"] button')].find((b) =>
        b.textContent!.includes('Newest'),
      )!;
      newest.click();
      await settle(el);
      expect(el.sort).to.equal('newest');
      const again = await thread(client);
      expect(again.sort).to.equal('newest');
      expect(q(again, '[part="sort"] [aria-pressed="true"]').textContent).to.contain('Newest');
    });

    it('is accessible in light and dark', async () => {
      ready();
      for (const theme of ['light', 'dark']) {
        const el = await fixture<LifeboatThread>(
          html`<lifeboat-thread .client=${client} theme=${theme}></lifeboat-thread>`,
        );
        await settle(el);
        await expect(el).to.be.accessible();
      }
    });

    it('switches sort to newest', async () => {
      ready();
      const el = await thread(client);
      el.sort = 'newest';
      await settle(el);
      const ids = qa(el, 'ol[part="list"] > li > lifeboat-answer article').map((a) => a.id);
      expect(ids[2]).to.equal('lifeboat-post-01HZANSWER000000000000000A');
      expect(q(el, '[part="sort"] [aria-pressed="true"]').textContent).to.contain('Newest');
    });
  });

  describe('events', () => {
    it('sets, switches and clears confirmations with lifeboat-confirm', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const worked = (): HTMLButtonElement =>
        q(el, '#lifeboat-post-01HZANSWER000000000000000A [data-kind="worked"]');
      const listener = oneEvent(el, 'lifeboat-confirm');
      worked().click();
      expect((await listener).detail).to.deep.equal({
        incidentId: INCIDENT_ID,
        postId: '01HZANSWER000000000000000A',
        kind: 'worked',
      });
      await settle(el);
      expect(worked().getAttribute('aria-pressed')).to.equal('true');
      expect(worked().textContent!.trim()).to.equal('Worked for me (4)');
      worked().click();
      await settle(el);
      expect(client.callsOf('react').map((a) => a[2])).to.deep.equal(['worked', null]);
      expect(worked().getAttribute('aria-pressed')).to.equal('false');
    });

    it('does not react when lifeboat-confirm is canceled', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      el.addEventListener('lifeboat-confirm', (e) => e.preventDefault());
      q<HTMLButtonElement>(el, '[data-kind="worked"]').click();
      expect(client.callsOf('react')).to.have.length(0);
    });
  });

  describe('composer', () => {
    it('validates required fields with aria-invalid and focus', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      q<HTMLButtonElement>(el, '[part="submit-button"]').click();
      await settle(el);
      const name = q<HTMLInputElement>(el, 'input[name="displayName"]');
      const body = q<HTMLTextAreaElement>(el, 'textarea');
      expect(name.getAttribute('aria-invalid')).to.equal('true');
      expect(body.getAttribute('aria-invalid')).to.equal('true');
      expect(root(el).activeElement).to.equal(name);
      const describedBy = body.getAttribute('aria-describedby')!.split(' ');
      expect(
        describedBy.map((id) => root(el).getElementById(id)?.textContent).join(' '),
      ).to.contain('required');
      expect(client.callsOf('post')).to.have.length(0);
    });

    it('starts a session, posts, fires lifeboat-post and clears the textarea', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      q<HTMLInputElement>(el, 'input[name="displayName"]').value = 'Ana';
      q<HTMLTextAreaElement>(el, 'textarea').value = 'Restarting the agent fixed it.';
      const listener = oneEvent(el, 'lifeboat-post');
      q<HTMLButtonElement>(el, '[part="submit-button"]').click();
      expect((await listener).detail).to.deep.include({
        incidentId: INCIDENT_ID,
        body: 'Restarting the agent fixed it.',
      });
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(client.callsOf('startSession')).to.deep.equal([['Ana']]);
      const [[incidentId, request, ...options]] = client.callsOf('post') as [
        [string, { id: string }, ...unknown[]],
      ];
      expect(incidentId).to.equal(INCIDENT_ID);
      expect(request).to.deep.equal({
        id: request.id,
        kind: 'answer',
        body: 'Restarting the agent fixed it.',
      });
      expect(request.id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(options).to.deep.equal([]);
      expect(q<HTMLTextAreaElement>(el, 'textarea').value).to.equal('');
      expect(q(el, '.posting-as').textContent).to.contain('Ana');
    });

    it('queues an answer written offline before any session, and says so', async () => {
      ready();
      client.postLocal = 'pending';
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
      try {
        const el = await thread(client);
        await settle(el);
        q<HTMLInputElement>(el, 'input[name="displayName"]').value = 'Ana';
        q<HTMLTextAreaElement>(el, 'textarea').value = 'Written in a tunnel';
        q<HTMLButtonElement>(el, '[part="submit-button"]').click();
        await new Promise((r) => setTimeout(r));
        await settle(el);
        expect(client.callsOf('startSession')).to.have.length(0);
        expect(client.callsOf('post')).to.have.length(1);
        // The name typed goes with the post: its guest session is made with it later.
        expect(client.callsOf('post')[0]![2]).to.deep.equal({ displayName: 'Ana' });
        expect(q<HTMLTextAreaElement>(el, 'textarea').value).to.equal('');
        expect(q(el, '[role="status"][aria-live="polite"]').textContent).to.contain(
          'sent when you are back online',
        );
      } finally {
        delete (navigator as { onLine?: boolean }).onLine;
      }
    });

    it('does not post when lifeboat-post is canceled', async () => {
      ready();
      client.$session.set({
        token: 't',
        member: { id: 'me', displayName: 'Me', role: 'member', staff: false },
        expiresAt: '',
      });
      const el = await thread(client);
      await settle(el);
      el.addEventListener('lifeboat-post', (e) => e.preventDefault());
      q<HTMLTextAreaElement>(el, 'textarea').value = 'Hello';
      q<HTMLButtonElement>(el, '[part="submit-button"]').click();
      await new Promise((r) => setTimeout(r));
      expect(client.callsOf('post')).to.have.length(0);
      expect(q<HTMLTextAreaElement>(el, 'textarea').value).to.equal('Hello');
    });

    it('maps server field errors to the fields and keeps the text', async () => {
      ready();
      client.$session.set({
        token: 't',
        member: { id: 'me', displayName: 'Me', role: 'member', staff: false },
        expiresAt: '',
      });
      client.postError = new FakeLifeboatError('Invalid', {
        errors: [{ field: 'body', message: 'Too many links.' }],
      });
      const el = await thread(client);
      await settle(el);
      q<HTMLTextAreaElement>(el, 'textarea').value = 'https://a.test';
      q<HTMLButtonElement>(el, '[part="submit-button"]').click();
      await new Promise((r) => setTimeout(r, 20));
      await settle(el);
      const body = q<HTMLTextAreaElement>(el, 'textarea');
      expect(body.getAttribute('aria-invalid')).to.equal('true');
      expect(body.value).to.equal('https://a.test');
      expect(root(el).activeElement).to.equal(body);
      expect(q(el, 'lifeboat-composer').textContent).to.contain('Too many links.');
    });
  });

  describe('replies, edits and deletes', () => {
    const mine = (overrides: Partial<LocalPost> = {}): LocalPost =>
      samplePost({ id: 'OWN1', body: 'My first take', author: SESSION.member, ...overrides });

    it('opens a reply form under an answer and posts a reply with lifeboat-post', async () => {
      client.$session.set(SESSION);
      ready();
      const el = await thread(client);
      await settle(el);
      const reply = root(el).querySelector<HTMLButtonElement>(
        '#lifeboat-post-01HZANSWER000000000000000A ~ * [part="reply-button"], lifeboat-answer:has(#lifeboat-post-01HZANSWER000000000000000A) [part="reply-button"]',
      )!;
      expect(reply.getAttribute('aria-label')).to.equal('Reply to Sam K.');
      reply.click();
      await settle(el);
      const form = q(el, '.reply-composer form');
      expect(form.textContent).to.contain('Reply to Sam K.');
      await expect(el).to.be.accessible();
      const textarea = form.querySelector('textarea')!;
      expect(root(el).activeElement).to.equal(textarea);
      textarea.value = 'Same fix worked here';
      const listener = oneEvent(el, 'lifeboat-post');
      form.querySelector<HTMLButtonElement>('[part="submit-button"]')!.click();
      expect((await listener).detail).to.deep.equal({
        incidentId: INCIDENT_ID,
        body: 'Same fix worked here',
        kind: 'reply',
        parentId: '01HZANSWER000000000000000A',
      });
      await new Promise((r) => setTimeout(r));
      await settle(el);
      const [[, request]] = client.callsOf('post') as [[string, { id: string }]];
      expect(request).to.deep.equal({
        id: request.id,
        kind: 'reply',
        body: 'Same fix worked here',
        parentId: '01HZANSWER000000000000000A',
      });
      expect(q(el, '.reply-composer')).to.be.null;
    });

    it('closes the reply form with Escape or Cancel; no Reply on replies or in a locked thread', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      expect(q(el, '#lifeboat-post-01HZREPLY0000000000000000A [part="reply-button"]')).to.be.null;
      q<HTMLButtonElement>(el, '[part="reply-button"]').click();
      await settle(el);
      q(el, '.reply-composer textarea').dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
      );
      await settle(el);
      expect(q(el, '.reply-composer')).to.be.null;
      client.setThread(INCIDENT_ID, { threadState: 'locked' });
      await settle(el);
      expect(q(el, '[part="reply-button"]')).to.be.null;
    });

    it('previews the safe text subset while writing', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const textarea = q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea');
      textarea.value = '- one\n- `two`';
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
      const toggle = [...qa(el, 'lifeboat-composer button')].find(
        (b) => b.textContent!.trim() === 'Preview',
      )!;
      toggle.click();
      await settle(el);
      expect(toggle.getAttribute('aria-pressed')).to.equal('true');
      const preview = q(el, '[role="region"][aria-label="Preview of your text"]');
      expect(preview.querySelectorAll('li')).to.have.length(2);
      expect(preview.querySelector('code')!.textContent).to.equal('two');
    });

    it('edits an own post within the window and shows "edited"', async () => {
      client.$session.set(SESSION);
      ready([...samplePosts(), mine()]);
      const el = await thread(client);
      await settle(el);
      expect(q(el, '#lifeboat-post-01HZANSWER000000000000000A [part="edit-button"]')).to.be.null;
      const edit = q<HTMLButtonElement>(
        el,
        'lifeboat-answer:has(#lifeboat-post-OWN1) [part="edit-button"]',
      );
      edit.click();
      await settle(el);
      const textarea = q<HTMLTextAreaElement>(
        el,
        'lifeboat-answer:has(#lifeboat-post-OWN1) textarea',
      );
      expect(textarea.value).to.equal('My first take');
      await expect(el).to.be.accessible();
      textarea.value = 'My better take';
      q<HTMLButtonElement>(
        el,
        'lifeboat-answer:has(#lifeboat-post-OWN1) [part="submit-button"]',
      ).click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(client.callsOf('editPost')).to.deep.equal([
        [INCIDENT_ID, 'OWN1', { body: 'My better take' }],
      ]);
      const article = q(el, '#lifeboat-post-OWN1');
      expect(article.textContent).to.contain('My better take');
      expect(article.textContent).to.contain('edited');
      expect(q(el, 'lifeboat-answer:has(#lifeboat-post-OWN1) textarea')).to.be.null;
    });

    it('keeps the text and shows the reason when an edit is refused', async () => {
      client.$session.set(SESSION);
      ready([mine()]);
      client.editError = new FakeLifeboatError(
        'A post can be edited only within 15 minutes of posting.',
        {
          status: 403,
        },
      );
      const el = await thread(client);
      await settle(el);
      q<HTMLButtonElement>(el, '[part="edit-button"]').click();
      await settle(el);
      q<HTMLTextAreaElement>(el, 'lifeboat-answer textarea').value = 'Too late';
      q<HTMLButtonElement>(el, 'lifeboat-answer [part="submit-button"]').click();
      await new Promise((r) => setTimeout(r, 20));
      await settle(el);
      expect(q<HTMLTextAreaElement>(el, 'lifeboat-answer textarea').value).to.equal('Too late');
      expect(q(el, 'lifeboat-answer [role="alert"]').textContent).to.contain('within 15 minutes');
    });

    it('deletes an own post after confirmation, leaving a tombstone', async () => {
      client.$session.set(SESSION);
      ready([...samplePosts(), mine()]);
      const el = await thread(client);
      await settle(el);
      q<HTMLButtonElement>(
        el,
        'lifeboat-answer:has(#lifeboat-post-OWN1) [part="delete-button"]',
      ).click();
      await settle(el);
      const group = q(el, 'lifeboat-answer:has(#lifeboat-post-OWN1) [role="group"]');
      expect(group.getAttribute('aria-label')).to.equal('Delete this post?');
      expect(client.callsOf('deletePost')).to.have.length(0);
      [...group.querySelectorAll('button')].find((b) => b.textContent!.includes('Yes'))!.click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(client.callsOf('deletePost')).to.deep.equal([[INCIDENT_ID, 'OWN1']]);
      expect(q(el, '#lifeboat-post-OWN1').textContent).to.contain('This post was deleted.');
    });

    it("offers no edit or delete on others' posts, after the window, or when locked", async () => {
      client.$session.set(SESSION);
      ready([mine({ createdAt: new Date(Date.now() - 16 * 60_000).toISOString() })]);
      const el = await thread(client);
      await settle(el);
      expect(q(el, '[part="edit-button"]')).to.be.null;
      el.editWindow = 60 * 60_000;
      await settle(el);
      expect(q(el, '[part="edit-button"]')).to.exist;
      client.setThread(INCIDENT_ID, { threadState: 'locked' });
      await settle(el);
      expect(q(el, '[part="edit-button"]')).to.be.null;
      expect(q(el, '[part="delete-button"]')).to.be.null;
    });
  });

  describe('order across pages', () => {
    afterEach(() => localStorage.removeItem('lifeboat:thread-sort'));

    it('asks for pages in the chosen order before listening, and again when it changes', async () => {
      localStorage.setItem('lifeboat:thread-sort', 'newest');
      ready();
      const el = await thread(client);
      await settle(el);
      expect(client.callsOf('sortThread')).to.deep.equal([[INCIDENT_ID, 'newest']]);
      [...qa(el, '[part="sort"] button')].find((b) => b.textContent!.includes('Helpful'))!.click();
      await settle(el);
      expect(client.callsOf('sortThread')).to.deep.equal([
        [INCIDENT_ID, 'newest'],
        [INCIDENT_ID, 'helpful'],
      ]);
    });

    it('shows a first page loaded in a new order at once, not as "new answers"', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      client.sortThread = async (incidentId, sort) => {
        client.calls.push({ method: 'sortThread', args: [incidentId, sort] });
        client.setThread(INCIDENT_ID, {
          sort,
          posts: [samplePost({ id: 'NEWEST1', body: 'From the newest page' }), ...samplePosts()],
        });
      };
      el.sort = 'newest';
      await settle(el);
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(q(el, '#lifeboat-post-NEWEST1')).to.exist;
      expect(q(el, '[part="new-answers"]')).to.be.null;
    });
  });

  describe('moderation (visitor side)', () => {
    const reportButton = (el: LifeboatThread, id: string) =>
      q<HTMLButtonElement>(el, `lifeboat-answer:has(#lifeboat-post-${id}) [part="report-button"]`);
    const form = (el: LifeboatThread, id: string) =>
      q<HTMLFormElement>(el, `lifeboat-answer:has(#lifeboat-post-${id}) [part="report-form"]`);

    it("offers Report on others' published posts only", async () => {
      client.$session.set(SESSION);
      ready([
        ...samplePosts(),
        samplePost({ id: 'MINE', author: SESSION.member }),
        { ...samplePost({ id: 'SENDING' }), local: 'sending' },
        samplePost({ id: 'GONE', deletedAt: new Date().toISOString(), body: '' }),
      ]);
      const el = await thread(client);
      await settle(el);
      const button = reportButton(el, '01HZANSWER000000000000000A');
      expect(button.textContent!.trim()).to.equal('Report');
      expect(button.getAttribute('aria-label')).to.equal('Report the post by Sam K.');
      expect(button.getAttribute('aria-expanded')).to.equal('false');
      expect(reportButton(el, 'MINE')).to.be.null;
      expect(reportButton(el, 'SENDING')).to.be.null;
      expect(reportButton(el, 'GONE')).to.be.null;
    });

    it('reports a post with a reason and a note, fires lifeboat-flag and thanks the reader', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const id = '01HZANSWER000000000000000A';
      reportButton(el, id).click();
      await settle(el);
      expect(reportButton(el, id).getAttribute('aria-expanded')).to.equal('true');
      const f = form(el, id);
      expect(reportButton(el, id).getAttribute('aria-controls')).to.equal(f.id);
      expect(root(el).activeElement).to.equal(f.querySelector('input[value="spam"]'));
      const reasons = [...f.querySelectorAll<HTMLInputElement>('input[name="reason"]')];
      expect(reasons.map((r) => r.value)).to.deep.equal([
        'spam',
        'phishing',
        'dangerous',
        'abusive',
        'off_topic',
        'other',
      ]);
      await expect(el).to.be.accessible();

      // No reason chosen: said on the radios, focus on the first, nothing sent.
      f.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await settle(el);
      expect(reasons[0]!.getAttribute('aria-invalid')).to.equal('true');
      const errorId = reasons[0]!.getAttribute('aria-describedby')!;
      expect(root(el).getElementById(errorId)!.textContent).to.contain('Choose a reason');
      expect(client.callsOf('flag')).to.have.length(0);

      reasons[1]!.click();
      f.querySelector('textarea')!.value = 'Fake login page';
      const listener = oneEvent(el, 'lifeboat-flag');
      f.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      expect((await listener).detail).to.deep.equal({
        incidentId: INCIDENT_ID,
        postId: id,
        reason: 'phishing',
        note: 'Fake login page',
      });
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(client.callsOf('flag')).to.deep.equal([[id, 'phishing', 'Fake login page']]);
      expect(form(el, id)).to.be.null;
      const done = q(el, `lifeboat-answer:has(#lifeboat-post-${id}) [role="status"]`);
      expect(done.textContent).to.contain('the moderators will review this post');
      expect(root(el).activeElement).to.equal(done);
      await expect(el).to.be.accessible();
    });

    it('says when the report hid the post, and shows a failed report in the form', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const id = '01HZANSWER000000000000000A';
      client.flagError = new FakeLifeboatError('Too many reports.', {
        status: 429,
        code: 'rate_limited',
      });
      reportButton(el, id).click();
      await settle(el);
      form(el, id).querySelector<HTMLInputElement>('input[value="spam"]')!.click();
      form(el, id).querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(form(el, id).querySelector('[role="alert"]')!.textContent).to.contain(
        'could not be sent. Too many reports.',
      );
      client.flagHides = true;
      form(el, id).querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(
        q(el, `lifeboat-answer:has(#lifeboat-post-${id}) [role="status"]`).textContent,
      ).to.contain('hidden until a moderator reviews it');
    });

    it('closes the report form with Escape or Cancel, focus back on Report; a canceled lifeboat-flag sends nothing', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const id = '01HZANSWER000000000000000A';
      reportButton(el, id).click();
      await settle(el);
      form(el, id).dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
      );
      await settle(el);
      expect(form(el, id)).to.be.null;
      expect(root(el).activeElement).to.equal(reportButton(el, id));
      el.addEventListener('lifeboat-flag', (e) => e.preventDefault());
      reportButton(el, id).click();
      await settle(el);
      form(el, id).querySelector<HTMLInputElement>('input[value="other"]')!.click();
      form(el, id).querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      expect(client.callsOf('flag')).to.have.length(0);
      expect(form(el, id)).to.exist;
      [...form(el, id).querySelectorAll('button')]
        .find((b) => b.textContent!.includes('Cancel'))!
        .click();
      await settle(el);
      expect(form(el, id)).to.be.null;
    });

    it("shows the author's own pending post as waiting for review, and announces it", async () => {
      client.$session.set(SESSION);
      client.postState = 'pending';
      ready();
      const el = await thread(client);
      await settle(el);
      q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea').value = 'Try https://fix.example';
      q<HTMLButtonElement>(el, 'lifeboat-composer [part="submit-button"]').click();
      await new Promise((r) => setTimeout(r));
      await settle(el);
      const [[, request]] = client.callsOf('post') as [[string, { id: string }]];
      const note = q(el, `#lifeboat-post-${request.id} [part="pending-review"]`);
      expect(note.textContent!.trim()).to.equal('Waiting for review — only you can see this');
      expect(q(el, `#lifeboat-post-${request.id} [part="confirm"]`)).to.be.null;
      expect(q(el, `#lifeboat-post-${request.id} [part="report-button"]`)).to.be.null;
      expect(q(el, '[role="status"][aria-live="polite"]').textContent).to.contain(
        'waiting for review',
      );
      // Not counted among the published answers.
      expect(q(el, '[part="heading"]').textContent).to.contain('4 answers');
      await expect(el).to.be.accessible();
    });

    it('turns a post removed or hidden by the moderators into a tombstone in place, replies kept', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      const articles = () => qa(el, 'ol[part="list"] article');
      const before = articles().map((a) => a.getBoundingClientRect().top);
      const first = articles()[0]!;
      client.setThread(INCIDENT_ID, {
        posts: samplePosts().map((p) =>
          p.id === '01HZANSWER000000000000000A' ? { ...p, state: 'removed' as const } : p,
        ),
      });
      await settle(el);
      const tomb = q(el, '#lifeboat-post-01HZANSWER000000000000000A');
      expect(tomb.textContent!.trim()).to.equal('Removed by a moderator');
      expect(tomb.textContent).not.to.contain('backoff');
      expect(tomb.querySelector('button')).to.be.null;
      expect(q(el, '.replies #lifeboat-post-01HZREPLY0000000000000000A')).to.exist;
      // What was above stays where it was.
      expect(articles()[0]).to.equal(first);
      expect(articles()[0]!.getBoundingClientRect().top).to.equal(before[0]);
      client.setThread(INCIDENT_ID, {
        posts: samplePosts().map((p) =>
          p.id === '01HZSTAFF0000000000000000A' ? { ...p, state: 'hidden' as const } : p,
        ),
      });
      await settle(el);
      expect(q(el, '#lifeboat-post-01HZSTAFF0000000000000000A').textContent!.trim()).to.equal(
        'Hidden while the moderators review it',
      );
      expect(q(el, '[part="heading"]').textContent).to.contain('3 answers');
      await expect(el).to.be.accessible();
    });

    it('draws the staff badge from author.staff only, and SSO badges and avatar as given', async () => {
      ready([
        samplePost({
          id: 'SSO1',
          author: {
            id: 'm-sso',
            displayName: 'Kim',
            role: 'member',
            staff: false,
            badges: ['Enterprise', 'Staff', ' moderator '],
            avatarUrl: 'https://cdn.example/kim.png',
          },
        }),
        samplePost({
          id: 'SSO2',
          author: {
            id: 'm-sso2',
            displayName: 'Staff Lee',
            role: 'member',
            staff: false,
            avatarUrl: 'javascript:alert(1)',
          },
        }),
      ]);
      const el = await thread(client);
      await settle(el);
      const kim = q(el, '#lifeboat-post-SSO1');
      expect(kim.querySelector('[part="staff-badge"]')).to.be.null;
      expect(
        [...kim.querySelectorAll('[part="member-badge"]')].map((b) => b.textContent),
      ).to.deep.equal(['Enterprise']);
      const img = kim.querySelector<HTMLImageElement>('.avatar img')!;
      expect(img.getAttribute('src')).to.equal('https://cdn.example/kim.png');
      expect(img.getAttribute('alt')).to.equal('');
      expect(img.getAttribute('referrerpolicy')).to.equal('no-referrer');
      const lee = q(el, '#lifeboat-post-SSO2');
      expect(lee.querySelector('[part="staff-badge"]')).to.be.null;
      expect(lee.querySelector('img')).to.be.null;
      await expect(el).to.be.accessible();
    });
    for (const theme of ['light', 'dark']) {
      it(`is accessible (${theme}) with a report form, a pending post, a tombstone and slow mode`, async () => {
        client.$session.set(SESSION);
        ready([
          ...samplePosts().map((p) =>
            p.id === '01HZSTAFF0000000000000000A' ? { ...p, state: 'removed' as const } : p,
          ),
          samplePost({ id: 'PEND', author: SESSION.member, state: 'pending' }),
          samplePost({
            id: 'SSO',
            author: { id: 's', displayName: 'Kim', role: 'member', staff: false, badges: ['Pro'] },
          }),
        ]);
        client.postError = Object.assign(
          new FakeLifeboatError('Slow mode is on.', { status: 429, code: 'slow_mode' }),
          { retryAfter: 30 },
        );
        const el = await fixture<LifeboatThread>(
          html`<lifeboat-thread .client=${client} theme=${theme}></lifeboat-thread>`,
        );
        await settle(el);
        q<HTMLButtonElement>(
          el,
          'lifeboat-answer:has(#lifeboat-post-SSO) [part="report-button"]',
        ).click();
        q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea').value = 'Fast';
        q<HTMLButtonElement>(el, 'lifeboat-composer [part="submit-button"]').click();
        await new Promise((r) => setTimeout(r, 20));
        await settle(el);
        expect(q(el, '[part="report-form"]')).to.exist;
        expect(q(el, '[part="pending-review"]')).to.exist;
        await expect(el).to.be.accessible();
      });
    }
  });

  describe('composer refusals', () => {
    beforeEach(() => client.$session.set(SESSION));
    const submit = async (el: LifeboatThread, text: string) => {
      q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea').value = text;
      q<HTMLButtonElement>(el, 'lifeboat-composer [part="submit-button"]').click();
      await new Promise((r) => setTimeout(r, 20));
      await settle(el);
    };

    it('shows banned words on the field and keeps the text; the refused copy is not kept in the list', async () => {
      ready();
      client.postError = new FakeLifeboatError('Content rejected', {
        code: 'content_rejected',
        errors: [
          { field: 'body', message: 'This contains a word this site does not allow: "crypto".' },
        ],
      });
      const el = await thread(client);
      await settle(el);
      await submit(el, 'free crypto here');
      const body = q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea');
      expect(body.value).to.equal('free crypto here');
      expect(body.getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, 'lifeboat-composer').textContent).to.contain('does not allow: "crypto"');
      const [[, request]] = client.callsOf('post') as [[string, { id: string }]];
      expect(client.callsOf('discardPost')).to.deep.equal([[INCIDENT_ID, request.id]]);
      await expect(el).to.be.accessible();
    });

    it('counts slow mode down with the submit button waiting, then lets the member post', async () => {
      ready();
      client.postError = Object.assign(
        new FakeLifeboatError('Slow mode is on.', { status: 429, code: 'slow_mode' }),
        { retryAfter: 2 },
      );
      const el = await thread(client);
      await settle(el);
      await submit(el, 'Posting too fast');
      const countdown = q(el, 'lifeboat-composer [part="retry-after"]');
      expect(countdown.textContent!.trim()).to.equal('Slow mode: you can post again in 2 s.');
      expect(q(el, 'lifeboat-composer [role="alert"]').textContent).to.contain('Slow mode');
      const button = q<HTMLButtonElement>(el, 'lifeboat-composer [part="submit-button"]');
      expect(button.disabled).to.be.true;
      expect(button.getAttribute('aria-describedby')).to.equal(countdown.id);
      expect(q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea').value).to.equal(
        'Posting too fast',
      );
      await expect(el).to.be.accessible();
      await waitUntil(
        () => q(el, 'lifeboat-composer [part="retry-after"]')?.textContent?.includes('1 s'),
        'counts down',
        { timeout: 5000 },
      );
      await waitUntil(() => !button.disabled, 'may post again', { timeout: 5000 });
      expect(q(el, 'lifeboat-composer [part="retry-after"]')).to.be.null;
      button.click();
      await new Promise((r) => setTimeout(r, 20));
      expect(client.callsOf('post')).to.have.length(2);
    });

    it('says a banned member can no longer post, keeping the text', async () => {
      ready();
      client.postError = new FakeLifeboatError('You are banned from this site until tomorrow.', {
        status: 403,
        code: 'banned',
      });
      const el = await thread(client);
      await settle(el);
      await submit(el, 'Hello again');
      expect(q(el, 'lifeboat-composer [role="alert"]').textContent).to.contain(
        'You can no longer post in this thread. You are banned from this site until tomorrow.',
      );
      expect(q<HTMLTextAreaElement>(el, 'lifeboat-composer textarea').value).to.equal(
        'Hello again',
      );
    });

    it('keeps a copy that failed for want of a network in the list (Retry), not discarded', async () => {
      ready();
      client.postError = new FakeLifeboatError('Network', { status: 0, code: 'network' });
      const el = await thread(client);
      await settle(el);
      await submit(el, 'Flaky wifi');
      expect(client.callsOf('discardPost')).to.have.length(0);
    });
  });

  describe('keyboard', () => {
    it('delegates focus and reveals a post on lifeboat-navigate', async () => {
      ready();
      const el = await thread(client);
      await settle(el);
      window.dispatchEvent(
        new CustomEvent('lifeboat-navigate', {
          detail: { incidentId: INCIDENT_ID, postId: '01HZSTAFF0000000000000000A' },
        }),
      );
      expect(root(el).activeElement?.id).to.equal('lifeboat-post-01HZSTAFF0000000000000000A');
    });
  });
});
