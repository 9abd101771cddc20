import type { TandemContext } from '../../context/index.ts';
import {
  markHtml,
  recipientList,
  signToken,
  tokenizable,
  trackableLinks,
  trackedRecipients,
  trackingKey,
} from '../../engagement/index.ts';
import { composeMessage } from '../mime/index.ts';
import type { ComposeInput } from '../mime/index.ts';
import type { MailboxRow } from '../account/index.ts';

/** One SMTP transaction: who it goes to and the bytes they get. */
export interface Delivery {
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

export interface TrackedSend {
  /** The links redirected, by index (stored in tracked_links). */
  links: string[];
  /** One delivery per recipient: a marked copy, or the original for a recipient not tracked. */
  deliveries: Delivery[];
}

/**
 * The per-recipient copies of a tracked email, or null when it goes out
 * unmarked: tracking not chosen, no HTML (plain-text emails carry no marks),
 * no public address to point marks at, every recipient marked do not track, or
 * a provider that files its own Sent copy of what goes out (the Sent copy must
 * stay unmarked). Each copy is the same message (same Message-ID, date and
 * headers) with its HTML marked for that recipient.
 */
export async function trackedCopies(
  context: TandemContext,
  mailbox: MailboxRow,
  message: ComposeInput & { date: Date },
  original: Buffer,
  requested: boolean | undefined,
): Promise<TrackedSend | null> {
  const publicUrl = context.config.publicUrl?.replace(/\/+$/, '');
  if (!publicUrl || message.html === undefined || mailbox.provider_files_sent === 1 || !tokenizable(message.id))
    return null;
  const recipients = recipientList({ to: message.to, cc: message.cc ?? [], bcc: message.bcc ?? [] });
  const tracked = await trackedRecipients(context.store.db, {
    requested,
    automated: message.autoSubmitted !== undefined,
    recipients,
  });
  if (tracked.size === 0) return null;
  const key = trackingKey(context.secrets);
  const html = message.html;
  const deliveries = await Promise.all(
    recipients.map(async (recipient, recipientIndex): Promise<Delivery> => {
      const envelope = { from: message.from.address, to: [recipient] };
      if (!tracked.has(recipient)) return { envelope, raw: original };
      const token = (kind: 'open' | 'click', linkIndex: number) =>
        signToken(key, { kind, sendId: message.id, recipientIndex, linkIndex });
      const marked = markHtml(html, {
        pixel: `${publicUrl}/t/o/${token('open', 0)}.gif`,
        click: (linkIndex) => `${publicUrl}/t/c/${token('click', linkIndex)}`,
      });
      const copy = await composeMessage({ ...message, html: marked });
      return { envelope: { from: copy.envelope.from, to: [recipient] }, raw: copy.raw };
    }),
  );
  return { links: trackableLinks(html), deliveries };
}
