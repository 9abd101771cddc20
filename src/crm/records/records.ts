import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, RecordKind, RecordsTable } from '../../db/index.ts';
import { TandemError } from '../../errors/index.ts';
import type { Viewer } from '../../access/index.ts';
import { canManageRecord, checkNewOwner, recordVisibleTo } from '../../access/index.ts';
import { rematchRecord } from '../links/match.ts';
import { ADDRESSED_KINDS, STATUSES, isOpen } from './kinds.ts';
import type { RecordFields } from './input.ts';
import { journalRecordChange } from './changes.ts';
import { touchpointsOf } from '../engagement/touchpoints.ts';
import type { Touchpoints } from '../engagement/touchpoints.ts';

type RecordRow = Selectable<RecordsTable>;

export interface RecordView {
  id: string;
  kind: RecordKind;
  name: string;
  firstName: string | null;
  lastName: string | null;
  emails: string[];
  phone: string | null;
  jobTitle: string | null;
  company: string | null;
  website: string | null;
  organizationId: string | null;
  contactId: string | null;
  status: string;
  open: boolean;
  amount: number | null;
  currency: string | null;
  priority: string | null;
  description: string;
  ownerId: string;
  shared: boolean;
  /** Mail to its addresses carries no tracking marks. */
  doNotTrack: boolean;
  /** A deal's expected close date, a case's or ticket's due date. */
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  touchpoints: Touchpoints;
}

/** Sorting by a touchpoint puts the most recent first and records never touched last. */
export const RECORD_SORTS = ['name', 'lastContacted', 'lastReplied', 'lastEngaged'] as const;
const SORT_COLUMNS = {
  lastContacted: 'record_touchpoints.last_contacted_at',
  lastReplied: 'record_touchpoints.last_replied_at',
  lastEngaged: 'record_touchpoints.last_engaged_at',
} as const;

export interface RecordQuery {
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
  sort?: (typeof RECORD_SORTS)[number] | undefined;
  /** Touchpoint filters: epoch milliseconds. A record never contacted is "not contacted since" any time. */
  contactedSince?: number | undefined;
  notContactedSince?: number | undefined;
  repliedSince?: number | undefined;
  engagedSince?: number | undefined;
  minReplies?: number | undefined;
}

const PEOPLE: readonly RecordKind[] = ['contact', 'lead'];

export async function createRecord(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  fields: RecordFields,
  causeRunId: string | null = null,
): Promise<RecordView> {
  const id = await db.transaction().execute((trx) => insertRecord(trx, viewer, kind, fields, causeRunId));
  return getRecord(db, viewer, kind, id);
}

/** Inserts a record inside the caller's transaction (mailroom rules create records while an email is stored). */
export async function insertRecord(
  trx: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  fields: RecordFields,
  causeRunId: string | null = null,
): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  const status = fields.status ?? STATUSES[kind].all[0] ?? '';
  const ownerId = await checkNewOwner(trx, viewer, fields.ownerId ?? viewer.id, viewer.id);
  await checkReferences(trx, viewer, fields);
  const row: RecordRow = {
    id,
    kind,
    owner_user_id: ownerId,
    shared: fields.shared === false ? 0 : 1,
    name: '',
    first_name: fields.firstName ?? null,
    last_name: fields.lastName ?? null,
    company: fields.company ?? null,
    job_title: fields.jobTitle ?? null,
    phone: fields.phone ?? null,
    website: fields.website ?? null,
    organization_id: fields.organizationId ?? null,
    contact_id: fields.contactId ?? null,
    status,
    open: 1,
    amount: fields.amount ?? null,
    currency: fields.currency ?? null,
    priority: fields.priority ?? (kind === 'case' || kind === 'ticket' ? 'normal' : null),
    description: fields.description ?? '',
    do_not_track: fields.doNotTrack ? 1 : 0,
    due_at: fields.dueDate ? Date.parse(fields.dueDate) : null,
    created_at: now,
    updated_at: now,
  };
  await trx
    .insertInto('records')
    .values(finish(row, fields.name, fields.emails ?? []))
    .execute();
  await setEmails(trx, kind, id, fields.emails ?? []);
  if ((fields.emails ?? []).length > 0) await rematchRecord(trx, id);
  await journalRecordChange(trx, id, null, causeRunId);
  return id;
}

export async function getRecord(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  id: string,
): Promise<RecordView> {
  const row = await db
    .selectFrom('records')
    .selectAll()
    .where('id', '=', id)
    .where('kind', '=', kind)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', `No such ${kind}`);
  return (await views(db, [row]))[0] as RecordView;
}

