import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { ownedDraft, ownedLocation, ownedMailbox } from '../../access/index.ts';
import type { TandemContext } from '../../context/index.ts';
import type { Database, DraftsTable } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import { cidReferences, composeMessage, megabytes, parseMessage, withTandemId } from '../mime/index.ts';
import type { ComposeAttachment } from '../mime/index.ts';
import { assertWithinQuota, indexOnDemand, parseRowId, repliedMessage } from '../messages/index.ts';
import { enqueueOp } from '../outbox/ops.ts';
import { senderOf } from '../send/index.ts';
import type { DraftFields } from './fields.ts';
import { inlinePart, inlinePartsKept } from './inline-parts.ts';
import { withSignature } from './signature.ts';

type DraftRow = Selectable<DraftsTable>;

export interface DraftView {
  id: string;
  mailboxId: string;
  fields: DraftFields;
  /** `saving` until the server holds this version; `failed` (with `error`) when it cannot take it. */
  state: 'saving' | 'saved' | 'failed';
  error: string | null;
  messageId: string;
}

/**
 * Builds a new version's raw message (Bcc kept, as mail apps keep it in drafts)
 * and stores it as a blob. The inline images the HTML still references by
 * `cid:` come from the version it replaces (`previousRaw`), so they stay
 * inline however long the draft is edited.
 */
async function buildVersion(
  context: TandemContext,
  writerId: string,
  mailboxId: string,
  fields: DraftFields,
  versionId: string,
  previousRaw: string | null = null,
) {
  const { db } = context.store;
  const sender = await senderOf(db, mailboxId, writerId);
  const parent = fields.inReplyTo ? await repliedMessage(db, mailboxId, fields.inReplyTo) : undefined;
  const forwarded = fields.forwardOf ? await repliedMessage(db, mailboxId, fields.forwardOf) : undefined;
  const attachments = [
    ...(fields.attachments ?? []),
    ...(await keptAttachments(context, mailboxId, fields.keepAttachments ?? [])),
  ];
  if (previousRaw !== null)
    attachments.push(...(await inlinePartsKept(context.blobs, previousRaw, fields.html, attachments)));
  const composed = await composeMessage({
    id: versionId,
    from: { address: sender.address, name: sender.name },
    to: fields.to,
    cc: fields.cc,
    bcc: fields.bcc,
    subject: fields.subject,
    text: fields.text,
    html: fields.html,
    attachments,
    replyTo: parent?.replyTo,
    forwarded: forwarded?.replyTo,
  });
  if (sender.appendLimit !== null && composed.sentCopy.length > sender.appendLimit) {
    throw new TandemError(
      'message_too_large',
      `The draft is ${megabytes(composed.sentCopy.length)} with its attachments; the IMAP server of ${sender.address} takes at most ${megabytes(sender.appendLimit)}. It was not saved.`,
      { size: composed.sentCopy.length, limit: sender.appendLimit },
    );
  }
  return { raw: await context.blobs.put(composed.sentCopy), messageId: composed.messageId };
}

/** Attachments of this mailbox's messages, by id, re-attached with their Content-ID (inline images stay inline). */
async function keptAttachments(context: TandemContext, mailboxId: string, ids: string[]): Promise<ComposeAttachment[]> {
  const numeric = ids.map(parseRowId).filter((id): id is number => id !== null);
  if (numeric.length === 0) return [];
  const rows = await context.store.db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.filename', 'attachments.content_type', 'attachments.content_id', 'attachments.blob_key'])
    .where('attachments.id', 'in', numeric)
    .where('messages.mailbox_id', '=', mailboxId)
    .execute();
  return Promise.all(
    rows.map(async (a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.content_type,
      contentBase64: (await context.blobs.get(a.blob_key)).toString('base64'),
      contentId: a.content_id ?? undefined,
    })),
  );
}

