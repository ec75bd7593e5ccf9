import { expect, fixture, html, oneEvent } from '@open-wc/testing';
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
      const buttons = [...article.querySelectorAll('button')];
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

    it('appends live posts from others and announces them politely', async () => {
      ready();
      const el = await thread(client);
      client.setThread(INCIDENT_ID, {
        posts: [...samplePosts(), samplePost({ id: 'NEW1', body: 'Fresh' })],
      });
      await settle(el);
      expect(q(el, '#lifeboat-post-NEW1')).to.exist;
      expect(q(el, '[role="status"][aria-live="polite"]').textContent).to.contain('1 new answer');
    });
  });

  describe('attributes', () => {
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
      expect(client.callsOf('post')).to.deep.equal([
        [INCIDENT_ID, { kind: 'answer', body: 'Restarting the agent fixed it.' }],
      ]);
      expect(q<HTMLTextAreaElement>(el, 'textarea').value).to.equal('');
      expect(q(el, '.posting-as').textContent).to.contain('Ana');
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
