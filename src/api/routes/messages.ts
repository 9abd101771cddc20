import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { TandemError } from '../../errors/index.ts';
import {
  MAX_PAGE,
  getAttachment,
  getConversation,
  getMessage,
  getRawMessage,
  indexOnDemand,
  listMessages,
} from '../../mail/messages/index.ts';
import { withoutBcc } from '../../mail/mime/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';
import { commentSchema, linkSchema, ruleRunSchema, withCrm } from './message-crm.ts';

const addressSchema = z.object({ name: z.string(), address: z.string() });

export const summarySchema = z.object({
  id: z.string(),
  mailboxId: z.string(),
  folder: z.string().describe('Folder path, e.g. "INBOX"'),
  uid: z.number().int(),
  messageId: z.string().nullable(),
  threadId: z.string(),
  subject: z.string(),
  from: addressSchema.nullable(),
  to: z.array(addressSchema),
  cc: z.array(addressSchema),
  date: z.string().describe('ISO 8601'),
  flags: z.array(z.string()),
  seen: z.boolean(),
  flagged: z.boolean(),
  answered: z.boolean(),
  draft: z.boolean(),
  private: z.boolean(),
  snippet: z.string(),
  hasAttachments: z.boolean(),
  size: z.number().int(),
  syncState: z
    .enum(['synced', 'pending', 'failed'])
    .describe('Whether the latest change made in Tandem has reached the mail server'),
  syncError: z.string().nullable(),
});

const attachmentSchema = z.object({
  id: z.string(),
  filename: z.string().nullable(),
  contentType: z.string(),
  size: z.number().int(),
  inline: z.boolean(),
  contentId: z.string().nullable(),
});

export const detailSchema = summarySchema.extend({
  folders: z.array(z.string()).describe('Every folder the message sits in; `folder` is the first'),
  text: z.string(),
  html: z.string().nullable().describe('Sanitized; cid: images point at /api/v1/attachments/:id'),
  headers: z
    .object({ messageId: z.string().nullable(), inReplyTo: z.string().nullable(), references: z.array(z.string()) })
    .catchall(z.unknown())
    .describe('Message-ID, In-Reply-To, References and a few selected headers (lowercase names)'),
  attachments: z.array(attachmentSchema),
  problems: z.array(z.string()).describe('What could not be read, in plain words'),
  links: z.array(linkSchema).describe('CRM records this email is linked to (those you can see)'),
  comments: z.array(commentSchema),
  mailroom: z.array(ruleRunSchema).describe('Mailroom rules that ran on this email (shown to its mailbox owner)'),
});

const listQuerySchema = z.object({
  mailboxId: z.string().min(1).optional(),
  folder: z.string().min(1).optional().describe('Folder path'),
  q: z
    .string()
    .max(1000)
    .optional()
    .describe('Full-text search over subject, addresses and body; every word must match'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

const idParams = z.object({ id: z.string() });
const binary = z.unknown().describe('The bytes');

/** Opening a message the indexer has not reached yet indexes it at once; true when one was. */
function indexedNow(app: ApiApp, ids: number[]): Promise<boolean> {
  return indexOnDemand(app.tandem.store.db, app.tandem.store.dialect, app.tandem.blobs, ids);
}

export function messageRoutes(app: ApiApp): void {
  const db = () => app.tandem.store.db;

  app.get(
    '/api/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'List messages of your mailboxes, newest first; one item per folder a message sits in',
        querystring: listQuerySchema,
        response: {
          200: z.object({
            items: z.array(summarySchema),
            nextCursor: z.string().nullable(),
            indexing: z
              .object({ done: z.number().int(), total: z.number().int() })
              .nullable()
              .optional()
              .describe(
                'A search only: how many messages of the mailboxes searched have their body indexed, while some do not yet (null once all do); a search covers what is indexed',
              ),
          }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => listMessages(db(), app.tandem.store.dialect, currentUser(request), request.query),
  );

  app.get(
    '/api/v1/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'One message with its body, headers and attachments',
        params: idParams,
        response: { 200: detailSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const read = () => getMessage(db(), currentUser(request), request.params.id);
      const message = await read(); // the viewer may see it: only then is it indexed
      return withCrm(app, request, (await indexedNow(app, [Number(message.id)])) ? await read() : message);
    },
  );

  app.get(
    '/api/v1/messages/:id/conversation',
    {
      schema: {
        tags: ['messages'],
        summary:
          'The conversation of a message: every email of its thread in the same mailbox that you can see, oldest first (at most the newest 100)',
        params: idParams,
        response: { 200: z.object({ items: z.array(detailSchema) }), 404: errorSchema },
      },
    },
    async (request) => {
      const read = () => getConversation(db(), currentUser(request), request.params.id);
      let conversation = await read();
      if (
        await indexedNow(
          app,
          conversation.map((m) => Number(m.id)),
        )
      )
        conversation = await read();
      return { items: await Promise.all(conversation.map((message) => withCrm(app, request, message))) };
    },
  );

  app.get(
    '/api/v1/messages/:id/raw',
    {
      schema: {
        tags: ['messages'],
        summary: 'The RFC 5322 source as received (message/rfc822); Bcc fields only for your own mailboxes',
        params: idParams,
        response: { 200: binary, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const raw = await getRawMessage(db(), currentUser(request), request.params.id);
      const bytes = await blob(app, raw.blobKey);
      return sendDownload(reply, raw.withBcc ? bytes : withoutBcc(bytes), 'message/rfc822', `message-${raw.id}.eml`);
    },
  );

  app.get(
    '/api/v1/attachments/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'The bytes of an attachment, always as a download',
        params: idParams,
        response: { 200: binary, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const attachment = await getAttachment(db(), currentUser(request), request.params.id);
      const bytes = await blob(app, attachment.blobKey);
      return sendDownload(
        reply,
        bytes,
        safeContentType(attachment.contentType),
        attachment.filename ?? `attachment-${attachment.id}`,
      );
    },
  );
}

async function blob(app: ApiApp, key: string): Promise<Buffer> {
  try {
    return await app.tandem.blobs.get(key);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TandemError('not_found', 'The stored content is missing');
    throw error;
  }
}

/**
 * Mail content is untrusted: never rendered by the browser as our origin. It is
 * a download, never sniffed, and sandboxed (no script, no same-origin) should
 * someone open an HTML or SVG attachment directly.
 */
export function sendDownload(reply: FastifyReply, bytes: Buffer, contentType: string, filename: string): FastifyReply {
  return reply
    .header('content-type', contentType)
    .header('content-disposition', contentDisposition(filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .header('cache-control', 'private, no-store')
    .send(bytes);
}

/**
 * The sender chooses an attachment's type, and it is served from the app's
 * origin: a `text/javascript` attachment would pass the app's `script-src 'self'`
 * (and `text/css` its style-src). Only raster images, which the reading pane
 * shows inline and which can never run, keep their type; anything else is
 * opaque bytes, which with `nosniff` no browser runs as a script or style.
 */
const INERT_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function safeContentType(type: string): string {
  const plain = type.trim().toLowerCase();
  return INERT_TYPES.has(plain) ? plain : 'application/octet-stream';
}

/** RFC 6266: an ASCII `filename` for old clients, and `filename*` (RFC 8187) when the name is not plain ASCII. */
export function contentDisposition(filename: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = filename.replace(/[\u0000-\u001f\u007f]/g, '').trim() || 'download';
  const ascii = clean.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (ascii === clean) return `attachment; filename="${ascii}"`;
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