/** Creates a draft: saved locally at once, APPENDed to the server's Drafts by the outbox. */
export async function createDraft(
  context: TandemContext,
  ownerId: string,
  mailboxId: string,
  written: DraftFields,
): Promise<DraftView> {
  await ownedMailbox(context.store.db, ownerId, mailboxId);
  await assertWithinQuota(context.store.db, context.config.mailboxQuotaBytes, mailboxId);
  const { signature } = await context.store.db
    .selectFrom('users')
    .select('signature')
    .where('id', '=', ownerId)
    .executeTakeFirstOrThrow();
  // The signature becomes part of the content once, when the draft is made; later edits carry it as written.
  const fields = written.includeSignature === false ? written : withSignature(written, signature);
  const id = randomUUID();
  const versionId = randomUUID();
  const version = await buildVersion(context, ownerId, mailboxId, fields, versionId);
  const now = Date.now();
  await context.store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('drafts')
      .values({
        id,
        mailbox_id: mailboxId,
        version_id: versionId,
        raw_blob: version.raw,
        fields_json: JSON.stringify(fields),
        folder_path: null,
        uid_validity: null,
        uid: null,
        state: 'saving',
        error: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await enqueueOp(trx, {
      mailboxId,
      messageId: null,
      locationId: null,
      kind: 'save_draft',
      payload: { draftId: id, versionId },
    });
  });
  return { id, mailboxId, fields, state: 'saving', error: null, messageId: version.messageId };
}

/**
 * Replaces a draft's content: a new version is APPENDed and the previous one
 * expunged (one live version). A draft written in another mail app is taken
 * over by its Tandem message id.
 */
export async function updateDraft(
  context: TandemContext,
  ownerId: string,
  id: string,
  fields: DraftFields,
): Promise<DraftView> {
  const draft = await openDraft(context.store.db, ownerId, id);
  await assertNotDeletedOnServer(context.store.db, draft);
  await assertWithinQuota(context.store.db, context.config.mailboxQuotaBytes, draft.mailbox_id);
  const versionId = randomUUID();
  const version = await buildVersion(context, ownerId, draft.mailbox_id, fields, versionId, draft.raw_blob);
  await saveVersion(context.store.db, draft, versionId, version.raw, fields);
  return {
    id: draft.id,
    mailboxId: draft.mailbox_id,
    fields,
    state: 'saving',
    error: null,
    messageId: version.messageId,
  };
}

/** Makes `versionId` the draft's live version and queues its save to the server, in one transaction. */
async function saveVersion(db: Kysely<Database>, draft: DraftRow, versionId: string, raw: string, fields: DraftFields) {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('drafts')
      .set({
        version_id: versionId,
        raw_blob: raw,
        fields_json: JSON.stringify(fields),
        state: 'saving',
        error: null,
        updated_at: Date.now(),
      })
      .where('id', '=', draft.id)
      .execute();
    await enqueueOp(trx, {
      mailboxId: draft.mailbox_id,
      messageId: null,
      locationId: null,
      kind: 'save_draft',
      payload: { draftId: draft.id, versionId },
    });
  });
}

/**
 * After the mail app deleted the draft: puts the last version Tandem knew back
 * on the server, byte for byte (recipients, body, attachments, headers), under
 * a new X-Tandem-Id so the outbox saves it exactly once.
 */
export async function restoreDraft(context: TandemContext, ownerId: string, id: string): Promise<DraftView> {
  const draft = await ownedDraft(context.store.db, ownerId, id);
  if (!draft) throw new TandemError('not_found', 'No such draft');
  await assertWithinQuota(context.store.db, context.config.mailboxQuotaBytes, draft.mailbox_id);
  const fields = await fieldsOfDraft(context, draft);
  const versionId = randomUUID();
  const raw = await context.blobs.put(withTandemId(await context.blobs.get(draft.raw_blob), versionId));
  // The fields are kept as read now: the mail app's message they came from is gone. The
  // old UID stays: should that version still be there after all, the save replaces it.
  await saveVersion(context.store.db, draft, versionId, raw, fields);
  return {
    id: draft.id,
    mailboxId: draft.mailbox_id,
    fields,
    state: 'saving',
    error: null,
    messageId: await versionMessageId(context, draft.mailbox_id, versionId),
  };
}

export async function deleteDraft(context: TandemContext, ownerId: string, id: string): Promise<string> {
  const draft = await openDraft(context.store.db, ownerId, id);
  await context.store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('drafts').where('id', '=', draft.id).execute();
    if (draft.folder_path !== null && draft.uid !== null && draft.uid_validity !== null) {
      await enqueueOp(trx, {
        mailboxId: draft.mailbox_id,
        messageId: null,
        locationId: null,
        kind: 'expunge',
        payload: { path: draft.folder_path, uidValidity: draft.uid_validity, uid: draft.uid },
      });
    } else {
      // Its save may be under way (APPENDed, not yet recorded): a save of a draft that is gone removes that version by its X-Tandem-Id.
      await enqueueOp(trx, {
        mailboxId: draft.mailbox_id,
        messageId: null,
        locationId: null,
        kind: 'save_draft',
        payload: { draftId: draft.id, versionId: draft.version_id },
      });
    }
  });
  return draft.mailbox_id;
}

