import type { Kysely } from 'kysely';
import type { Database, RecordKind } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { recordVisibleTo, visibleMessage } from '../../access/index.ts';
import type { Viewer } from '../../access/index.ts';
import { visibleRecord } from '../records/records.ts';
import { refreshTouchpoints } from '../engagement/touchpoints.ts';

export interface LinkView {
  id: string;
  recordType: RecordKind;
  recordId: string;
  name: string;
  /** auto: matched by address; rule: by a mailroom rule; manual: by a user. */
  source: 'auto' | 'rule' | 'manual';
  createdAt: string;
}

/** The records an email is linked to, among those the viewer sees. */
export async function linksOf(db: Kysely<Database>, viewer: Viewer, messageId: number): Promise<LinkView[]> {
  const rows = await db
    .selectFrom('email_links')
    .innerJoin('records', 'records.id', 'email_links.record_id')
    .select([
      'email_links.id',
      'email_links.source',
      'email_links.created_at',
      'records.id as record_id',
      'records.kind',
      'records.name',
    ])
    .where('email_links.message_id', '=', messageId)
    .where('email_links.state', '=', 'linked')
    .where(recordVisibleTo(viewer))
    .orderBy('email_links.id')
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    recordType: r.kind,
    recordId: r.record_id,
    name: r.name,
    source: r.source,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Links an email to a record by hand; a link removed before comes back as manual. */
export async function linkMessage(
  db: Kysely<Database>,
  viewer: Viewer,
  id: string,
  recordType: RecordKind,
  recordId: string,
): Promise<LinkView> {
  const messageId = (await visibleMessage(db, viewer, id)).id;
  await visibleRecord(db, viewer, recordType, recordId);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('email_links')
      .values({
        message_id: messageId,
        record_id: recordId,
        source: 'manual',
        state: 'linked',
        created_by: viewer.id,
        created_at: Date.now(),
      })
      .onConflict((oc) =>
        oc
          .columns(['message_id', 'record_id'])
          .doUpdateSet({ source: 'manual', state: 'linked', created_by: viewer.id }),
      )
      .execute();
    await refreshTouchpoints(trx, [recordId]);
  });
  const link = (await linksOf(db, viewer, messageId)).find((l) => l.recordId === recordId);
  if (!link) throw new TandemError('internal', 'The link was not stored');
  return link;
}

/** Unlinks by hand: the link is kept as 'unlinked' so no automatic match brings it back. */
export async function unlinkMessage(db: Kysely<Database>, viewer: Viewer, id: string, linkId: string): Promise<void> {
  const messageId = (await visibleMessage(db, viewer, id)).id;
  const visible = (await linksOf(db, viewer, messageId)).find((l) => l.id === linkId);
  if (!visible) throw new TandemError('not_found', 'No such link');
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('email_links')
      .set({ state: 'unlinked', source: 'manual', created_by: viewer.id })
      .where('id', '=', Number(linkId))
      .execute();
    await refreshTouchpoints(trx, [visible.recordId]);
  });
}
