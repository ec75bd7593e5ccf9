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
      payload: JSON.stringify({ type: 'affected.changed', seq, incidentId: 'i', count: seq }),
    });
    return seq;
  };
  return { store, append, reads: () => reads };
}

function sink() {
  const chunks: string[] = [];
  return {
    chunks,
    write: (c: string) => chunks.push(c),
    end: () => undefined,
    ids: () =>
      chunks.filter((c) => c.startsWith('id: ')).map((c) => Number(c.slice(4, c.indexOf('\n')))),
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
    expect(a.chunks.some((c) => c.startsWith('event: ready'))).toBe(true);
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
});
