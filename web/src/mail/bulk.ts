import { api, ApiError, ok } from '../api.ts';
import type { Body, MessageSummary } from '../contract.ts';

/** What one bulk call does to every email it names. */
export type BulkChange = Omit<Body<'/messages/bulk', 'post'>, 'ids'>;
/** An email and the folder it was in before a move or a delete. */
export type Moved = Pick<MessageSummary, 'id' | 'folder'>;

/** How long an undo keeps trying while the server is still making the move it undoes. */
const UNDO_WAIT_MS = 60_000;
const RETRY_MS = 1000;

/** Makes the change to all the emails, or to none. */
export async function changeMessages(messages: Pick<MessageSummary, 'id'>[], change: BulkChange): Promise<void> {
  await ok(api.POST('/messages/bulk', { body: { ids: messages.map((m) => m.id), ...change } }));
}

/**
 * Moves the emails back to the folders they were in. A move the mail server has not yet
 * made is answered `conflict` (the email has no UID there yet): tried again until it has.
 */
export async function moveBack(messages: Moved[]): Promise<void> {
  const byFolder = new Map<string, Moved[]>();
  for (const message of messages) byFolder.set(message.folder, [...(byFolder.get(message.folder) ?? []), message]);
  for (const [folder, group] of byFolder) {
    const until = Date.now() + UNDO_WAIT_MS;
    for (;;) {
      try {
        await changeMessages(group, { folder });
        break;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'conflict') || Date.now() > until) throw e;
        await new Promise((done) => setTimeout(done, RETRY_MS));
      }
    }
  }
}
