/**
 * Staff events on the shared sequence: the public stream skips them in its replay, while it joins
 * (buffered) and live, and still advances past them; the staff stream gets everything. A fake
 * store with a gate holds the replay open so events arrive during the join.
 */
import { describe, expect, it } from 'vitest';
import type { Store, StoredEvent } from '../store/store.js';
import { MemoryHub } from './hub.js';
import { StreamManager, type SseSink } from './stream.js';

function fakeStore() {
  const events: StoredEvent[] = [];
  let gate: Promise<void> | null = null;
  const store = {
    async eventsAfter(_site: string, after: number, limit: number) {
      if (gate) await gate;
      return events.filter((e) => e.seq > after).slice(0, limit);
    },
    async eventBounds() {
      return { current: events.length, oldest: events.length ? 1 : null, lastAt: null };
    },
  } as unknown as Store;
  const add = (audience: 'public' | 'staff') => {
    const seq = events.length + 1;
    const type = audience === 'staff' ? 'moderation.audit' : 'post.updated';
    events.push({ seq, type, payload: JSON.stringify({ type, seq }), audience });
    return seq;
  };
  return {
    store,
    add,
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
}

function sink(): SseSink & { ids(): number[]; ready(): number } {
  const chunks: string[] = [];
  return {
    write: (c: string) => chunks.push(c),
    end: () => undefined,
    ids: () =>
      chunks.flatMap((c) =>
        [...c.matchAll(/^id: (\d+)\n(?!event: ready)/gm)].map((m) => Number(m[1])),
      ),
    ready: () => {
      const c = chunks.find((x) => x.includes('event: ready\n'))!;
      return (JSON.parse(c.split('data: ')[1]!) as { lastEventId: number }).lastEventId;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('StreamManager audiences', () => {
  it('replays, buffers and delivers live without staff events on the public stream', async () => {
    const { store, add, hold } = fakeStore();
    const hub = new MemoryHub();
    const streams = new StreamManager(store, hub, 60_000);
    add('public'); // 1
    add('staff'); // 2
    add('public'); // 3

    const release = hold();
    const pub = sink();
    const staff = sink();
    const opening = Promise.all([
      streams.open({ siteId: 's', lastEventId: 0, sink: pub }),
      streams.open({ siteId: 's', lastEventId: 0, sink: staff, staff: true }),
    ]);
    // While the replay is held: a staff and a public event arrive (buffered).
    hub.publish({ site: 's', seq: add('staff') }); // 4
    hub.publish({ site: 's', seq: add('public') }); // 5
    release();
    await opening;
    await settle();
    expect(pub.ids()).toEqual([1, 3, 5]);
    expect(staff.ids()).toEqual([1, 2, 3, 4, 5]);
    expect(pub.ready()).toBe(5);
    expect(staff.ready()).toBe(5);

    // Live.
    hub.publish({ site: 's', seq: add('staff') }); // 6
    hub.publish({ site: 's', seq: add('public') }); // 7
    await settle();
    await settle();
    expect(pub.ids()).toEqual([1, 3, 5, 7]);
    expect(staff.ids()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    streams.close();
  });
});
