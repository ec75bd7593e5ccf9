import { describe, expect, it } from 'vitest';
import type { Store, StoredEvent } from '../store/store.js';
import { MemoryHub } from './hub.js';
import { StreamManager } from './stream.js';

/** Just enough of a store for the stream: an event list with slow reads. */
function fakeStore(delayMs: number) {
  const events: StoredEvent[] = [];
  let reads = 0;
  const store = {
    async eventsAfter(_site: string, after: number, limit: number) {
      reads++;
      const snapshot = events.filter((e) => e.seq > after).slice(0, limit);
      await new Promise((r) => setTimeout(r, delayMs));
      return snapshot;
    },
    async eventBounds() {
      return { current: events.length, oldest: events.length ? 1 : null, lastAt: null };
    },
  } as unknown as Store;
  const append = () => {
    const seq = events.length + 1;
    events.push({
      seq,
      type: 'affected.changed',
      // Each for an incident of its own: none replaces another (see latestCounts).
      payload: JSON.stringify({ type: 'affected.changed', seq, incidentId: `i${seq}`, count: 1 }),
    });
    return seq;
  };
  /** An `affected.changed` for `incidentId` (several for one incident replace each other). */
  const appendCount = (incidentId: string, count: number) => {
    const seq = events.length + 1;
    const payload = JSON.stringify({ type: 'affected.changed', seq, incidentId, count });
    events.push({ seq, type: 'affected.changed', payload });
    return seq;
  };
  return { store, append, appendCount, reads: () => reads };
}

function sink() {
  const chunks: string[] = [];
  return {
    chunks,
    write: (c: string) => chunks.push(c),
    end: () => undefined,
    // A write may carry several events.
    ids: () =>
      [...chunks.join('').matchAll(/^id: (\d+)\n(?!event: ready)/gm)].map((m) => Number(m[1])),
  };
}

describe('StreamManager', () => {
  it('joins without gaps or doubles while events arrive during the replay', async () => {
    const { store, append } = fakeStore(20);
    const hub = new MemoryHub();
    const streams = new StreamManager(store, hub, 60_000);
    append();
    append();
    append();
    const a = sink();
    const opening = streams.open({ siteId: 's', lastEventId: 0, sink: a });
    await new Promise((r) => setTimeout(r, 5)); // replay read is in flight
    hub.publish({ site: 's', seq: append() });
    await opening;
    await new Promise((r) => setTimeout(r, 60));
    hub.publish({ site: 's', seq: append() });
    await new Promise((r) => setTimeout(r, 60));
    expect(a.ids()).toEqual([1, 2, 3, 4, 5]);
    expect(a.chunks.some((c) => c.includes('event: ready\n'))).toBe(true);
    streams.close();
  });

  it('a live batch sends only the last count per incident; every stream moves past the batch', async () => {
    const { store, appendCount } = fakeStore(1);
    const hub = new MemoryHub();
    const streams = new StreamManager(store, hub, 60_000);
    const a = sink();
    await streams.open({ siteId: 's', lastEventId: null, sink: a });
    // One notice for four events: one batch.
    appendCount('i1', 1);
    appendCount('i2', 1);
    appendCount('i1', 2);
    hub.publish({ site: 's', seq: appendCount('i1', 3) });
    await new Promise((r) => setTimeout(r, 30));
    expect(a.ids()).toEqual([2, 4]);
    expect(a.chunks.join('')).toContain('"incidentId":"i1","count":3');
    expect(a.chunks.join('')).not.toContain('"count":2');
    // The next event follows on: nothing of the batch is sent again.
    hub.publish({ site: 's', seq: appendCount('i1', 4) });
    await new Promise((r) => setTimeout(r, 30));
    expect(a.ids()).toEqual([2, 4, 5]);
    streams.close();
  });

  it('reads the store once per notice for all subscribers of a site', async () => {
    const { store, append, reads } = fakeStore(1);
    const hub = new MemoryHub();
    const streams = new StreamManager(store, hub, 60_000);
    const sinks = Array.from({ length: 50 }, () => sink());
    await Promise.all(sinks.map((s) => streams.open({ siteId: 's', lastEventId: null, sink: s })));
    const before = reads();
    hub.publish({ site: 's', seq: append() });
    await new Promise((r) => setTimeout(r, 30));
    expect(reads() - before).toBe(1);
    for (const s of sinks) expect(s.ids()).toEqual([1]);
    streams.close();
  });

  it('on a large channel, a lone event goes out at once and a burst in a few writes', async () => {
    const { store, append } = fakeStore(1);
    const hub = new MemoryHub();
    const streams = new StreamManager(store, hub, 60_000);
    const sinks = Array.from({ length: 600 }, () => sink());
    for (const s of sinks) await streams.open({ siteId: 's', lastEventId: null, sink: s });
    const writes = () => sinks[0]!.chunks.length;
    const start = writes();
    hub.publish({ site: 's', seq: append() });
    await new Promise((r) => setTimeout(r, 30)); // the store read takes 1 ms; pacing would take 100
    expect(sinks[0]!.ids()).toEqual([1]); // the leading edge: no wait
    // 50 notices in a burst: every stream gets all 50 events, in far fewer than 50 writes
    for (let i = 0; i < 50; i++) {
      hub.publish({ site: 's', seq: append() });
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 350));
    const ids = Array.from({ length: 51 }, (_, i) => i + 1);
    for (const s of sinks) expect(s.ids()).toEqual(ids);
    expect(writes() - start).toBeLessThan(10);
    streams.close();
  });
});
