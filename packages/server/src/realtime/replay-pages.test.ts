import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../store/store.js';
import { ReplayPages } from './stream.js';

/** A log of `n` events; `reads` counts the store reads the cache makes. */
function log(n: number, payloadChars = 20) {
  const events: StoredEvent[] = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    type: 'post.created',
    payload: JSON.stringify({ type: 'post.created', seq: i + 1, pad: 'x'.repeat(payloadChars) }),
  }));
  const reads: number[] = [];
  const read = async (_site: string, after: number, limit: number) => {
    reads.push(after);
    await new Promise((r) => setImmediate(r));
    return events.filter((e) => e.seq > after).slice(0, limit);
  };
  return { events, reads, read };
}

describe('replay pages shared between resuming clients', () => {
  it('reads each full page once for many replays from the same cursor', async () => {
    const { reads, read } = log(120);
    const pages = new ReplayPages(read);
    const replays = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const seen: number[] = [];
        let after = 1;
        for (;;) {
          const { events, pageEnd, more } = await pages.get('s', after);
          seen.push(...events.map((e) => e.seq));
          after = pageEnd;
          if (!more) return seen;
        }
      }),
    );
    for (const seen of replays) expect(seen).toEqual(Array.from({ length: 119 }, (_, i) => i + 2));
    // the two full pages once each (the partial last page is shared only by reads in flight)
    expect(reads.filter((a) => a === 1)).toHaveLength(1);
    expect(reads.filter((a) => a === 51)).toHaveLength(1);
  });

  it('reads a page again after 2 s, and never keeps a partial page', async () => {
    let t = 0;
    const { reads, read } = log(60);
    const pages = new ReplayPages(read, () => t);
    await pages.get('s', 0);
    await pages.get('s', 0);
    expect(reads).toEqual([0]);
    t = 2500;
    await pages.get('s', 0);
    expect(reads).toEqual([0, 0]);
    await pages.get('s', 50);
    await pages.get('s', 50);
    expect(reads).toEqual([0, 0, 50, 50]);
  });

  it('keeps pages within its payload budget, oldest out first', async () => {
    // 50 events of ~100 KB: 5 MB a page, so the 8 MB budget holds one page
    const { reads, read } = log(200, 100_000);
    const pages = new ReplayPages(read);
    await pages.get('s', 0);
    await pages.get('s', 50);
    await pages.get('s', 50);
    await pages.get('s', 0);
    expect(reads).toEqual([0, 50, 0]);
  });
});
