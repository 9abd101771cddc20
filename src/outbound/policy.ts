import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses Tandem never connects to on a user's behalf unless an administrator
 * allows them (`allowedMailHosts`): this machine, private networks, link-local
 * (cloud metadata services live at 169.254.169.254 and fd00:ec2::254) and
 * other special-purpose ranges (RFC 6890). IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) are judged by the IPv4 rules.
 */
const SPECIAL_RANGES: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private (RFC 1918)
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, metadata services
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['64:ff9b::', 96, 'ipv6'], // NAT64 (may embed a private IPv4 address)
  ['100::', 64, 'ipv6'], // discard
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['fc00::', 7, 'ipv6'], // unique local (private)
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];

const special = new BlockList();
for (const [network, prefix, family] of SPECIAL_RANGES) special.addSubnet(network, prefix, family);

/** An address checked against the policy, and the host name it was found for (kept for TLS: SNI and the certificate check). */
export interface OutboundTarget {
  host: string;
  address: string;
  family: 4 | 6;
}

/** The host may not be reached: it is (or resolves to) an address outside the public Internet that is not allowed. */
export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';

  constructor(readonly host: string) {
    super(
      `Tandem does not connect to ${host}: it is on this machine or a private or link-local network; an administrator can allow it with the setting allowedMailHosts`,
    );
  }
}

/** Looks up every address of a host name (the system resolver unless discovery's own DNS servers are used). */
export type ResolveAll = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: ResolveAll = (host) => lookup(host, { all: true });

/**
 * Which hosts Tandem may open connections to for users: any public address,
 * plus the host names and networks an administrator allows. Every connection
 * goes to an address this returned, so a DNS answer that changes between the
 * check and the connection (DNS rebinding) cannot send it elsewhere.
 */
export class OutboundPolicy {
  readonly #names: Set<string>;
  readonly #networks = new BlockList();

  /** Entries are host names (`mail.lan`), addresses (`10.0.0.5`) or CIDRs (`127.0.0.0/8`, `fd00::/8`). */
  constructor(allowed: readonly string[] = []) {
    this.#names = new Set();
    for (const entry of allowed) {
      const network = parseNetwork(entry);
      if (network) this.#networks.addSubnet(network.address, network.prefix, network.family);
      else this.#names.add(normalizeHost(entry));
    }
  }

  /** Resolves the host and checks every address it has; the first one (IPv4 first) is the one to connect to. */
  async resolve(host: string, resolveAll: ResolveAll = systemResolve): Promise<OutboundTarget> {
    const name = normalizeHost(host);
    const literal = isIP(name);
    const found = literal ? [{ address: name, family: literal }] : await resolveAll(name);
    const addresses = this.check(host, found);
    const [first] = [...addresses].sort((a, b) => a.family - b.family);
    if (!first) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
    return { host: name, address: first.address, family: first.family };
  }

  /** The addresses, when the host may be reached at all of them; else TargetRefused. */
  check(host: string, addresses: readonly { address: string; family: number }[]): { address: string; family: 4 | 6 }[] {
    const allowedByName = this.#names.has(normalizeHost(host));
    return addresses.map(({ address, family }) => {
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (!allowedByName && special.check(address, type) && !this.#networks.check(address, type))
        throw new TargetRefused(host);
      return { address, family: family === 6 ? 6 : 4 };
    });
  }
}

/** Whether an `allowedMailHosts` entry is well formed: a host name, an address or a CIDR. */
export function validAllowedEntry(entry: string): boolean {
  if (entry.includes('/')) return parseNetwork(entry) !== null;
  return isIP(entry) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(entry);
}

function parseNetwork(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, ...rest] = entry
    .trim()
    .replace(/^\[|\]$/g, '')
    .split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  )
    return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}
