import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../secrets/index.ts';

/**
 * A tracking token names one send (its UUID), one recipient (their index in the
 * send's recipient list, so the address never appears in a URL) and, for a
 * click, the link's index in the message; an HMAC-SHA256 (truncated to 128 bits)
 * with a key derived from the instance's secret key signs it. A changed byte
 * fails the check: nothing is recorded and no redirect is made.
 *
 * Layout (base64url, 50 characters): kind (1) · send id (16) · recipient (2) · link (2) · MAC (16).
 */
export type TokenKind = 'open' | 'click';

export interface TokenFields {
  kind: TokenKind;
  sendId: string;
  recipientIndex: number;
  /** For a click: the link's index in tracked_links; 0 for an open. */
  linkIndex: number;
}

const KIND_BYTE: Record<TokenKind, number> = { open: 1, click: 2 };
const BODY_BYTES = 1 + 16 + 2 + 2;
const MAC_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_INDEX = 0xffff;

/** The signing key of tracking tokens (one per instance, from its secret key). */
export function trackingKey(secrets: SecretBox): Buffer {
  return secrets.deriveKey('tracking-tokens');
}

/** Whether a send id can be carried in a token (a UUID, as every send id Tandem makes). */
export function tokenizable(sendId: string): boolean {
  return UUID.test(sendId);
}

export function signToken(key: Buffer, fields: TokenFields): string {
  if (!tokenizable(fields.sendId)) throw new Error('A tracked send id must be a UUID');
  if (fields.recipientIndex > MAX_INDEX || fields.linkIndex > MAX_INDEX) throw new Error('Index out of range');
  const body = Buffer.alloc(BODY_BYTES);
  body.writeUInt8(KIND_BYTE[fields.kind], 0);
  Buffer.from(fields.sendId.replaceAll('-', ''), 'hex').copy(body, 1);
  body.writeUInt16BE(fields.recipientIndex, 17);
  body.writeUInt16BE(fields.linkIndex, 19);
  return Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** The token's fields when its signature holds and it is of the expected kind; null otherwise. */
export function verifyToken(key: Buffer, token: string, kind: TokenKind): TokenFields | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== BODY_BYTES + MAC_BYTES || bytes.toString('base64url') !== token) return null;
  const body = bytes.subarray(0, BODY_BYTES);
  if (!timingSafeEqual(mac(key, body), bytes.subarray(BODY_BYTES))) return null;
  if (body.readUInt8(0) !== KIND_BYTE[kind]) return null;
  const hex = body.subarray(1, 17).toString('hex');
  return {
    kind,
    sendId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    recipientIndex: body.readUInt16BE(17),
    linkIndex: body.readUInt16BE(19),
  };
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);
}
