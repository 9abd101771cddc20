import { BlockList } from 'node:net';
import type { TrackingClassification } from '../db/index.ts';
import classifiers from './classifiers.json' with { type: 'json' };
import { plainAddress } from './ip.ts';

/**
 * Who made a tracking request, decided when it is recorded (docs/engagement.md):
 * the sender's own session, then scanners that announce themselves by method,
 * privacy proxies and scanners by their published ranges and user agents,
 * then clicks no person makes (too soon after sending, several links at once);
 * whatever is left is a human.
 */
export interface TrackingRequest {
  kind: 'open' | 'click';
  method: string;
  ip: string;
  userAgent: string;
  /** The request carries the session of a user who works in the sending mailbox. */
  bySender: boolean;
  /** Milliseconds since the message was sent. */
  sinceSentMs: number;
  /** For a click: how many other links of this message the recipient clicked within the burst window before it. */
  otherLinksJustClicked: number;
}

export interface Classification {
  classification: TrackingClassification;
  reason: string;
}

interface Source {
  name: string;
  userAgents: string[];
  ranges: string[];
}

interface Matcher {
  name: string;
  agents: string[];
  ranges: BlockList;
}

function matcherOf(source: Source): Matcher {
  const ranges = new BlockList();
  for (const range of source.ranges) {
    const [network = '', bits = ''] = range.split('/');
    ranges.addSubnet(network, Number(bits), network.includes(':') ? 'ipv6' : 'ipv4');
  }
  return { name: source.name, agents: source.userAgents.map((a) => a.toLowerCase()), ranges };
}

const proxies = classifiers.privacyProxies.map(matcherOf);
const scanners = classifiers.scanners.map(matcherOf);

/** When a click this soon after sending, or this many links at once, is a machine's. */
export const SCANNER_TIMING = {
  clickTooSoonMs: classifiers.clickTooSoonMs,
  burstWindowMs: classifiers.burstWindowMs,
  burstLinks: classifiers.burstLinks,
};

/** Why a click in a burst of several links is a scanner's. */
export const BURST_REASON = 'several links clicked at once';

export function classify(request: TrackingRequest): Classification {
  if (request.bySender) return { classification: 'sender', reason: 'the sender’s own Tandem session' };
  if (request.method === 'HEAD') return { classification: 'scanner', reason: 'a HEAD request (no person reads one)' };
  const proxy = matching(proxies, request);
  if (proxy) return { classification: 'privacy_proxy', reason: proxy };
  const scanner = matching(scanners, request);
  if (scanner) return { classification: 'scanner', reason: scanner };
  if (request.kind === 'click' && request.sinceSentMs < SCANNER_TIMING.clickTooSoonMs)
    return { classification: 'scanner', reason: 'clicked within seconds of sending' };
  if (request.kind === 'click' && request.otherLinksJustClicked + 1 >= SCANNER_TIMING.burstLinks)
    return { classification: 'scanner', reason: BURST_REASON };
  return { classification: 'human', reason: 'no proxy or scanner sign' };
}

/** The matching source and why ("Gmail image proxy (user agent)"), or null. */
function matching(matchers: Matcher[], request: TrackingRequest): string | null {
  const agent = request.userAgent.toLowerCase();
  const address = plainAddress(request.ip);
  for (const m of matchers) {
    if (m.agents.some((a) => agent.includes(a))) return `${m.name} (user agent)`;
    if (address && m.ranges.check(address.address, address.family)) return `${m.name} (address range)`;
  }
  return null;
}
