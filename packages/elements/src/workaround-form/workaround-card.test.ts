import { expect, fixture, html } from '@open-wc/testing';
import type { StatusComponent } from '@lifeboat/protocol';
import { sampleWorkaround } from '../testing/sample-data.js';
import type { LifeboatAnswer } from '../thread/answer.js';
import '../thread/answer.js';

const components: StatusComponent[] = [{ id: 'api', name: 'REST API', status: 'major_outage' }];

async function card(expiresAt: string | null | undefined): Promise<LifeboatAnswer> {
  const post = sampleWorkaround();
  post.workaround = { ...post.workaround!, expiresAt };
  const el = await fixture<LifeboatAnswer>(
    html`<lifeboat-answer .post=${post} .components=${components}></lifeboat-answer>`,
  );
  await el.updateComplete;
  return el;
}

describe('workaround card (<lifeboat-answer> of a workaround)', () => {
  it('is accessible and shows steps, component name, risk badge and "until resolved"', async () => {
    const el = await card(null);
    await expect(el).to.be.accessible();
    expect([...el.querySelectorAll('.steps li')].map((li) => li.textContent)).to.have.length(3);
    expect(el.querySelector('.facts')!.textContent).to.contain('REST API');
    expect(el.querySelector('[part="risk-badge"]')!.textContent).to.equal('Temporary');
    expect(el.querySelector('[part="expiry"]')!.textContent!.trim()).to.equal(
      'Until the incident is resolved',
    );
    expect(el.querySelectorAll('[part="confirm-button"]')).to.have.length(2);
  });

  it('shows the expiry time, or that it expired', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const future = await card(later);
    const time = future.querySelector('[part="expiry"] time')!;
    expect(time.getAttribute('datetime')).to.equal(later);
    expect(time.textContent).to.match(/^Until /);
    const past = await card(new Date(Date.now() - 60_000).toISOString());
    expect(past.querySelector('[part="expiry"]')!.textContent).to.match(/Expired /);
  });
});