/**
 * What sending a draft sends: the fields as saved (with the attachments it
 * keeps), or for a mail-app draft never edited in Tandem, the message itself.
 */
export async function draftToSend(context: TandemContext, ownerId: string, id: string) {
  const draft = await openDraft(context.store.db, ownerId, id);
  await assertNotDeletedOnServer(context.store.db, draft);
  const fields = await fieldsOfDraft(context, draft);
  const attachments = [
    ...(fields.attachments ?? []),
    ...(await keptAttachments(context, draft.mailbox_id, fields.keepAttachments ?? [])),
  ];
  attachments.push(...(await inlinePartsKept(context.blobs, draft.raw_blob, fields.html, attachments)));
  return {
    draftId: draft.id,
    input: {
      mailboxId: draft.mailbox_id,
      to: fields.to,
      cc: fields.cc,
      bcc: fields.bcc,
      subject: fields.subject,
      text: fields.text,
      html: fields.html,
      attachments,
      inReplyTo: fields.inReplyTo,
      forwardOf: fields.forwardOf,
    },
  };
}

/** The fields as saved in Tandem, or for a mail-app draft never edited here, read from its message. */
async function fieldsOfDraft(context: TandemContext, draft: DraftRow): Promise<DraftFields> {
  if (draft.fields_json !== '{}') return JSON.parse(draft.fields_json) as DraftFields;
  return (await fieldsOfMessage(context, draft)) ?? fieldsOfRaw(await context.blobs.get(draft.raw_blob));
}

/**
 * A mail-app draft's fields from its synced message. Inline images are not
 * listed as attachments to keep: they come with the HTML's `cid:` references.
 */
async function fieldsOfMessage(context: TandemContext, draft: DraftRow): Promise<DraftFields | null> {
  const read = () => draftMessage(context, draft);
  let row = await read();
  if (!row) return null;
  // A draft listed by a first sync whose body the indexer has not read yet: read it now.
  if (row.indexed === 0) {
    await indexOnDemand(context.store.db, context.store.dialect, context.blobs, [row.id]);
    row = await read();
    if (!row) return null;
  }
  const addresses = (json: string) => (JSON.parse(json) as { address: string }[]).map((a) => a.address).filter(Boolean);
  const references = cidReferences(row.body_html);
  const attachments = (
    await context.store.db
      .selectFrom('attachments')
      .select(['id', 'content_id'])
      .where('message_id', '=', row.id)
      .execute()
  ).filter((a) => a.content_id === null || !references.has(a.content_id.toLowerCase()));
  return {
    to: addresses(row.to_json),
    cc: addresses(row.cc_json),
    bcc: addresses(row.bcc_json),
    subject: row.subject,
    text: row.body_text,
    ...(row.body_html !== null ? { html: row.body_html } : {}),
    keepAttachments: attachments.map((a) => String(a.id)),
  };
}

/** The synced message a mail-app draft is. */
function draftMessage(context: TandemContext, draft: DraftRow) {
  return context.store.db
    .selectFrom('message_locations')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .innerJoin('messages', 'messages.id', 'message_locations.message_id')
    .select([
      'messages.id',
      'messages.to_json',
      'messages.cc_json',
      'messages.bcc_json',
      'messages.subject',
      'messages.body_text',
      'messages.body_html',
      'messages.indexed',
    ])
    .where('folders.mailbox_id', '=', draft.mailbox_id)
    .where('folders.path', '=', draft.folder_path ?? '')
    .where('message_locations.uid', '=', draft.uid ?? -1)
    .executeTakeFirst();
}

/** The fields of a stored version whose message Tandem no longer holds (its attachments other than inline images are not listed). */
async function fieldsOfRaw(raw: Buffer): Promise<DraftFields> {
  const parsed = await parseMessage(raw);
  const addresses = (list: { address: string }[]) => list.map((a) => a.address).filter(Boolean);
  return {
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: addresses(parsed.bcc),
    subject: parsed.subject,
    text: parsed.text,
    ...(parsed.html !== null ? { html: parsed.html } : {}),
  };
}

/** A draft by its id, or a mail-app draft by its message id (taken over, as editing it would). */
export async function getDraft(context: TandemContext, ownerId: string, id: string): Promise<DraftView> {
  const draft = await openDraft(context.store.db, ownerId, id);
  await assertNotDeletedOnServer(context.store.db, draft);
  const fields = await fieldsOfDraft(context, draft);
  return {
    id: draft.id,
    mailboxId: draft.mailbox_id,
    fields,
    state: draft.state,
    error: draft.error,
    messageId: await versionMessageId(context, draft.mailbox_id, draft.version_id),
  };
}

