import { expect, fixture, html } from '@open-wc/testing';
import type { EmailSubscriptionRequest } from '@lifeboat/protocol';
import { FakeClient } from '../testing/fake-client.js';
import { FakeLifeboatError } from '../testing/fake-error.js';
import { INCIDENT_ID, sampleStatus } from '../testing/sample-data.js';
import type { LifeboatEmailUpdates } from './subscribe.js';
import './subscribe.js';

const q = <T extends Element = HTMLElement>(el: LifeboatEmailUpdates, selector: string): T =>
  el.shadowRoot!.querySelector<T>(selector)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const settle = async (el: LifeboatEmailUpdates) => {
  await sleep(10);
  await el.updateComplete;
};

async function widget(client: FakeClient, incident: string | null = INCIDENT_ID) {
  const el = await fixture<LifeboatEmailUpdates>(
    html`<lifeboat-email-updates .client=${client} .incident=${incident}></lifeboat-email-updates>`,
  );
  await el.updateComplete;
  return el;
}

async function openForm(el: LifeboatEmailUpdates) {
  q<HTMLButtonElement>(el, '[part="toggle-button"]').click();
  await settle(el);
}

function typeEmail(el: LifeboatEmailUpdates, value: string) {
  const input = q<HTMLInputElement>(el, '[part="email-input"]');
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

async function submit(el: LifeboatEmailUpdates) {
  q<HTMLButtonElement>(el, '[part="submit-button"]').click();
  await settle(el);
}

const subscribed = (client: FakeClient) =>
  client.callsOf('subscribeByEmail') as Array<[string, EmailSubscriptionRequest]>;

describe('<lifeboat-email-updates>', () => {
  // axe loads once per file: slow on a busy machine.
  before(async function () {
    this.timeout(60_000);
    await expect(await fixture(html`<p>Warm-up</p>`)).to.be.accessible();
  });

  describe('accessibility', () => {
    it('is accessible closed and open', async () => {
      const el = await widget(new FakeClient({ status: sampleStatus() }));
      await expect(el).to.be.accessible();
      await openForm(el);
      await expect(el).to.be.accessible();
    });

    it('is accessible with errors shown', async () => {
      const el = await widget(new FakeClient({ status: sampleStatus() }));
      await openForm(el);
      await submit(el);
      await expect(el).to.be.accessible();
    });

    it('is accessible once sent', async () => {
      const el = await widget(new FakeClient({ status: sampleStatus() }));
      await openForm(el);
      typeEmail(el, 'dana@example.com');
      await submit(el);
      await expect(el).to.be.accessible();
    });

    it('the toggle says whether the form is open', async () => {
      const el = await widget(new FakeClient({ status: sampleStatus() }));
      const toggle = q(el, '[part="toggle-button"]');
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      await openForm(el);
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '[part="email-input"]'));
    });
  });

  describe('defaults', () => {
    it('renders nothing without an incident', async () => {
      const el = await widget(new FakeClient({ status: sampleStatus() }), null);
      expect(q(el, '[part="toggle-button"]')).to.equal(null);
    });

    it('asks for both kinds of update by default', async () => {
      const client = new FakeClient({ status: sampleStatus() });
      const el = await widget(client);
      await openForm(el);
      typeEmail(el, '  dana@example.com ');
      await submit(el);
      expect(subscribed(client)).to.deep.equal([
        [INCIDENT_ID, { email: 'dana@example.com', onVerified: true, onResolved: true }],
      ]);
      const done = q(el, '[part="confirmation"]');
      expect(done.getAttribute('role')).to.equal('status');
      expect(done.textContent).to.contain('We sent a link to dana@example.com');
    });
  });

  describe('validation', () => {
    it('shows inline messages, marks fields invalid and sends nothing', async () => {
      const client = new FakeClient({ status: sampleStatus() });
      const el = await widget(client);
      await openForm(el);
      typeEmail(el, 'not an address');
      q<HTMLInputElement>(el, 'input[name="onVerified"]').click();
      q<HTMLInputElement>(el, 'input[name="onResolved"]').click();
      await submit(el);
      const input = q<HTMLInputElement>(el, '[part="email-input"]');
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      const describedBy = input.getAttribute('aria-describedby')!.split(' ');
      const error = describedBy.map((id) => el.shadowRoot!.getElementById(id)).at(-1)!;
      expect(error.textContent).to.contain('Enter an email address');
      expect(el.shadowRoot!.activeElement).to.equal(input);
      expect(q(el, 'fieldset').textContent).to.contain('Choose at least one kind of update');
      expect(subscribed(client)).to.deep.equal([]);
    });

    it("shows the server's field message and its refusals", async () => {
      const client = new FakeClient({ status: sampleStatus() });
      const el = await widget(client);
      await openForm(el);
      typeEmail(el, 'dana@example.com');
      client.subscribeError = new FakeLifeboatError('The request is not valid', {
        status: 400,
        errors: [{ field: 'email', message: 'This address cannot receive mail.' }],
      });
      await submit(el);
      expect(q(el, '[part="form"]').textContent).to.contain('This address cannot receive mail.');
      client.subscribeError = new FakeLifeboatError('Too many', {
        status: 429,
        code: 'rate_limited',
      });
      await submit(el);
      expect(q(el, '[role="alert"]').textContent).to.contain('Too many requests for now');
      expect(q(el, '[part="form"]')).to.exist;
    });
  });

  describe('keyboard', () => {
    it('submits with Enter in the address field', async () => {
      const client = new FakeClient({ status: sampleStatus() });
      const el = await widget(client);
      await openForm(el);
      typeEmail(el, 'dana@example.com');
      q<HTMLFormElement>(el, 'form').requestSubmit();
      await settle(el);
      expect(subscribed(client).length).to.equal(1);
    });
  });
});
