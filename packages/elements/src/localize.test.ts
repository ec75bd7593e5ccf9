import { expect } from '@open-wc/testing';
import { formatNumber, plural, setMessages } from './localize.js';

const forms = { one: '# answer', other: '# answers' };

describe('localize', () => {
  afterEach(() => setMessages({ locale: 'en' }));

  it('formats English counts like Intl does (without making an Intl formatter for small ones)', () => {
    for (const n of [0, 1, 2, 7, 999, 1000, 12345, -3])
      expect(formatNumber(n)).to.equal(new Intl.NumberFormat('en').format(n));
    expect(plural(1, forms)).to.equal('1 answer');
    for (const n of [0, 2, 1000])
      expect(plural(n, forms)).to.equal(`${new Intl.NumberFormat('en').format(n)} answers`);
  });

  it('uses the locale’s own digits, grouping and plural rules elsewhere', () => {
    setMessages({ locale: 'fr' });
    // French: 0 and 1 are "one"; a narrow no-break space groups thousands.
    expect(plural(0, forms)).to.equal('0 answer');
    expect(formatNumber(1234)).to.equal(new Intl.NumberFormat('fr').format(1234));
    setMessages({ locale: 'ar-EG' });
    expect(formatNumber(7)).to.equal(new Intl.NumberFormat('ar-EG').format(7));
    expect(formatNumber(7)).not.to.equal('7');
  });
});
