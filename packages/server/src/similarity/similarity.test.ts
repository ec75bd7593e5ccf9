import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorkaroundFields } from '@lifeboat/protocol';
import {
  SIMILARITY_THRESHOLD,
  findSimilar,
  fingerprint,
  normalize,
  similarity,
  trigrams,
  jaccard,
} from './similarity.js';

interface LabelledPair {
  a: string;
  b: Pick<WorkaroundFields, 'title' | 'steps'>;
  duplicate: boolean;
}

const { pairs } = JSON.parse(
  fs.readFileSync(new URL('./labelled-pairs.json', import.meta.url), 'utf8'),
) as { pairs: LabelledPair[] };

/** The precision this method must keep on the labelled set (a wrong "looks alike" costs trust). */
const PRECISION_TARGET = 0.9;
const RECALL_TARGET = 0.8;

const workaround = (title: string, steps: string[]) => ({
  workaround: { title, steps, risk: 'safe' as const },
});

describe('normalize', () => {
  it('lowercases, folds accents, drops punctuation and stopwords, stems lightly', () => {
    expect(normalize('Restarting the Café’s workers, then retry!')).toEqual([
      'restart',
      'cafe',
      'worker',
      'retry',
    ]);
    expect(normalize('   ,,, the a of   ')).toEqual([]);
  });

  it('makes padded character trigrams and Jaccard of sets', () => {
    expect([...trigrams(['api'])]).toEqual([' ap', 'api', 'pi ']);
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
    expect(jaccard(new Set(), new Set(['a']))).toBe(0);
  });
});

describe('similarity on the labelled pairs', () => {
  it(`keeps precision ≥ ${PRECISION_TARGET} and recall ≥ ${RECALL_TARGET} at the threshold`, () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const pair of pairs) {
      const alike = similarity(pair.a, fingerprint(pair.b)) >= SIMILARITY_THRESHOLD;
      if (alike && pair.duplicate) tp++;
      else if (alike) fp++;
      else if (pair.duplicate) fn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(
      `similarity: ${pairs.length} pairs, threshold ${SIMILARITY_THRESHOLD}: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn})`,
    );
    expect(pairs.length).toBeGreaterThanOrEqual(30);
    expect(precision).toBeGreaterThanOrEqual(PRECISION_TARGET);
    expect(recall).toBeGreaterThanOrEqual(RECALL_TARGET);
  });
});

describe('findSimilar', () => {
  const candidates = [
    workaround('Switch to the EU API endpoint', ['Set the base URL to https://eu.api.acme.com']),
    workaround('Restart your webhook workers', ['Stop the worker', 'Start it again']),
    { workaround: null },
  ];

  it('finds a near-duplicate title first and leaves unrelated ones out', () => {
    const found = findSimilar('Use the EU endpoint', candidates);
    expect(found).toHaveLength(1);
    expect(found[0]!.item.workaround!.title).toBe('Switch to the EU API endpoint');
    expect(found[0]!.score).toBeGreaterThanOrEqual(SIMILARITY_THRESHOLD);
  });

  it('returns nothing for unrelated or too short text', () => {
    expect(findSimilar('Flush the DNS cache', candidates)).toEqual([]);
    expect(findSimilar('the EU', candidates)).toEqual([]);
  });
});
