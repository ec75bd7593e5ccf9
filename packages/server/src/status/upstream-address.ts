/**
 * Which addresses the status poller may connect to. An upstream status URL is typed by a site's
 * admin, but its host name resolves wherever its DNS says, and it may redirect anywhere: without a
 * check the poller would fetch cloud metadata (169.254.169.254), the database's admin port or an
 * internal dashboard, and show what it found. So every connection (the first request and each
 * redirect) goes to an address checked after DNS resolution, through `lookup` on the request
 * itself: the address checked is the address connected to, so a DNS answer that changes between
 * a check and the connection (rebinding) cannot slip through.
 *
 * Refused unless allowed: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16,
 * fe80::/10), CGNAT (100.64/10), unspecified, documentation, benchmark, multicast and reserved
 * ranges, and IPv4 hidden in IPv6 (mapped, NAT64, 6to4) when the IPv4 address is one of those.
 * The allow-list (`LIFEBOAT_STATUS_ALLOW`, or `server.statusAllow` in the config file) names IPs,
 * CIDRs or host names, for self-hosted status pages on an internal network.
 */
import dns from 'node:dns';
import net from 'node:net';

const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const BLOCKED_V6: Array<[string, number]> = [
  ['::', 96], // unspecified, loopback (::1) and IPv4-compatible
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (fd00:ec2::254, AWS metadata over IPv6, is in it)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const blocked = new net.BlockList();
for (const [address, prefix] of BLOCKED_V4) blocked.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of BLOCKED_V6) blocked.addSubnet(address, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (zone index dropped), or null. */
function groups(address: string): number[] | null {
  let text = address.split('%')[0]!;
  // A dotted IPv4 tail (::ffff:10.0.0.1) as two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text =
      text.slice(0, -tail[1]!.length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const fill = 8 - left.length - right.length;
  if (rest === undefined ? fill !== 0 : fill < 0) return null;
  const all = [...left, ...Array<number>(fill).fill(0), ...right];
  return all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : null;
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv6 address carries (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedV4(address: string): string | null {
  const g = groups(address);
  if (!g) return null;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0))
    return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return null;
}

/** True for an address on the public internet (not loopback, private, link-local, …). */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family !== 6) return false;
  const inner = embeddedV4(address);
  if (inner !== null) return isPublicAddress(inner);
  return !blocked.check(address.split('%')[0]!, 'ipv6');
}

/**
 * Parses allow-list entries (IPs, CIDRs, host names); throws an Error naming a bad entry.
 */
export function parseAllowList(entries: readonly string[]): AddressPolicy {
  const list = new net.BlockList();
  const hosts = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = net.isIP(address);
    if (family && extra === undefined) {
      const max = family === 6 ? 128 : 32;
      const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
      if (!(bits >= 0 && bits <= max)) throw new Error(`"${raw}" is not a valid CIDR.`);
      list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
    } else if (
      prefix === undefined &&
      /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/.test(entry)
    ) {
      hosts.add(entry.replace(/\.$/, ''));
    } else throw new Error(`"${raw}" is not an IP address, a CIDR (10.0.0.0/8) or a host name.`);
  }
  return new AddressPolicy(list, hosts);
}

export class AddressPolicy {
  constructor(
    private readonly allowed: net.BlockList = new net.BlockList(),
    private readonly hosts: ReadonlySet<string> = new Set(),
  ) {}

  /** Why connecting to `address` (resolved from `host`) is refused, or null when it is allowed. */
  refusal(host: string, address: string): string | null {
    if (this.hosts.has(host.toLowerCase().replace(/\.$/, ''))) return null;
    if (isPublicAddress(address)) return null;
    const family = net.isIP(address);
    const bare = address.split('%')[0]!;
    const inner = family === 6 ? embeddedV4(bare) : null;
    if (family && this.allowed.check(bare, family === 6 ? 'ipv6' : 'ipv4')) return null;
    if (inner !== null && this.allowed.check(inner, 'ipv4')) return null;
    return `The status page's address ${address} is not public (loopback, private, link-local or reserved); list it in LIFEBOAT_STATUS_ALLOW to poll an internal status page.`;
  }
}

export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

export type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolve: Resolve = (host) => dns.promises.lookup(host, { all: true });

/**
 * A `lookup` for http(s).request that resolves the host, refuses it when any of its addresses is
 * refused, and otherwise hands exactly the checked addresses to the connection.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolve = systemResolve) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number | string },
    callback: (...args: unknown[]) => void,
  ): void => {
    resolve(hostname).then(
      (found) => {
        const wanted =
          options.family === 6 || options.family === 'IPv6'
            ? 6
            : options.family === 4 || options.family === 'IPv4'
              ? 4
              : 0;
        const addresses = found.filter((a) => !wanted || a.family === wanted);
        if (!addresses.length) {
          const err = Object.assign(new Error(`${hostname} has no address.`), {
            code: 'ENOTFOUND',
          });
          callback(err);
          return;
        }
        for (const a of addresses) {
          const why = policy.refusal(hostname, a.address);
          if (why) {
            callback(new RefusedAddressError(why));
            return;
          }
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: unknown) => callback(err),
    );
  };
}
