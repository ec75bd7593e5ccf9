import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import type { CreatePostRequest, WorkaroundFields } from '@lifeboat/protocol';
import { FakeClient } from '../testing/fake-client.js';
import { FakeLifeboatError } from '../testing/fake-error.js';
import { INCIDENT_ID, samplePost, sampleStatus, sampleWorkaround } from '../testing/sample-data.js';
import type { LifeboatWorkaroundForm } from './workaround-form.js';
import './workaround-form.js';

const q = <T extends Element = HTMLElement>(el: LifeboatWorkaroundForm, selector: string): T =>
  el.shadowRoot!.querySelector<T>(selector)!;
const all = <T extends Element = HTMLElement>(
  el: LifeboatWorkaroundForm,
  selector: string,
): T[] => [...el.shadowRoot!.querySelectorAll<T>(selector)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function type(el: LifeboatWorkaroundForm, selector: string, value: string): void {
  const input = q<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

function choose(el: LifeboatWorkaroundForm, name: string, value: string): void {
  q<HTMLInputElement>(el, `input[name="${name}"][value="${value}"]`).click();
}

function select(el: LifeboatWorkaroundForm, value: string): void {
  const component = q<HTMLSelectElement>(el, '#component');
  component.value = value;
  component.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

const settle = async (el: LifeboatWorkaroundForm): Promise<void> => {
  await sleep(10);
  await el.updateComplete;
};

const submit = async (el: LifeboatWorkaroundForm): Promise<void> => {
  q<HTMLButtonElement>(el, '[part="submit-button"]').click();
  await settle(el);
};

const posted = (client: FakeClient, n = 0) =>
  client.callsOf('post')[n] as [string, CreatePostRequest];

async function form(client: FakeClient): Promise<LifeboatWorkaroundForm> {
  const el = await fixture<LifeboatWorkaroundForm>(
    html`<lifeboat-workaround-form .client=${client}></lifeboat-workaround-form>`,
  );
  await el.updateComplete;
  return el;
}

async function fill(el: LifeboatWorkaroundForm): Promise<void> {
  if (q(el, '#displayName')) type(el, '#displayName', 'Ana');
  type(el, '#title', 'Use the EU endpoint');
  type(el, '#step-0', 'Open settings');
  await el.updateComplete;
  choose(el, 'risk', 'temporary');
  await el.updateComplete;
}

async function addStep(el: LifeboatWorkaroundForm, text: string): Promise<void> {
  q<HTMLButtonElement>(el, '[part="add-step-button"]').click();
  await el.updateComplete;
  await el.updateComplete;
  const inputs = all<HTMLInputElement>(el, '.step input');
  type(el, `#${inputs[inputs.length - 1]!.id}`, text);
  await el.updateComplete;
}

const stepValues = (el: LifeboatWorkaroundForm) =>
  all<HTMLInputElement>(el, '.step input').map((i) => i.value);

/** A time `hours` from now as a datetime-local value. */
function localTime(hours: number): string {
  const t = Date.now() + hours * 3_600_000;
  return new Date(t - new Date(t).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** A client whose outbox queues posts while offline (`local: 'pending'`), like the SDK's. */
class QueueingClient extends FakeClient {
  queue = true;
  override async post(incidentId: string, request: CreatePostRequest) {
    if (!this.queue) return super.post(incidentId, request);
    this.calls.push({ method: 'post', args: [incidentId, request] });
    const local = {
      ...samplePost({
        id: request.id!,
        kind: 'workaround',
        body: request.body,
        workaround: request.workaround ?? null,
      }),
      local: 'pending' as const,
    };
    const others = this.thread(incidentId)
      .get()
      .posts.filter((p) => p.id !== local.id);
    this.setThread(incidentId, { posts: [...others, local] });
    return local;
  }

  /** The outbox sends the queued post on its own: the thread now holds the server's post. */
  deliverQueued(incidentId: string): void {
    this.setThread(incidentId, {
      posts: this.thread(incidentId)
        .get()
        .posts.map(({ local: _, ...p }) => p),
    });
  }
}

class RateLimited extends FakeLifeboatError {
  override readonly retryAfter = 7;
  constructor() {
    super('Too many requests', { status: 429, code: 'rate_limited' });
  }
}

describe('<lifeboat-workaround-form>', () => {
  let client: FakeClient;
  beforeEach(() => {
    localStorage.clear();
    client = new FakeClient();
    client.setStatus(sampleStatus('major'));
  });

  describe('accessibility', () => {
    it('is accessible', async () => {
      const el = await form(client);
      await expect(el).to.be.accessible();
    });

    it('is accessible with errors shown', async () => {
      const el = await form(client);
      await submit(el);
      await expect(el).to.be.accessible();
    });

    it('is accessible with several steps, an expiry time and similar workarounds shown', async () => {
      client.similarResults = [{ post: sampleWorkaround(), score: 0.7 }];
      const el = await form(client);
      await fill(el);
      await addStep(el, 'Retry');
      choose(el, 'expiryMode', 'time');
      await sleep(350);
      await el.updateComplete;
      expect(q(el, '[part="similar"]')).to.exist;
      await expect(el).to.be.accessible();
    });

    it('is accessible with a failed submission', async () => {
      client.postError = new FakeLifeboatError('Network error', { status: 0, code: 'network' });
      const el = await form(client);
      await fill(el);
      await submit(el);
      await expect(el).to.be.accessible();
    });
  });

  describe('fields', () => {
    it('lists components from the status with a "Not sure" option', async () => {
      const el = await form(client);
      const options = [...q<HTMLSelectElement>(el, '#component').options].map((o) => o.textContent);
      expect(options).to.deep.equal(['Not sure', 'REST API', 'Webhooks', 'Dashboard']);
      // The incident's affected components come first, in their own group.
      const groups = all<HTMLOptGroupElement>(el, '#component optgroup');
      expect(groups.map((g) => g.label)).to.deep.equal([
        'Affected by this incident',
        'Other components',
      ]);
      expect([...groups[0]!.children].map((o) => o.textContent)).to.deep.equal([
        'REST API',
        'Webhooks',
      ]);
    });

    it('adds and removes steps, keeping at least one', async () => {
      const el = await form(client);
      expect(q(el, '[part="remove-step-button"]')).to.be.null;
      q<HTMLButtonElement>(el, '[part="add-step-button"]').click();
      await el.updateComplete;
      await el.updateComplete;
      expect(all(el, '.step')).to.have.length(2);
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#step-1'));
      const remove = all<HTMLButtonElement>(el, '[part="remove-step-button"]');
      expect(remove[1]!.getAttribute('aria-label')).to.equal('Remove step 2');
      remove[1]!.click();
      await el.updateComplete;
      expect(all(el, '.step')).to.have.length(1);
    });

    it('reorders steps with move up / move down buttons; focus follows the moved step', async () => {
      const el = await form(client);
      type(el, '#step-0', 'First');
      await addStep(el, 'Second');
      await addStep(el, 'Third');
      const labels = all(el, '[part="move-step-button"]').map((b) => b.getAttribute('aria-label'));
      expect(labels).to.deep.equal([
        'Move step 1 down',
        'Move step 2 up',
        'Move step 2 down',
        'Move step 3 up',
      ]);
      q<HTMLButtonElement>(el, '#step-2-up').click();
      await settle(el);
      expect(stepValues(el)).to.deep.equal(['First', 'Third', 'Second']);
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#step-1-up'));
      q<HTMLButtonElement>(el, '#step-1-up').click();
      await settle(el);
      expect(stepValues(el)).to.deep.equal(['Third', 'First', 'Second']);
      // At the top there is no "up": focus goes to the step's "down" button.
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#step-0-down'));
    });

    it('moves a step with Alt+ArrowUp/Down from its input, keeping focus in it', async () => {
      const el = await form(client);
      type(el, '#step-0', 'First');
      await addStep(el, 'Second');
      const second = q<HTMLInputElement>(el, '#step-1');
      second.focus();
      second.dispatchEvent(
        new KeyboardEvent('keydown', {
          key: 'ArrowUp',
          altKey: true,
          bubbles: true,
          composed: true,
        }),
      );
      await settle(el);
      expect(stepValues(el)).to.deep.equal(['Second', 'First']);
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#step-0'));
      // Without Alt, arrows stay with the text field.
      q(el, '#step-0').dispatchEvent(
        new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true, composed: true }),
      );
      await settle(el);
      expect(stepValues(el)).to.deep.equal(['Second', 'First']);
    });

    it('sends expiry "until the incident is resolved" by default, or the chosen time', async () => {
      const el = await form(client);
      await fill(el);
      expect(q<HTMLInputElement>(el, 'input[name="expiryMode"][value="resolved"]').checked).to.be
        .true;
      expect(q(el, '#expiresAt')).to.be.null;
      choose(el, 'expiryMode', 'time');
      await el.updateComplete;
      const time = localTime(3);
      type(el, '#expiresAt', time);
      await submit(el);
      const [, request] = posted(client);
      expect(request.workaround!.expiresAt).to.equal(new Date(time).toISOString());
    });
  });

  describe('validation', () => {
    it('shows required errors with aria-invalid and focuses the first invalid field', async () => {
      const el = await form(client);
      await submit(el);
      for (const id of ['#displayName', '#title', '#step-0']) {
        expect(q(el, id).getAttribute('aria-invalid'), id).to.equal('true');
      }
      expect(q(el, '#title').getAttribute('aria-describedby')).to.contain('title-error');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#displayName'));
      expect(el.matches(':state(invalid)')).to.be.true;
      expect(client.callsOf('post')).to.have.length(0);
    });

    it('requires a risk note when risky', async () => {
      const el = await form(client);
      await fill(el);
      choose(el, 'risk', 'risky');
      await el.updateComplete;
      await submit(el);
      expect(q(el, '#riskNote').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#riskNote-error').textContent).to.contain('Explain the risk');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#riskNote'));
    });

    it('refuses a title that is too short, with the shared limit', async () => {
      const el = await form(client);
      await fill(el);
      type(el, '#title', 'abc');
      await submit(el);
      expect(q(el, '#title-error').textContent).to.equal('Use at least 4 characters.');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#title'));
    });

    it('allows https links only, naming the step (blank steps in between do not shift it)', async () => {
      const el = await form(client);
      await fill(el);
      await addStep(el, '');
      await addStep(el, 'see http://mirror.test');
      await submit(el);
      expect(q(el, '#step-2').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#step-2').getAttribute('aria-describedby')).to.equal('step-2-error');
      expect(q(el, '#step-2-error').textContent).to.equal('Only https links are allowed.');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#step-2'));
    });

    it('allows at most 5 links', async () => {
      const el = await form(client);
      await fill(el);
      type(el, '#step-0', Array.from({ length: 6 }, (_, i) => `https://${i}.test`).join(' '));
      await submit(el);
      expect(q(el, '#step-0-error').textContent).to.equal('Use at most 5 links.');
    });

    it('requires a time in the future when the expiry is a time', async () => {
      const el = await form(client);
      await fill(el);
      choose(el, 'expiryMode', 'time');
      await el.updateComplete;
      await submit(el);
      expect(q(el, '#expiresAt-error').textContent).to.equal('This field is required.');
      type(el, '#expiresAt', localTime(-2));
      await submit(el);
      expect(q(el, '#expiresAt').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#expiresAt-error').textContent).to.equal('Choose a time in the future.');
      expect(client.callsOf('post')).to.have.length(0);
    });

    it('maps server field errors (workaround.steps.N) onto the right step and keeps everything', async () => {
      const el = await form(client);
      await fill(el);
      await addStep(el, '   ');
      await addStep(el, 'Reload');
      client.postError = new FakeLifeboatError('Invalid', {
        errors: [
          { field: 'workaround.title', message: 'Title looks like spam.' },
          { field: 'workaround.steps.1', message: 'Too many links.' },
        ],
      });
      await submit(el);
      expect(q(el, '#title').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#title-error').textContent).to.equal('Title looks like spam.');
      // Wire step 1 is the third field: the blank second one is not sent.
      expect(q(el, '#step-2-error').textContent).to.equal('Too many links.');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#title'));
      expect(q(el, '[part="outcome"]').getAttribute('role')).to.equal('alert');
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Use the EU endpoint');
    });
  });

  describe('drafts', () => {
    it('restores the draft — steps in order, component, expiry — after the element is re-created', async () => {
      const first = await form(client);
      type(first, '#title', 'Restart the agent');
      type(first, '#step-0', 'sudo systemctl restart agent');
      await addStep(first, 'Check the logs');
      q<HTMLButtonElement>(first, '#step-1-up').click();
      await settle(first);
      select(first, 'webhooks');
      choose(first, 'expiryMode', 'time');
      await first.updateComplete;
      first.remove();
      const el = await form(client);
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Restart the agent');
      expect(stepValues(el)).to.deep.equal(['Check the logs', 'sudo systemctl restart agent']);
      expect(q<HTMLSelectElement>(el, '#component').value).to.equal('webhooks');
      expect(q<HTMLInputElement>(el, 'input[name="expiryMode"][value="time"]').checked).to.be.true;
      expect(el.shadowRoot!.textContent).to.contain('Draft restored');
    });
  });

  describe('similar workarounds', () => {
    it('suggests similar workarounds 300 ms after typing, and confirms one instead', async () => {
      client.similarResults = [{ post: sampleWorkaround(), score: 0.7 }];
      const el = await form(client);
      type(el, '#title', 'Use the E');
      type(el, '#title', 'Use the EU endpoint');
      await sleep(100);
      expect(client.callsOf('similarWorkarounds')).to.have.length(0);
      await sleep(300);
      await el.updateComplete;
      expect(client.callsOf('similarWorkarounds')).to.deep.equal([
        [INCIDENT_ID, 'Use the EU endpoint'],
      ]);
      const section = q(el, '[part="similar"]');
      expect(section.textContent).to.contain('Use the EU endpoint for API calls');
      expect(section.textContent).to.contain('12 members say it worked');
      expect(q(el, '[role="status"]').textContent).to.contain('1 similar workaround found');
      const confirm = q<HTMLButtonElement>(el, '[part="similar-confirm-button"]');
      expect(confirm.getAttribute('aria-pressed')).to.equal('false');
      confirm.click();
      await settle(el);
      expect(client.callsOf('react')).to.deep.equal([
        [INCIDENT_ID, '01HZWORKAROUND00000000000A', 'worked'],
      ]);
      expect(confirm.getAttribute('aria-pressed')).to.equal('true');
      expect(confirm.textContent).to.contain('Thanks');
      expect(client.callsOf('post')).to.have.length(0);
    });

    it('shows nothing while nothing looks alike', async () => {
      const el = await form(client);
      type(el, '#title', 'Flush the DNS cache');
      await sleep(350);
      await el.updateComplete;
      expect(client.callsOf('similarWorkarounds')).to.have.length(1);
      expect(q(el, '[part="similar"]')).to.be.null;
    });
  });

  describe('outcomes', () => {
    it('fires lifeboat-workaround-submit, posts the workaround and resets', async () => {
      const el = await form(client);
      await fill(el);
      type(el, '#platform', 'EU');
      select(el, 'api');
      const submitted = oneEvent(el, 'lifeboat-workaround-submit');
      const created = oneEvent(el, 'lifeboat-workaround-created');
      q<HTMLButtonElement>(el, '[part="submit-button"]').click();
      const expected: WorkaroundFields = {
        title: 'Use the EU endpoint',
        steps: ['Open settings'],
        component: 'api',
        platform: 'EU',
        risk: 'temporary',
        riskNote: null,
        expiresAt: null,
      };
      expect((await submitted).detail).to.deep.equal(expected);
      expect((await created).detail.post.kind).to.equal('workaround');
      await el.updateComplete;
      const [incidentId, request] = posted(client);
      expect(incidentId).to.equal(INCIDENT_ID);
      expect(request.kind).to.equal('workaround');
      expect(request.workaround).to.deep.equal(expected);
      expect(request.body).to.contain('Open settings');
      expect(q(el, '[part="outcome"]').textContent).to.contain('published');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '[part="outcome"]'));
      expect(el.matches(':state(sent)')).to.be.true;
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('');
      expect(localStorage.length).to.equal(0);
    });

    it('says "waiting for review" for pending workarounds', async () => {
      client.postState = 'pending';
      const el = await form(client);
      await fill(el);
      await submit(el);
      expect(q(el, '[part="outcome"]').textContent).to.contain('waiting for review');
    });

    it('does not post when lifeboat-workaround-submit is canceled', async () => {
      const el = await form(client);
      el.addEventListener('lifeboat-workaround-submit', (e) => e.preventDefault());
      await fill(el);
      await submit(el);
      expect(client.callsOf('post')).to.have.length(0);
    });

    it('keeps everything when offline, retries with the SAME id, and takes a new id only after success', async () => {
      client.postError = new FakeLifeboatError('Network error', { status: 0, code: 'network' });
      const el = await form(client);
      await fill(el);
      await submit(el);
      const outcome = q(el, '[part="outcome"]');
      expect(outcome.getAttribute('role')).to.equal('alert');
      expect(outcome.textContent).to.contain('You are offline');
      expect(el.matches(':state(offline)')).to.be.true;
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Use the EU endpoint');
      const firstId = posted(client, 0)[1].id!;
      expect(firstId).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      // The id of the submission in progress survives a reload.
      expect(localStorage.getItem(`lifeboat:workaround-draft:acme:${INCIDENT_ID}`)).to.contain(
        firstId,
      );

      q<HTMLButtonElement>(el, '[part="outcome"] button').click();
      await settle(el);
      expect(posted(client, 1)[1].id).to.equal(firstId);
      expect(q(el, '[part="outcome"]').textContent).to.contain('published');

      await fill(el);
      await submit(el);
      expect(posted(client, 2)[1].id).to.not.equal(firstId);
    });

    it('says the workaround waits when the SDK queued it offline, and finishes when back online', async () => {
      const queueing = new QueueingClient();
      queueing.setStatus(sampleStatus('major'));
      const el = await form(queueing);
      await fill(el);
      await submit(el);
      expect(q(el, '[part="outcome"]').textContent).to.contain('You are offline');
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Use the EU endpoint');
      queueing.queue = false;
      window.dispatchEvent(new Event('online'));
      await settle(el);
      const ids = queueing.callsOf('post').map((c) => (c[1] as CreatePostRequest).id);
      expect(ids).to.have.length(2);
      expect(ids[1]).to.equal(ids[0]);
      expect(q(el, '[part="outcome"]').textContent).to.contain('published');
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('');
    });

    it('finishes when the SDK outbox delivers the queued workaround on its own (e.g. after a reload)', async () => {
      const queueing = new QueueingClient();
      queueing.setStatus(sampleStatus('major'));
      const first = await form(queueing);
      await fill(first);
      await submit(first);
      first.remove();
      // A reload: the draft (with its id) comes back; then the outbox delivers it.
      const el = await form(queueing);
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Use the EU endpoint');
      const created = oneEvent(el, 'lifeboat-workaround-created');
      queueing.deliverQueued(INCIDENT_ID);
      expect((await created).detail.post.id).to.equal(posted(queueing)[1].id);
      await settle(el);
      expect(q(el, '[part="outcome"]').textContent).to.contain('published');
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('');
      expect(queueing.callsOf('post')).to.have.length(1);
      expect(localStorage.length).to.equal(0);
    });

    it('sends again on its own when the connection comes back', async () => {
      client.postError = new FakeLifeboatError('Network error', { status: 0, code: 'network' });
      const el = await form(client);
      await fill(el);
      await submit(el);
      window.dispatchEvent(new Event('online'));
      await settle(el);
      expect(client.callsOf('post')).to.have.length(2);
      expect(posted(client, 1)[1].id).to.equal(posted(client, 0)[1].id);
      expect(q(el, '[part="outcome"]').textContent).to.contain('published');
    });

    it('shows Retry-After on 429 and holds the retry until then', async () => {
      client.postError = new RateLimited();
      const el = await form(client);
      await fill(el);
      await submit(el);
      expect(q(el, '[part="outcome"]').textContent).to.contain('try again in 7 seconds');
      expect(q<HTMLButtonElement>(el, '[part="outcome"] button').disabled).to.be.true;
      await submit(el);
      expect(client.callsOf('post')).to.have.length(1);
      expect(q<HTMLInputElement>(el, '#step-0').value).to.equal('Open settings');
    });

    it('keeps everything on a server error and offers a retry', async () => {
      client.postError = new FakeLifeboatError('Unexpected error', {
        status: 503,
        code: 'internal',
      });
      const el = await form(client);
      await fill(el);
      await submit(el);
      expect(q(el, '[part="outcome"]').textContent).to.contain('could not be sent');
      q<HTMLButtonElement>(el, '[part="outcome"] button').click();
      await settle(el);
      expect(client.callsOf('post')).to.have.length(2);
      expect(posted(client, 1)[1].id).to.equal(posted(client, 0)[1].id);
    });

    it('sends once on a double click', async () => {
      client.holdPosts = true;
      const el = await form(client);
      await fill(el);
      const button = q<HTMLButtonElement>(el, '[part="submit-button"]');
      button.click();
      button.click();
      await settle(el);
      expect(el.matches(':state(submitting)')).to.be.true;
      client.releasePost();
      await settle(el);
      expect(client.callsOf('post')).to.have.length(1);
    });

    it('silently drops submissions with the honeypot filled', async () => {
      const el = await form(client);
      await fill(el);
      q<HTMLInputElement>(el, '#website').value = 'http://spam.test';
      await submit(el);
      expect(client.callsOf('post')).to.have.length(0);
      expect(q<HTMLInputElement>(el, '#website').tabIndex).to.equal(-1);
    });
  });
});
