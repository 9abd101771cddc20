import { createHash } from 'node:crypto';

export interface IdentityEvidence {
  /** OBJECTID EMAILID (RFC 8474) or Gmail's X-GM-MSGID. */
  emailId?: string | null | undefined;
  messageId: string | null;
  date: Date | null;
  size: number;
  /** sha256 of the raw source: the last resort when there is no Message-ID. */
  rawHash: string;
}

/**
 * The identity that survives moves, UIDVALIDITY resets and re-uploads: the
 * server's EMAILID when it has one, else Message-ID + Date + size, else the
 * content itself. Prefixes keep the kinds from ever colliding.
 */
export function stableKeyFor(evidence: IdentityEvidence): string {
  if (evidence.emailId) return `e:${evidence.emailId}`;
  if (evidence.messageId) {
    const basis = `${evidence.messageId}\n${evidence.date?.getTime() ?? ''}\n${evidence.size}`;
    return `m:${createHash('sha256').update(basis).digest('hex').slice(0, 40)}`;
  }
  return `c:${evidence.rawHash}`;
}
