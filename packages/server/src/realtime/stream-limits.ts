/**
 * What one instance lets the live streams take: open streams per client address, open streams in
 * all (the stream budget), and bytes queued per stream. Counting happens here; refusing (429 or
 * the `poll` signal) is the route's, dropping a slow reader is the StreamManager's.
 */
import net from 'node:net';

/** Named as in the server configuration (config.ts), so the config itself can be passed. */
export interface StreamLimits {
  /** Open public streams per client address (IPv6 by /64). */
  streamsPerClient: number;
  /** Open streams on this instance; past it new public streams are told to poll. */
  streamBudget: number;
  /** Bytes a stream may have queued (the response's and the socket's) before it is dropped. */
  streamBufferBytes: number;
  /** Over the budget: how often clients should poll snapshots (ms). */
  streamPollMs: number;
  /**
   * Events a resuming stream is replayed at most; one further behind gets `reset` (it fetches the
   * snapshots again, served from memory, instead of the server writing the whole log to it).
   */
  streamReplayMax: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  streamsPerClient: 8,
  streamBudget: 16_000,
  streamBufferBytes: 256 * 1024,
  streamPollMs: 10_000,
  streamReplayMax: 10_000,
};

/**
 * Staff streams one staff actor (a staff member, or the admin key) may hold open at a time: a
 * console per screen is a handful; a leaked staff token cannot open thousands.
 */
export const STAFF_STREAMS_PER_ACTOR = 16;

/** Told to poll, a client tries streaming again after this many poll intervals. */
export const POLL_INTERVALS_BEFORE_RETRY = 6;

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The address a client's streams are counted under: an IPv4 address as is, an IPv6 address by
 * its /64 (one subscriber line usually gets a whole /64, so counting single addresses would let
 * one client take 2^64 slots); IPv4-mapped IPv6 as IPv4.
 */
export function clientKey(address: string): string {
  const mapped = MAPPED_V4.exec(address);
  if (mapped) return mapped[1]!;
  if (net.isIPv4(address)) return address;
  const bare = address.split('%')[0]!;
  if (!net.isIPv6(bare)) return address;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const gap = bare.indexOf('::');
  const head = groups(gap < 0 ? bare : bare.slice(0, gap));
  const tail = gap < 0 ? [] : groups(bare.slice(gap + 2));
  // A dotted IPv4 tail is two groups; it only ever sits in the last 32 bits.
  const width = (list: string[]) => list.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const zeros = Array<string>(Math.max(0, 8 - width(head) - width(tail))).fill('0');
  const prefix = [...head, ...zeros, ...tail].slice(0, 4);
  return `${prefix.map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** A taken stream slot; `release` is idempotent. */
export interface StreamSlot {
  release(): void;
}

export type Admission = StreamSlot | 'client_limit' | 'busy';

/** Counts open streams per client and in all. */
export class StreamSlots {
  private readonly perClient = new Map<string, number>();
  /** Open staff streams by staff actor (a member id, or `admin`). */
  private readonly perStaff = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: Pick<StreamLimits, 'streamsPerClient' | 'streamBudget'>) {}

  /** Open streams counted (staff streams included). */
  get size(): number {
    return this.total;
  }

  /** Client addresses with at least one open public stream. */
  get clients(): number {
    return this.perClient.size;
  }

  /**
   * Takes a slot for a stream from `address`. Staff streams (`staff`: the actor's key) count
   * towards the instance's total but are never told to poll and never use up their address's
   * share: they need a staff credential, and matter most when the crowd is largest (moderators
   * often share an office address). Each actor holds at most `STAFF_STREAMS_PER_ACTOR`.
   */
  take(address: string, staff: string | null): Admission {
    if (staff !== null) {
      const held = this.perStaff.get(staff) ?? 0;
      if (held >= STAFF_STREAMS_PER_ACTOR) return 'client_limit';
      this.perStaff.set(staff, held + 1);
      return this.slot(this.perStaff, staff);
    }
    const client = clientKey(address);
    const held = this.perClient.get(client) ?? 0;
    if (held >= this.limits.streamsPerClient) return 'client_limit';
    if (this.total >= this.limits.streamBudget) return 'busy';
    this.perClient.set(client, held + 1);
    return this.slot(this.perClient, client);
  }

  private slot(counts: Map<string, number>, key: string): StreamSlot {
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (counts.get(key) ?? 1) - 1;
        if (left > 0) counts.set(key, left);
        else counts.delete(key);
      },
    };
  }
}
