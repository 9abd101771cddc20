import type { BlobStore } from '../blobs/index.ts';
import { TandemError } from '../errors/index.ts';
import type { ComposeAttachment } from '../mail/mime/index.ts';
import type { Action, WorkflowInput } from './definition.ts';

/** A Send Email's attachments together, before base64: the message's size is checked again at each send. */
export const MAX_TEMPLATE_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** An attachment as stored in a workflow's definition: its content in the blob store. */
export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  blob: string;
}

type Attachment = NonNullable<Extract<Action, { type: 'send_email' }>['attachments']>[number];

/**
 * The actions as stored: each Send Email attachment given as content is put in
 * the blob store and kept by its key; one given by `blob` (a saved workflow
 * sent back as the API showed it) must be one this workflow already holds.
 */
export async function storeTemplateAttachments(
  blobs: BlobStore,
  actions: WorkflowInput['actions'],
  stored: readonly unknown[] = [],
): Promise<WorkflowInput['actions']> {
  const held = new Set(
    stored.flatMap((a) => ((a as { attachments?: StoredAttachment[] }).attachments ?? []).map((x) => x.blob)),
  );
  const out: WorkflowInput['actions'] = [];
  for (const [index, action] of actions.entries()) {
    if (action.type !== 'send_email' || !action.attachments?.length) {
      out.push(action);
      continue;
    }
    const attachments: StoredAttachment[] = [];
    for (const attachment of action.attachments) attachments.push(await storeOne(blobs, attachment, held, index));
    const total = attachments.reduce((sum, a) => sum + a.size, 0);
    if (total > MAX_TEMPLATE_ATTACHMENT_BYTES)
      throw new TandemError(
        'payload_too_large',
        `actions.${index}.attachments: ${Math.ceil(total / 1024 / 1024)} MB together; at most ${MAX_TEMPLATE_ATTACHMENT_BYTES / 1024 / 1024} MB`,
      );
    out.push({ ...action, attachments });
  }
  return out;
}

async function storeOne(
  blobs: BlobStore,
  attachment: Attachment,
  held: Set<string>,
  index: number,
): Promise<StoredAttachment> {
  const { filename, contentType } = attachment;
  if (attachment.contentBase64 !== undefined) {
    const content = Buffer.from(attachment.contentBase64, 'base64');
    return { filename, contentType, size: content.length, blob: await blobs.put(content) };
  }
  if (attachment.blob === undefined || !held.has(attachment.blob))
    throw new TandemError('validation_failed', `actions.${index}.attachments: ${filename} has no content`);
  return { filename, contentType, size: attachment.size ?? 0, blob: attachment.blob };
}

/** The attachments of a stored Send Email, read back for sending. */
export async function templateAttachments(
  blobs: BlobStore,
  attachments: readonly Attachment[] | undefined,
): Promise<ComposeAttachment[]> {
  const out: ComposeAttachment[] = [];
  for (const a of attachments ?? []) {
    const content = a.blob !== undefined ? await blobs.get(a.blob) : Buffer.from(a.contentBase64 ?? '', 'base64');
    out.push({ filename: a.filename, contentType: a.contentType, contentBase64: content.toString('base64') });
  }
  return out;
}