/** Records of a kind the viewer sees, by name; `q` matches the name, a company or an email address. */
export async function listRecords(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  query: RecordQuery,
): Promise<{ items: RecordView[]; nextCursor: string | null }> {
  const offset = query.cursor === undefined ? 0 : decodeOffset(query.cursor);
  let select = db
    .selectFrom('records')
    .leftJoin('record_touchpoints', 'record_touchpoints.record_id', 'records.id')
    .selectAll('records')
    .where('kind', '=', kind)
    .where(recordVisibleTo(viewer));
  if (query.contactedSince !== undefined)
    select = select.where('record_touchpoints.last_contacted_at', '>=', query.contactedSince);
  if (query.notContactedSince !== undefined) {
    const since = query.notContactedSince;
    select = select.where((eb) =>
      eb.or([
        eb('record_touchpoints.last_contacted_at', 'is', null),
        eb('record_touchpoints.last_contacted_at', '<', since),
      ]),
    );
  }
  if (query.repliedSince !== undefined)
    select = select.where('record_touchpoints.last_replied_at', '>=', query.repliedSince);
  if (query.engagedSince !== undefined)
    select = select.where('record_touchpoints.last_engaged_at', '>=', query.engagedSince);
  if (query.minReplies !== undefined) select = select.where('record_touchpoints.replies', '>=', query.minReplies);
  const q = query.q?.trim().toLowerCase();
  if (q) {
    const like = `%${q.replace(/[%_\\]/g, '')}%`; // LIKE wildcards dropped: escaping differs between the stores
    select = select.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['records.name']), 'like', eb.val(like)),
        eb(eb.fn('lower', ['records.company']), 'like', eb.val(like)),
        eb.exists(
          eb
            .selectFrom('record_emails')
            .select('record_id')
            .whereRef('record_emails.record_id', '=', 'records.id')
            .where('address', 'like', like),
        ),
      ]),
    );
  }
  if (query.sort !== undefined && query.sort !== 'name') {
    const column = SORT_COLUMNS[query.sort];
    // NULLs last on both stores: "is null" sorts false (0) first.
    select = select.orderBy((eb) => eb(column, 'is', null)).orderBy(column, 'desc');
  }
  const rows = await select
    .orderBy('records.name')
    .orderBy('records.id')
    .limit(query.limit + 1)
    .offset(offset)
    .execute();
  const page = rows.slice(0, query.limit);
  return {
    items: await views(db, page),
    nextCursor: rows.length > query.limit ? Buffer.from(String(offset + query.limit)).toString('base64url') : null,
  };
}

/** Anyone who sees a record may edit it; only its owner or an admin hands it over or changes its sharing. */
export async function updateRecord(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  id: string,
  fields: RecordFields,
  causeRunId: string | null = null,
): Promise<RecordView> {
  await db.transaction().execute((trx) => changeRecord(trx, viewer, kind, id, fields, causeRunId));
  return getRecord(db, viewer, kind, id);
}

/** Changes a record inside the caller's transaction (a workflow's Update fields step, with its own bookkeeping). */
export async function changeRecord(
  trx: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  id: string,
  fields: RecordFields,
  causeRunId: string | null = null,
): Promise<void> {
  const row = await trx
    .selectFrom('records')
    .selectAll()
    .where('id', '=', id)
    .where('kind', '=', kind)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', `No such ${kind}`);
  const isOwner = canManageRecord(viewer, row.owner_user_id);
  if (
    (fields.ownerId !== undefined && fields.ownerId !== row.owner_user_id) ||
    (fields.shared !== undefined && (fields.shared ? 1 : 0) !== row.shared)
  ) {
    if (!isOwner)
      throw new TandemError('forbidden', 'Only the record’s owner or an admin can change its owner or sharing');
  }
  const ownerId =
    fields.ownerId === undefined
      ? row.owner_user_id
      : await checkNewOwner(trx, viewer, fields.ownerId, row.owner_user_id);
  await checkReferences(trx, viewer, fields, id);
  const emails = fields.emails ?? (await emailsOf(trx, [id])).get(id) ?? [];
  const next: RecordRow = {
    ...row,
    owner_user_id: ownerId,
    shared: fields.shared === undefined ? row.shared : fields.shared ? 1 : 0,
    first_name: pick(fields.firstName, row.first_name),
    last_name: pick(fields.lastName, row.last_name),
    company: pick(fields.company, row.company),
    job_title: pick(fields.jobTitle, row.job_title),
    phone: pick(fields.phone, row.phone),
    website: pick(fields.website, row.website),
    organization_id: pick(fields.organizationId, row.organization_id),
    contact_id: pick(fields.contactId, row.contact_id),
    status: fields.status ?? row.status,
    amount: pick(fields.amount, row.amount),
    currency: pick(fields.currency, row.currency),
    priority: pick(fields.priority, row.priority),
    description: fields.description ?? row.description,
    do_not_track: fields.doNotTrack === undefined ? row.do_not_track : fields.doNotTrack ? 1 : 0,
    due_at: fields.dueDate === undefined ? row.due_at : fields.dueDate === null ? null : Date.parse(fields.dueDate),
    updated_at: Date.now(),
  };
  await trx
    .updateTable('records')
    .set(finish(next, fields.name ?? (PEOPLE.includes(kind) ? undefined : row.name), emails))
    .where('id', '=', id)
    .execute();
  if (fields.emails !== undefined) {
    await setEmails(trx, kind, id, fields.emails);
    // Re-match: emails with the new addresses are linked, those only the old ones matched are not (manual links stay).
    await rematchRecord(trx, id);
  }
  await journalRecordChange(trx, id, row, causeRunId);
}

