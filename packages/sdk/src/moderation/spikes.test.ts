import { describe, expect, it } from 'vitest';
import type { Spike } from '@lifeboat/protocol';
import { LifeboatError } from '../client-types.js';
import { createSpikes, upsertSpike } from './spikes.js';

const spike = (id: string, detectedAt: string, overrides: Partial<Spike> = {}): Spike => ({
  id,
  state: 'open',
  component: null,
  componentName: null,
  detectedAt,
  lastReportAt: detectedAt,
  reports: 6,
  members: 6,
  expected: 1,
  pValue: 0.0006,
  public: false,
  confirmedAt: null,
  incidentId: null,
  ...overrides,
});

describe('early-warning spikes (staff SDK)', () => {
  it('keeps spikes newest first, replacing one in place', () => {
    const a = spike('a', '2026-12-06T10:00:00.000Z');
    const b = spike('b', '2026-12-06T11:00:00.000Z');
    expect(upsertSpike([a], b).map((s) => s.id)).toEqual(['b', 'a']);
    expect(upsertSpike([b, a], { ...a, members: 9 })).toEqual([b, { ...a, members: 9 }]);
  });

  it('loads, keeps a live spike that came during the load, acts and records failures', async () => {
    const calls: string[] = [];
    let fail = false;
    const live = spike('live', '2026-12-06T12:00:00.000Z');
    const spikes = createSpikes(
      async <T>(method: string, path: string): Promise<T> => {
        calls.push(`${method} ${path}`);
        if (method === 'GET') {
          spikes.apply(live);
          return { spikes: [spike('old', '2026-12-06T09:00:00.000Z')] } as T;
        }
        if (fail)
          throw new LifeboatError({
            title: 'Conflict',
            status: 409,
            code: 'conflict',
            detail: 'x',
          });
        return { spike: { ...live, state: 'dismissed' } } as T;
      },
      () => {},
    );
    await spikes.load();
    expect(spikes.$spikes.get().spikes.map((s) => s.id)).toEqual(['live', 'old']);
    await spikes.act('live', 'dismiss');
    expect(calls.at(-1)).toBe('POST /moderation/spikes/live/dismiss');
    expect(spikes.$spikes.get().spikes[0]!.state).toBe('dismissed');
    expect(spikes.$spikes.get().acting).toEqual({});
    fail = true;
    await expect(spikes.act('old', 'declare')).rejects.toMatchObject({ status: 409 });
    expect(spikes.$spikes.get().failures['old']).toMatchObject({ action: 'declare' });
  });
});
