import type { AddressObject, EmailAddress } from 'mailparser';
import type { MailAddress } from './types.ts';

function clean(value: string | undefined): string {
  return (value ?? '').replace(/\0/g, '').replace(/\s+/g, ' ').trim();
}

function flatten(entries: readonly EmailAddress[], out: MailAddress[]): void {
  for (const entry of entries) {
    if (entry.group) {
      // RFC 5322 §3.4 groups ("team: a@x, b@y;"): keep the members, drop the group name.
      flatten(entry.group, out);
      continue;
    }
    const mailbox = { name: clean(entry.name), address: clean(entry.address) };
    if (mailbox.name !== '' || mailbox.address !== '') out.push(mailbox);
  }
}

/** Flattens mailparser's address objects (one per header occurrence) into mailboxes. */
export function toMailAddresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  for (const object of objects) flatten(object.value, out);
  return out;
}

/** The first mailbox with an address, else the first one with only a name, else null. */
export function firstMailbox(value: AddressObject | AddressObject[] | undefined): MailAddress | null {
  const all = toMailAddresses(value);
  return all.find((mailbox) => mailbox.address !== '') ?? all[0] ?? null;
}
