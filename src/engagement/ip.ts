import { isIPv4, isIPv6 } from 'node:net';

/**
 * The part of a client address Tandem keeps: its /24 (IPv4) or /48 (IPv6)
 * network, never the address itself. Enough to tell a proxy's network from a
 * person's, too little to name a household. Null when it is not an address.
 */
export function ipPrefix(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  if (isIPv4(ip)) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(ip)) return null;
  const groups = expandIPv6(ip).slice(0, 3);
  return `${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
}

/** The eight 16-bit groups of an IPv6 address (zone removed; an embedded IPv4 tail counts as two groups). */
function expandIPv6(address: string): string[] {
  const plain = address.split('%')[0] ?? address;
  const [head = '', tail] = plain.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':'));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right];
}

/** The address as the range lists know it (an IPv4-mapped IPv6 address is IPv4). */
export function plainAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  if (isIPv4(ip)) return { address: ip, family: 'ipv4' };
  if (isIPv6(ip)) return { address: ip.split('%')[0] ?? ip, family: 'ipv6' };
  return null;
}
