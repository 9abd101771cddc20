// A mailbox's address is typed by its owner: nothing ties it to the account its
// IMAP/SMTP login opens. The mailbox's own SMTP server decides for itself whom it
// sends as; the admin's fallback server would relay anything, so it relays only
// for an address shown to be the owner's:
// - 'oauth': the provider's identity (the ID token's email claim) named it;
// - 'smtp': the mailbox's own SMTP server, logged in to, accepted a send from it;
// - 'code': the owner typed the code Tandem mailed to it.
import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ownedMailbox } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import type { Database } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { MailboxRow } from '../account/index.ts';
import { composeMessage } from '../mime/index.ts';
import { openSmtpRoute } from './route.ts';
import { SmtpFailure } from './smtp.ts';

export const ADDRESS_CODE_TTL_MS = 60 * 60_000;
export const ADDRESS_CODE_ATTEMPTS = 5;

/** A send the mailbox's own server accepted verifies its address (once; an earlier proof stays). */
export async function markVerifiedBySend(db: Kysely<Database>, mailbox: MailboxRow): Promise<void> {
  if (mailbox.address_verified_by !== null) return;
  await db
    .updateTable('mailboxes')
    .set({ address_verified_by: 'smtp', address_verified_at: Date.now() })
    .where('id', '=', mailbox.id)
    .where('address_verified_by', 'is', null)
    .execute();
}

const hash = (code: string) => createHash('sha256').update(code).digest('hex');

/**
 * Mails a fresh code to the mailbox's address, from that address, through its
 * own server or (it goes to the address itself) the admin's fallback. A new
 * code replaces a pending one.
 */
export async function sendAddressCode(
  context: TandemContext,
  ownerId: string,
  mailboxId: string,
): Promise<{ expiresAt: number }> {
  const { db } = context.store;
  const mailbox = await ownedMailbox(db, ownerId, mailboxId);
  const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
  const expiresAt = Date.now() + ADDRESS_CODE_TTL_MS;
  const composed = await composeMessage({
    id: randomUUID(),
    from: { address: mailbox.address, name: 'Tandem' },
    to: [mailbox.address],
    subject: `Tandem: your confirmation code is ${code}`,
    text: `Someone using Tandem asked to confirm that ${mailbox.address} is theirs, so that Tandem may send as this address through the administrator's outgoing server.\n\nThe code is ${code}. It works once, within an hour.\n\nIf that was not you, ignore this email: nothing happens without the code.\n`,
  });
  let session;
  try {
    ({ session } = await openSmtpRoute(context, mailbox, 'address-code'));
  } catch (error) {
    throw codeNotSent(error);
  }
  try {
    await db
      .insertInto('address_codes')
      .values({ mailbox_id: mailbox.id, code_hash: hash(code), attempts: 0, expires_at: expiresAt })
      .onConflict((oc) =>
        oc.column('mailbox_id').doUpdateSet({ code_hash: hash(code), attempts: 0, expires_at: expiresAt }),
      )
      .execute();
    await session.send(composed.envelope, composed.raw);
  } catch (error) {
    await db.deleteFrom('address_codes').where('mailbox_id', '=', mailbox.id).execute();
    throw codeNotSent(error);
  } finally {
    session.close();
  }
  return { expiresAt };
}

function codeNotSent(error: unknown): TandemError {
  const message = error instanceof SmtpFailure || error instanceof Error ? error.message : String(error);
  return new TandemError('send_failed', `The confirmation code was not sent: ${message}`);
}

/** Checks the code mailed to the address: right, in time and within the attempts, the address is verified. */
export async function confirmAddressCode(
  db: Kysely<Database>,
  ownerId: string,
  mailboxId: string,
  code: string,
): Promise<void> {
  const mailbox = await ownedMailbox(db, ownerId, mailboxId);
  const pending = await db
    .selectFrom('address_codes')
    .selectAll()
    .where('mailbox_id', '=', mailbox.id)
    .executeTakeFirst();
  const wrong = new TandemError('invalid_address_code', 'The code is wrong or has expired: ask for a new one');
  if (!pending || pending.expires_at < Date.now() || pending.attempts >= ADDRESS_CODE_ATTEMPTS) throw wrong;
  const given = Buffer.from(hash(code.replace(/\D/g, '')), 'hex');
  if (!timingSafeEqual(given, Buffer.from(pending.code_hash, 'hex'))) {
    await db
      .updateTable('address_codes')
      .set({ attempts: pending.attempts + 1 })
      .where('mailbox_id', '=', mailbox.id)
      .execute();
    throw wrong;
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('address_codes').where('mailbox_id', '=', mailbox.id).execute();
    await trx
      .updateTable('mailboxes')
      .set({ address_verified_by: 'code', address_verified_at: Date.now() })
      .where('id', '=', mailbox.id)
      .execute();
  });
}
