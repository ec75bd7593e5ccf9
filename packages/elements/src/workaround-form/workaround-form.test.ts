import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import type { WorkaroundFields } from '@lifeboat/protocol';
import { FakeClient } from '../testing/fake-client.js';
import { FakeLifeboatError } from '../testing/fake-error.js';
import { INCIDENT_ID, sampleStatus } from '../testing/sample-data.js';
import type { LifeboatWorkaroundForm } from './workaround-form.js';
import './workaround-form.js';

const q = <T extends Element = HTMLElement>(el: LifeboatWorkaroundForm, selector: string): T =>
  el.shadowRoot!.querySelector<T>(selector)!;

function type(el: LifeboatWorkaroundForm, selector: string, value: string): void {
  const input = q<HTMLInputElement>(el, selector);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
}

function choose(el: LifeboatWorkaroundForm, risk: string): void {
  const radio = q<HTMLInputElement>(el, `input[name="risk"][value="${risk}"]`);
  radio.click();
}

const submit = async (el: LifeboatWorkaroundForm): Promise<void> => {
  q<HTMLButtonElement>(el, '[part="submit-button"]').click();
  await new Promise((r) => setTimeout(r, 10));
  await el.updateComplete;
};

async function form(client: FakeClient): Promise<LifeboatWorkaroundForm> {
  const el = await fixture<LifeboatWorkaroundForm>(
    html`<lifeboat-workaround-form .client=${client}></lifeboat-workaround-form>`,
  );
  await el.updateComplete;
  return el;
}

async function fill(el: LifeboatWorkaroundForm): Promise<void> {
  type(el, '#displayName', 'Ana');
  type(el, '#title', 'Use the EU endpoint');
  type(el, '#step-0', 'Open settings');
  await el.updateComplete;
  choose(el, 'temporary');
  await el.updateComplete;
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
  });

  describe('defaults', () => {
    it('lists components from the status with a "Not sure" option', async () => {
      const el = await form(client);
      const options = [...q<HTMLSelectElement>(el, '#component').options].map((o) => o.textContent);
      expect(options).to.deep.equal(['Not sure', 'REST API', 'Webhooks', 'Dashboard']);
    });

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
      choose(el, 'risky');
      await el.updateComplete;
      await submit(el);
      expect(q(el, '#riskNote').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#riskNote-error').textContent).to.contain('Explain the risk');
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#riskNote'));
    });

    it('adds and removes steps, keeping at least one', async () => {
      const el = await form(client);
      expect(q(el, '[part="remove-step-button"]')).to.be.null;
      q<HTMLButtonElement>(el, '[part="add-step-button"]').click();
      await el.updateComplete;
      await el.updateComplete;
      expect(el.shadowRoot!.querySelectorAll('.step')).to.have.length(2);
      expect(el.shadowRoot!.activeElement).to.equal(q(el, '#step-1'));
      const remove = el.shadowRoot!.querySelectorAll<HTMLButtonElement>(
        '[part="remove-step-button"]',
      );
      expect(remove[1].getAttribute('aria-label')).to.equal('Remove step 2');
      remove[1].click();
      await el.updateComplete;
      expect(el.shadowRoot!.querySelectorAll('.step')).to.have.length(1);
    });

    it('restores the draft after the element is re-created', async () => {
      const first = await form(client);
      type(first, '#title', 'Restart the agent');
      type(first, '#step-0', 'sudo systemctl restart agent');
      first.remove();
      const el = await form(client);
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Restart the agent');
      expect(q<HTMLInputElement>(el, '#step-0').value).to.equal('sudo systemctl restart agent');
      expect(el.shadowRoot!.textContent).to.contain('Draft restored');
    });
  });

  describe('events', () => {
    it('fires lifeboat-workaround-submit, posts the workaround and resets', async () => {
      const el = await form(client);
      await fill(el);
      type(el, '#platform', 'EU');
      const select = q<HTMLSelectElement>(el, '#component');
      select.value = 'api';
      select.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
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
      };
      expect((await submitted).detail).to.deep.equal(expected);
      expect((await created).detail.post.kind).to.equal('workaround');
      await el.updateComplete;
      const [incidentId, request] = client.callsOf('post')[0] as [
        string,
        { kind: string; workaround: WorkaroundFields; body: string },
      ];
      expect(incidentId).to.equal(INCIDENT_ID);
      expect(request.kind).to.equal('workaround');
      expect(request.workaround).to.deep.equal(expected);
      expect(request.body).to.contain('Open settings');
      expect(q(el, '[part="outcome"]').textContent).to.contain('published');
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

    it('maps server field errors and keeps everything for a retry', async () => {
      client.postError = new FakeLifeboatError('Invalid', {
        errors: [
          { field: 'workaround.title', message: 'Title looks like spam.' },
          { field: 'workaround.steps.0', message: 'Too many links.' },
        ],
      });
      const el = await form(client);
      await fill(el);
      await submit(el);
      expect(q(el, '#title').getAttribute('aria-invalid')).to.equal('true');
      expect(q(el, '#title-error').textContent).to.equal('Title looks like spam.');
      expect(q(el, '#step-0-error').textContent).to.equal('Too many links.');
      expect(q(el, '[part="outcome"]').getAttribute('role')).to.equal('alert');
      expect(q<HTMLInputElement>(el, '#title').value).to.equal('Use the EU endpoint');
      q<HTMLButtonElement>(el, '[part="outcome"] button').click();
      await new Promise((r) => setTimeout(r, 10));
      expect(client.callsOf('post')).to.have.length(2);
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
