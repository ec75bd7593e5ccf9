/** Word matching's folding: printable ASCII folds to itself (the fast path), the rest as before. */
import { describe, expect, it } from 'vitest';
import { findWord } from '../moderation/policy.js';
import { foldForMatching } from './display-name.js';

describe('foldForMatching', () => {
  it('leaves printable ASCII as it is, each character its own origin', () => {
    for (const text of [
      '',
      'Restart the worker, then retry.',
      'tabs\tand\nlines\r\n',
      '~!@#$%^&*()_+{}|:"<>?',
    ]) {
      const folded = foldForMatching(text);
      expect(folded.text).toBe(text);
      expect(folded.origin).toEqual(Array.from({ length: text.length + 1 }, (_, i) => i));
    }
  });

  it('folds the rest: look-alikes, accents, invisible characters, with origins into the raw text', () => {
    const raw = 'Visit cаs\u200Bíno now';
    const folded = foldForMatching(raw);
    expect(folded.text).toBe('Visit casino now');
    expect(raw.slice(folded.origin[6], folded.origin[12])).toBe('cаs\u200Bíno');
  });
});

describe('findWord', () => {
  it('finds a word as written, on either path, and nothing in an empty list', () => {
    expect(findWord('Visit CASINO now', ['casino'])).toBe('CASINO');
    expect(findWord('Visit cаs\u200Bíno now', ['casino'])).toBe('cаs\u200Bíno');
    expect(findWord('casinos and more', ['casino'])).toBeNull();
    expect(findWord('Visit casino now', [])).toBeNull();
    // The same word twice (a compiled pattern reused) still matches.
    expect(findWord('another casino', ['casino'])).toBe('casino');
  });
});
