import { EventEmitter } from 'node:events';
import { z } from 'zod';

/**
 * What changed in a mailbox, for live views. Events name the mailbox (and the
 * folder) only, never message content: a view re-reads what it shows through the
 * API, which applies the privacy rules. Published after the change is committed.
 */
export const mailEventSchema = z.union([
  z.object({
    type: z.enum(['messages.added', 'messages.changed', 'messages.removed']),
    mailboxId: z.string(),
    folder: z.string(),
  }),
  z.object({ type: z.literal('mailbox.changed'), mailboxId: z.string() }),
  z.object({ type: z.literal('conversation.changed'), mailboxId: z.string(), conversationId: z.string() }),
  z.object({
    type: z.literal('presence'),
    mailboxId: z.string(),
    conversationId: z.string(),
    /** Who has the conversation open right now, and whether they are writing a reply. */
    members: z.array(z.object({ id: z.string(), name: z.string(), state: z.enum(['viewing', 'replying']) })),
  }),
  z.object({ type: z.literal('notifications.changed'), userId: z.string() }),
  /** Opens or clicks of this mailbox's sends were recorded: the records' touchpoints changed (docs/engagement.md). */
  z.object({ type: z.literal('touchpoints.changed'), mailboxId: z.string() }),
]);
export type MailEvent = z.infer<typeof mailEventSchema>;

const emitter = new EventEmitter();
emitter.setMaxListeners(0); // one listener per open browser tab

/** Tells the listeners of this process; never throws into the writer. */
export function publishMailEvent(event: MailEvent): void {
  try {
    emitter.emit('mail', event);
  } catch {
    // A broken listener must not fail a sync.
  }
}

/** Returns the function that stops listening. */
export function onMailEvent(listener: (event: MailEvent) => void): () => void {
  emitter.on('mail', listener);
  return () => emitter.off('mail', listener);
}
