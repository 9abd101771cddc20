import { z } from 'zod';
import { testConnection } from '../../mail/account/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { outboundRateLimit } from '../outbound-limit.ts';
import { imapSchema, smtpSchema } from './mailboxes.ts';

const checkSchema = z.object({
  ok: z.boolean(),
  login: z
    .enum(['signed_in', 'not_offered', 'no_credentials'])
    .optional()
    .describe(
      'When ok: signed_in; not_offered when the server offers no login (SMTP without AUTH), so the credentials could not be tried; no_credentials when none were given',
    ),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export const serverFolderSchema = z.object({
  path: z.string(),
  name: z.string(),
  delimiter: z.string().nullable(),
  specialUse: z.string().nullable(),
});

export function testConnectionRoutes(app: ApiApp): void {
  app.post(
    '/api/v1/mailboxes/test-connection',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags: ['mailboxes'],
        summary:
          'Try the IMAP and SMTP logins without saving anything; answers one error code and message per kind of failure',
        body: z.object({ imap: imapSchema, smtp: smtpSchema }),
        response: {
          200: z.object({
            imap: checkSchema.extend({
              folders: z
                .array(serverFolderSchema)
                .optional()
                .describe('Every folder on the server, when the IMAP login works'),
            }),
            smtp: checkSchema,
          }),
        },
      },
    },
    async (request) => {
      currentUser(request);
      const result = await testConnection(request.body.imap, request.body.smtp, app.tandem.outbound);
      const folders = result.imap.folders?.map(({ path, name, delimiter, specialUse }) => ({
        path,
        name,
        delimiter,
        specialUse,
      }));
      return { imap: { ...result.imap, ...(folders ? { folders } : {}) }, smtp: result.smtp };
    },
  );
}
