/**
 * The recipients of a send, numbered as tokens number them: To, then Cc, then
 * Bcc, lowercased, each once. Derived from `sends.recipients`, so a token's
 * index names the same address whenever it is read.
 */
export function recipientList(recipients: { to: string[]; cc?: string[]; bcc?: string[] }): string[] {
  const all = [...recipients.to, ...(recipients.cc ?? []), ...(recipients.bcc ?? [])].map((a) => a.toLowerCase());
  return [...new Set(all)];
}

export function recipientListOf(recipientsJson: string): string[] {
  return recipientList(JSON.parse(recipientsJson) as { to: string[]; cc?: string[]; bcc?: string[] });
}