/** composeMessage names each version <versionId@domain of the mailbox>. */
async function versionMessageId(context: TandemContext, mailboxId: string, versionId: string): Promise<string> {
  const { address } = await context.store.db
    .selectFrom('mailboxes')
    .select('address')
    .where('id', '=', mailboxId)
    .executeTakeFirstOrThrow();
  return `${versionId}@${address.split('@').pop() ?? ''}`;
}

/** An inline image of the draft's stored version, by Content-ID: the editor shows it from here. */
export async function draftInlinePart(context: TandemContext, ownerId: string, id: string, contentId: string) {
  const draft = await ownedDraft(context.store.db, ownerId, id);
  const part = draft ? await inlinePart(context.blobs, draft.raw_blob, contentId) : undefined;
  if (!part) throw new TandemError('not_found', 'No such inline image in this draft');
  return part;
}

/** A draft by its id, or by the message id of a message in Drafts (see adoptMailAppDraft). */
async function openDraft(db: Kysely<Database>, ownerId: string, id: string): Promise<DraftRow> {
  return (await ownedDraft(db, ownerId, id)) ?? (await adoptMailAppDraft(db, ownerId, id));
}

/**
 * A message in Drafts (or a sub-folder of it) to edit in Tandem: a version of
 * a draft made in Tandem is that draft (its Message-ID is <versionId@domain>);
 * one made in another mail app is taken over as a new draft.
 */
async function adoptMailAppDraft(db: Kysely<Database>, ownerId: string, id: string): Promise<DraftRow> {
  const messageId = parseRowId(id);
  const location = messageId === null ? undefined : await ownedLocation(db, ownerId, messageId);
  if (!location || !(await isDraftsFolder(db, location.mailbox_id, location.path)))
    throw new TandemError('not_found', 'No such draft');
  const versionId = location.messageId?.split('@')[0];
  const own = versionId
    ? await db
        .selectFrom('drafts')
        .selectAll()
        .where('mailbox_id', '=', location.mailbox_id)
        .where('version_id', '=', versionId)
        .executeTakeFirst()
    : undefined;
  if (own) return own;
  const now = Date.now();
  const row: DraftRow = {
    id,
    mailbox_id: location.mailbox_id,
    version_id: randomUUID(),
    raw_blob: location.rawBlob,
    fields_json: '{}',
    folder_path: location.path,
    uid_validity: location.uid_validity,
    uid: location.uid,
    state: 'saved',
    error: null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('drafts').values(row).execute();
  return row;
}

/** The \Drafts folder, or one nested inside it. */
export async function isDraftsFolder(db: Kysely<Database>, mailboxId: string, path: string): Promise<boolean> {
  const drafts = await db
    .selectFrom('folders')
    .select(['path', 'delimiter'])
    .where('mailbox_id', '=', mailboxId)
    .where('special_use', '=', '\\Drafts')
    .executeTakeFirst();
  if (!drafts) return false;
  return path === drafts.path || path.startsWith(`${drafts.path}${drafts.delimiter ?? '/'}`);
}

/**
 * A saved version the folder sync has since seen vanish means the mail app
 * deleted the draft: answer so, and let the user restore it before editing.
 */
async function assertNotDeletedOnServer(db: Kysely<Database>, draft: DraftRow): Promise<void> {
  if (draft.state !== 'saved' || draft.uid === null || draft.folder_path === null) return;
  const folder = await db
    .selectFrom('folders')
    .select(['id', 'uid_validity', 'uid_next', 'enabled', 'first_sync_done'])
    .where('mailbox_id', '=', draft.mailbox_id)
    .where('path', '=', draft.folder_path)
    .executeTakeFirst();
  // Only a folder synced past the draft's UID can tell that it is gone.
  if (!folder || folder.enabled !== 1 || folder.first_sync_done !== 1) return;
  if (folder.uid_validity !== draft.uid_validity || (folder.uid_next ?? 0) <= draft.uid) return;
  const present = await db
    .selectFrom('message_locations')
    .select('id')
    .where('folder_id', '=', folder.id)
    .where('uid', '=', draft.uid)
    .executeTakeFirst();
  if (!present)
    throw new TandemError(
      'draft_deleted',
      'This draft was deleted in your mail app. Restore it (POST /api/v1/drafts/:id/restore) to keep editing it.',
      { draftId: draft.id },
    );
}
