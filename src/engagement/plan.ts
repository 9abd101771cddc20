import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { trackingSettings } from './settings.ts';

export interface TrackingChoice {
  /** The sender's choice for this email (compose toggle, API field); undefined: the default. */
  requested: boolean | undefined;
  /** Sent by an automation (a workflow): tracked by default. */
  automated: boolean;
  /** Every recipient, lowercased. */
  recipients: string[];
}

/**
 * Which recipients of an email get marked copies: none unless tracking is
 * chosen (or is the default for this kind of email); never a recipient whose
 * record is marked do not track.
 */
export async function trackedRecipients(db: Kysely<Database>, choice: TrackingChoice): Promise<Set<string>> {
  const wanted = choice.requested ?? (choice.automated || (await trackingSettings(db)).trackOneToOne);
  if (!wanted || choice.recipients.length === 0) return new Set();
  const refused = await db
    .selectFrom('record_emails')
    .innerJoin('records', 'records.id', 'record_emails.record_id')
    .select('record_emails.address')
    .where('record_emails.address', 'in', choice.recipients)
    .where('records.do_not_track', '=', 1)
    .execute();
  const excluded = new Set(refused.map((r) => r.address));
  return new Set(choice.recipients.filter((r) => !excluded.has(r)));
}
