import { z } from 'zod';
import { testConnection } from '../../mail/mailboxes/index.ts';
import type { ApiApp } from '../app.ts';
import { currentUser } from '../authenticate.ts';
import { imapSchema, smtpSchema } from './mailboxes.ts';

const checkSchema = z.object({ ok: z.boolean(), error: z.object({ code: z.string(), message: z.string() }).optional() });

export function testConnectionRoutes(app: ApiApp): void {
  app.post(
    '/api/v1/mailboxes/test-connection',
    {
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['mailboxes'],
        summary: "Try the IMAP and SMTP logins without saving anything; answers each server's own error",
        body: z.object({ imap: imapSchema, smtp: smtpSchema }),
        response: { 200: z.object({ imap: checkSchema, smtp: checkSchema }) },
      },
    },
    async (request) => {
      currentUser(request);
      return testConnection(request.body.imap, request.body.smtp);
    },
  );
}
