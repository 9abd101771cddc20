import { z } from 'zod';
import { RECORD_KINDS, bouncingFor, linkSentMessage, mergeValuesFor, visibleRecord } from '../../crm/index.ts';
import type { Viewer } from '../../access/index.ts';
import { getSend, listSends, MAX_SENDS_LISTED, sendMessage } from '../../mail/send/index.ts';
import type { SendInput, SendResult } from '../../mail/send/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { errorSchema } from '../schemas.ts';

const address = z.string().trim().pipe(z.email());

export const attachmentSchema = z.object({
  filename: z.string().min(1).max(255),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type such as application/pdf'),
  contentBase64: z.base64(),
  contentId: z
    .string()
    .min(1)
    .max(250)
    .optional()
    .describe('Makes it inline: referenced as cid:<contentId> from the HTML'),
});

/** A reply from a record (a case reply, an internal ticket): the sent email is linked to it. */
export const linkToSchema = z
  .object({ recordType: z.enum(RECORD_KINDS), recordId: z.string().min(1) })
  .describe('Link the sent email to this record (e.g. the case replied from) once its copy in Sent is synced');

export const trackSchema = z
  .boolean()
  .optional()
  .describe(
    'Add open and click marks to the copies that go out (never to the Sent copy); default: the admin’s choice for one-to-one emails',
  );

export const sendBodySchema = z
  .object({
    mailboxId: z.string(),
    to: z.array(address),
    cc: z.array(address).optional(),
    bcc: z.array(address).optional(),
    subject: z.string().max(998),
    text: z.string().optional(),
    html: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
    inReplyTo: z
      .string()
      .optional()
      .describe('Tandem id of the message replied to: sets In-Reply-To/References and marks it answered'),
    forwardOf: z
      .string()
      .optional()
      .describe('Tandem id of the message forwarded: named in References, so forwarding a private email stays private'),
    linkTo: linkToSchema.optional(),
    track: trackSchema,
  })
  .refine((b) => b.to.length + (b.cc?.length ?? 0) + (b.bcc?.length ?? 0) > 0, {
    message: 'give at least one recipient (to, cc or bcc)',
    path: ['to'],
  });

/** The answer to a send: accepted by an SMTP server (the mailbox's own, or the admin's fallback). */
export const sentSchema = z.object({
  id: z.string(),
  messageId: z.string(),
  via: z
    .enum(['mailbox', 'fallback'])
    .describe('Which SMTP server took it: the mailbox’s own, or the admin’s fallback outgoing server'),
});

/** A send from compose also says which recipients were bouncing (the web app warned before; GET /bounces). */
export const sentWithWarningsSchema = sentSchema.extend({
  warnings: z
    .array(z.object({ code: z.literal('bouncing_recipient'), address: z.string(), reason: z.string() }))
    .describe('Recipients whose mail bounced lately: it went, but may bounce again'),
});

const sendStates = ['sending', 'sent', 'uncertain', 'failed'] as const;

const sendViewSchema = z.object({
  id: z.string(),
  mailboxId: z.string(),
  state: z
    .enum(sendStates)
    .describe(
      'sending: the SMTP exchange runs; sent: the server took it; uncertain: the connection was lost (or Tandem stopped) after the whole message went, and no copy has been found yet; failed: not sent',
    ),
  messageId: z.string(),
  subject: z.string().nullable(),
  to: z.array(z.string()),
  error: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});

const sendListQuerySchema = z.object({
  mailboxId: z.string().optional(),
  state: z
    .string()
    .optional()
    .describe('Comma-separated states to list, e.g. sending,uncertain')
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const states = value.split(',').map((s) => s.trim());
      const bad = states.filter((s) => !(sendStates as readonly string[]).includes(s));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown state(s) ${bad.join(', ')}: use ${sendStates.join(', ')}` });
        return z.NEVER;
      }
      return states as (typeof sendStates)[number][];
    }),
  limit: z.coerce.number().int().min(1).max(MAX_SENDS_LISTED).default(50),
});

/** Sending: at once over SMTP, exactly once; the Sent copy is filed by the sync engine. */
export function sendRoutes(app: ApiApp): void {
  app.post(
    '/api/v1/messages/send',
    {
      schema: {
        tags: ['sending'],
        summary: 'Send a message now over the mailbox’s SMTP server; the copy in Sent follows within moments',
        body: sendBodySchema,
        response: {
          202: sentWithWarningsSchema,
          400: errorSchema,
          404: errorSchema,
          413: errorSchema,
          502: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { linkTo, ...input } = request.body;
      const sent = await sendLinked(app, currentUser(request), input, linkTo);
      app.sync.nudge(sent.mailboxId);
      return reply.status(202).send({ id: sent.id, messageId: sent.messageId, via: sent.via, warnings: sent.warnings });
    },
  );

  app.get(
    '/api/v1/sends',
    {
      schema: {
        tags: ['sending'],
        summary: 'The sends of your own mailboxes, newest first, each with its state',
        querystring: sendListQuerySchema,
        response: { 200: z.object({ items: z.array(sendViewSchema) }), 400: errorSchema },
      },
    },
    async (request) => {
      const { mailboxId, state, limit } = request.query;
      return {
        items: await listSends(app.tandem.store.db, currentUser(request).id, { mailboxId, states: state, limit }),
      };
    },
  );

  app.get(
    '/api/v1/sends/:id',
    {
      schema: {
        tags: ['sending'],
        summary:
          'What became of a send: sending, sent, failed, or uncertain (the connection was lost after the whole message went)',
        params: z.object({ id: z.string() }),
        response: { 200: sendViewSchema, 404: errorSchema },
      },
    },
    async (request) => getSend(app.tandem.store.db, currentUser(request).id, request.params.id),
  );
}

/**
 * Sends, and links the sent email to `linkTo`: the record is checked before
 * anything is sent; the link is made once the copy in Sent is stored.
 */
export async function sendLinked(
  app: ApiApp,
  user: Viewer,
  input: SendInput,
  linkTo: z.infer<typeof linkToSchema> | undefined,
): Promise<SendResult & { warnings: SendWarning[] }> {
  const db = app.tandem.store.db;
  const target = linkTo ? await visibleRecord(db, user, linkTo.recordType, linkTo.recordId) : null;
  const recipients = [...input.to, ...(input.cc ?? []), ...(input.bcc ?? [])];
  const warnings = (await bouncingFor(db, user, recipients)).map((b) => ({
    code: 'bouncing_recipient' as const,
    address: b.address,
    reason: b.reason,
  }));
  const sent = await sendMessage(app.tandem, user.id, input, (recipient) => mergeValuesFor(db, user.id, recipient));
  if (target)
    await linkSentMessage(db, {
      mailboxId: sent.mailboxId,
      messageId: sent.messageId,
      recordId: target.id,
      userId: user.id,
    });
  return { ...sent, warnings };
}

type SendWarning = z.infer<typeof sentWithWarningsSchema>['warnings'][number];
