import type { TandemContext } from '../../context/index.ts';
import type { SendVia } from '../../db/index.ts';
import type { MailboxRow } from '../account/index.ts';
import { outgoingServer } from './outgoing-server.ts';
import { SmtpFailure, SmtpSession, smtpSettingsOf } from './smtp.ts';

/**
 * The mailbox's own SMTP server; when it cannot be reached (no answer, or 421)
 * and the owner consented, the admin's outgoing server instead — for a `send`,
 * only when the mailbox's address is verified and in the admin's domains (the
 * fallback must never let a user send as someone else); an `address-code` goes
 * to the address itself, so it may use the fallback to prove it. A refused
 * login is never routed around: the user has to fix it.
 */
export async function openSmtpRoute(
  context: TandemContext,
  mailbox: MailboxRow,
  purpose: 'send' | 'address-code',
): Promise<{ session: SmtpSession; via: SendVia }> {
  try {
    return {
      session: await SmtpSession.open(smtpSettingsOf(mailbox, context.secrets, context.store.db, context.outbound)),
      via: 'mailbox',
    };
  } catch (error) {
    const failure = error instanceof SmtpFailure ? error : new SmtpFailure(String(error), undefined, false);
    const unreachable = failure.responseCode === undefined || failure.responseCode === 421;
    if (!unreachable) throw failure;
    const fallback = mailbox.fallback_consent === 1 ? await outgoingServer(context) : null;
    const why =
      mailbox.fallback_consent !== 1
        ? 'the mailbox does not allow sending through the admin’s outgoing server'
        : !fallback
          ? 'no fallback outgoing server is configured by an admin'
          : fallbackRefusal(mailbox, fallback.domains, purpose);
    if (!fallback || why) {
      throw new SmtpFailure(
        `The SMTP server ${mailbox.smtp_host}:${mailbox.smtp_port} cannot be reached (${failure.message}), and ${why}`,
        undefined,
        false,
      );
    }
    try {
      return { session: await SmtpSession.open(fallback), via: 'fallback' };
    } catch (fallbackError) {
      const second =
        fallbackError instanceof SmtpFailure ? fallbackError : new SmtpFailure(String(fallbackError), undefined, false);
      throw new SmtpFailure(
        `The SMTP server ${mailbox.smtp_host}:${mailbox.smtp_port} cannot be reached (${failure.message}), nor the fallback outgoing server (${second.message})`,
        second.responseCode,
        false,
      );
    }
  }
}

/** Why the fallback may not carry this mailbox's mail, or null when it may. */
export function fallbackRefusal(
  mailbox: Pick<MailboxRow, 'address' | 'address_verified_by'>,
  domains: string[] | null,
  purpose: 'send' | 'address-code',
): string | null {
  const domain = mailbox.address.split('@').pop() ?? '';
  if (domains && !domains.some((d) => domain === d || domain.endsWith(`.${d}`)))
    return `the admin’s outgoing server sends only for ${domains.join(', ')}`;
  if (purpose === 'send' && mailbox.address_verified_by === null)
    return `the admin’s outgoing server sends only for verified addresses, and ${mailbox.address} is not verified yet (send once through the mailbox’s own server, or confirm the code Tandem mails to it)`;
  return null;
}
