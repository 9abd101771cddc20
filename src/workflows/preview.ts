import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { Viewer } from '../access/index.ts';
import { recordVisibleTo } from '../access/index.ts';
import { TandemError } from '../errors/index.ts';
import { fillMergeTags, unknownMergeTags } from '../mail/mime/index.ts';
import type { MergeValues } from '../mail/mime/index.ts';
import { loadFacts, mergeValuesOf } from './facts.ts';

export interface PreviewInput {
  recordId: string;
  subject: string;
  text?: string | undefined;
  html?: string | undefined;
}

export interface Preview {
  subject: string;
  text: string | null;
  html: string | null;
  /** Tags Tandem does not know: the template cannot be saved with them. */
  errors: string[];
  /** Known tags without a value for this record: their fallback (or nothing) is used. */
  missing: string[];
  values: MergeValues;
}

/** A template filled against a real record the viewer sees, before it is saved. */
export async function previewTemplate(db: Kysely<Database>, viewer: Viewer, input: PreviewInput): Promise<Preview> {
  const record = await db
    .selectFrom('records')
    .select('id')
    .where('id', '=', input.recordId)
    .where(recordVisibleTo(viewer))
    .executeTakeFirst();
  if (!record) throw new TandemError('not_found', 'No such record');
  const values = await mergeValuesOf(db, await loadFacts(db, { recordId: record.id }));
  const texts = [input.subject, input.text ?? '', input.html ?? ''];
  const errors = [...new Set(texts.flatMap(unknownMergeTags))].map((tag) => `Unknown merge tag {{${tag}}}`);
  const used = new Set(
    texts.flatMap((t) => [...t.matchAll(/\{\{\s*([A-Za-z]+\.[A-Za-z]+)/g)].map((m) => m[1] as keyof MergeValues)),
  );
  const missing = [...used].filter((tag) => tag in values && !values[tag]?.trim());
  return {
    subject: fillMergeTags(input.subject, values),
    text: input.text === undefined ? null : fillMergeTags(input.text, values),
    html: input.html === undefined ? null : fillMergeTags(input.html, values, 'html'),
    errors,
    missing,
    values,
  };
}