export async function deleteRecord(db: Kysely<Database>, viewer: Viewer, kind: RecordKind, id: string): Promise<void> {
  const row = await db
    .selectFrom('records')
    .select(['owner_user_id'])
    .where('id', '=', id)
    .where('kind', '=', kind)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', `No such ${kind}`);
  if (!canManageRecord(viewer, row.owner_user_id))
    throw new TandemError('forbidden', 'Only the record’s owner or an admin can delete it');
  await db.deleteFrom('records').where('id', '=', id).execute();
}

/** A visible record of any kind, for links and linkTo. */
export async function visibleRecord(
  db: Kysely<Database>,
  viewer: Viewer,
  kind: RecordKind,
  id: string,
): Promise<{ id: string; kind: RecordKind }> {
  const row = await db
    .selectFrom('records')
    .select(['id', 'kind'])
    .where('id', '=', id)
    .where('kind', '=', kind)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', `No such ${kind}`);
  return row;
}

function pick<T>(value: T | undefined, current: T): T {
  return value === undefined ? current : value;
}

/** Fills the derived columns (name, open) and checks what the kind requires. */
function finish(row: RecordRow, name: string | undefined, emails: string[]): RecordRow {
  const { kind } = row;
  if (!STATUSES[kind].all.includes(row.status)) {
    throw new TandemError('validation_failed', `status of a ${kind} is one of: ${STATUSES[kind].all.join(', ')}`);
  }
  const display = PEOPLE.includes(kind)
    ? [row.first_name, row.last_name].filter(Boolean).join(' ') || emails[0] || name || ''
    : (name ?? '');
  if (!display)
    throw new TandemError(
      'validation_failed',
      PEOPLE.includes(kind) ? `A ${kind} needs a first name, last name or email` : `A ${kind} needs a name`,
    );
  if (!ADDRESSED_KINDS.includes(kind) && emails.length > 0)
    throw new TandemError('validation_failed', `A ${kind} has no email addresses of its own: give its contact instead`);
  return { ...row, name: display, open: isOpen(kind, row.status) ? 1 : 0 };
}

/** organizationId and contactId must name visible records of the right kind. */
async function checkReferences(
  db: Kysely<Database>,
  viewer: Viewer,
  fields: RecordFields,
  selfId?: string,
): Promise<void> {
  for (const [field, kind] of [
    ['organizationId', 'organization'],
    ['contactId', 'contact'],
  ] as const) {
    const id = fields[field];
    if (id === undefined || id === null) continue;
    const found = await db
      .selectFrom('records')
      .select('id')
      .where('id', '=', id)
      .where('kind', '=', kind)
      .where(recordVisibleTo(viewer))
      .executeTakeFirst();
    if (!found || id === selfId) throw new TandemError('validation_failed', `${field}: no such ${kind}`);
  }
}

async function setEmails(db: Kysely<Database>, kind: RecordKind, id: string, emails: string[]): Promise<void> {
  if (!ADDRESSED_KINDS.includes(kind) && emails.length > 0)
    throw new TandemError('validation_failed', `A ${kind} has no email addresses of its own`);
  await db.deleteFrom('record_emails').where('record_id', '=', id).execute();
  const unique = [...new Set(emails.map((e) => e.toLowerCase()))];
  if (unique.length > 0)
    await db
      .insertInto('record_emails')
      .values(unique.map((address, position) => ({ record_id: id, address, position })))
      .execute();
}

async function emailsOf(db: Kysely<Database>, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (ids.length === 0) return map;
  const rows = await db
    .selectFrom('record_emails')
    .select(['record_id', 'address'])
    .where('record_id', 'in', ids)
    .orderBy('position')
    .execute();
  for (const r of rows) map.set(r.record_id, [...(map.get(r.record_id) ?? []), r.address]);
  return map;
}

async function views(db: Kysely<Database>, rows: RecordRow[]): Promise<RecordView[]> {
  const emails = await emailsOf(
    db,
    rows.map((r) => r.id),
  );
  const touchpoints = await touchpointsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    firstName: r.first_name,
    lastName: r.last_name,
    emails: emails.get(r.id) ?? [],
    phone: r.phone,
    jobTitle: r.job_title,
    company: r.company,
    website: r.website,
    organizationId: r.organization_id,
    contactId: r.contact_id,
    status: r.status,
    open: r.open === 1,
    amount: r.amount === null ? null : Number(r.amount),
    currency: r.currency,
    priority: r.priority,
    description: r.description,
    ownerId: r.owner_user_id,
    shared: r.shared === 1,
    doNotTrack: r.do_not_track === 1,
    dueDate: r.due_at === null ? null : new Date(Number(r.due_at)).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    touchpoints: touchpoints.get(r.id) as Touchpoints,
  }));
}

function decodeOffset(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{1,9}$/.test(text))
    throw new TandemError('validation_failed', 'Invalid querystring: cursor: not a cursor from this API');
  return Number(text);
}
