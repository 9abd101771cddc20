import { headerEnd } from './raw-headers.ts';

/** Bcc and Resent-Bcc (RFC 5322 §3.6.3, §3.6.6): who else got it, which the other recipients must not learn. */
const BLIND = /^(?:resent-)?bcc[ \t]*:/i;

/**
 * The raw message with its Bcc fields (and their folded lines) cut out of the
 * header section; every other byte stays as it was. Sent copies and drafts
 * carry Bcc; only their own mailbox may see it.
 */
export function withoutBcc(raw: Buffer): Buffer {
  const end = headerEnd(raw);
  const lines = raw.subarray(0, end).toString('latin1').split('\n');
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    const continued = line.startsWith(' ') || line.startsWith('\t');
    if (!continued) dropping = BLIND.test(line);
    if (!dropping) kept.push(line);
  }
  if (kept.length === lines.length) return raw;
  return Buffer.concat([Buffer.from(kept.join('\n'), 'latin1'), raw.subarray(end)]);
}
