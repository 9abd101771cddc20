import { TANDEM_ID_HEADER } from './compose.ts';
import { headerEnd } from './raw-headers.ts';

/**
 * The same message with its X-Tandem-Id set to `id` (any earlier one and its
 * folded lines removed, RFC 5322 §2.2.3), every other byte as it was: how a
 * stored version is put back on the server as a new version.
 */
export function withTandemId(raw: Buffer, id: string): Buffer {
  // Up to and with the last header line's line end (headerEnd points at it).
  const end = headerEnd(raw) === 0 ? 0 : Math.min(headerEnd(raw) + 1, raw.length);
  const head = raw.subarray(0, end).toString('latin1');
  const lines = head.split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    const continued = /^[ \t]/.test(line);
    if (!continued) dropping = line.toLowerCase().startsWith(`${TANDEM_ID_HEADER.toLowerCase()}:`);
    if (!dropping) kept.push(line);
  }
  const newline = head.includes('\r\n') || head === '' ? '\r\n' : '\n';
  return Buffer.concat([
    Buffer.from(`${TANDEM_ID_HEADER}: ${id}${newline}${kept.join('')}`, 'latin1'),
    raw.subarray(end),
  ]);
}
