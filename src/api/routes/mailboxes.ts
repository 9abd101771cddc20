import { isIP } from 'node:net';
import { z } from 'zod';
import { ownedMailboxIds } from '../../access/index.ts';
import { TandemError } from '../../errors/index.ts';
import {
  changeMailboxPassword,
  connectMailbox,
  createMailbox,
  deleteMailbox,
  deletionSummary,
  disconnectMailbox,
  editableGroupMailboxes,
  mailboxView,
  oauthMailboxSettings,
  serverFolders,
  setAvailability,
  setGroup,
  updateMailbox,
} from '../../mail/mailboxes/index.ts';
import type { NewMailbox } from '../../mail/mailboxes/index.ts';
import { confirmAddressCode, sendAddressCode } from '../../mail/send/index.ts';
import type { ApiApp } from '../api-app.ts';
import { currentUser } from '../authenticate.ts';
import { outboundRateLimit } from '../outbound-limit.ts';
import { errorSchema } from '../schemas.ts';

const security = z.enum(['tls', 'starttls', 'none']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/** Plain-text mail protocols are only allowed to this machine: a password never crosses a network in clear. */
const plainOnlyOnLoopback = (server: { host: string; security: string }) =>
  server.security !== 'none' ||
  LOOPBACK.has(server.host) ||
  (isIP(server.host) === 4 && server.host.startsWith('127.'));

export const imapSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535),
    security,
    username: z.string().min(1),
    password: z.string().min(1),
    allowInvalidCertificate: z.boolean().optional(),
  })
  .refine(plainOnlyOnLoopback, {
    message: 'security "none" is only allowed for a server on this machine; use "tls" or "starttls"',
  });

export const smtpSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535),
    security,
    username: z.string().optional(),
    password: z.string().optional(),
    allowInvalidCertificate: z.boolean().optional(),
  })
  .refine(plainOnlyOnLoopback, {
    message: 'security "none" is only allowed for a server on this machine; use "tls" or "starttls"',
  });

/** Sign in with OAuth2 instead of a password: the grant from `GET /oauth/callback`; the servers default to the provider's. */
const oauthServerSchema = z
  .object({
    oauth: z.object({ grantId: z.string().min(1) }),
    host: z.string().trim().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    security: security.optional(),
    username: z.string().min(1).optional(),
    allowInvalidCertificate: z.boolean().optional(),
  })
  .refine(
    (s) => s.security !== 'none' || s.host === undefined || plainOnlyOnLoopback({ host: s.host, security: s.security }),
    {
      message: 'security "none" is only allowed for a server on this machine; use "tls" or "starttls"',
    },
  );

const memberSchema = z.object({
  userId: z.string().min(1),
  canManage: z.boolean().optional().describe('May change folders and options, connect, disconnect and delete it'),
  available: z.boolean().optional().describe('Takes part in round-robin assignment (default true)'),
});
const tokenPrefix = z
  .string()
  .regex(/^[A-Za-z0-9#-]{1,12}$/, 'letters, digits, # or -, at most 12')
  .describe('What precedes the conversation number in the subject token, e.g. "#" → [#1234]');
const assignRule = z.enum(['manual', 'round_robin']);

const createSchema = z.object({
  address: z.email(),
  displayName: z.string().max(200).optional(),
  imap: z.union([oauthServerSchema, imapSchema]),
  /** May be left out with an OAuth2 `imap`: the provider's SMTP server with the same grant. */
  smtp: z.union([oauthServerSchema, smtpSchema]).optional(),
  folders: z.array(z.string().min(1)).optional(),
  syncPeriod: z.enum(['now', '1m', '3m', '6m']),
  markIncomingPrivate: z.boolean().optional(),
  fallbackConsent: z.boolean().optional(),
  archiveAndCreatePast: z.boolean().optional(),
  kind: z.enum(['personal', 'group']).optional(),
  group: z
    .object({
      name: z.string().trim().min(1).max(100).describe('The team’s name: replies go out as “Alice at <name>”'),
      members: z.array(memberSchema).max(500),
      emailToCase: z.boolean().optional(),
      caseTokenPrefix: tokenPrefix.optional(),
      assignRule: assignRule.optional(),
    })
    .optional()
    .describe('Required with kind "group" (administrators only): the group that owns the mailbox'),
});

const mailboxState = z.enum(['syncing', 'idle', 'disconnected', 'error']);
const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      canManage: z.boolean(),
      available: z.boolean(),
    }),
  ),
  emailToCase: z.boolean(),
  caseTokenPrefix: z.string(),
  assignRule,
});
const serverSchema = z.object({ host: z.string(), port: z.number(), security, username: z.string() });
const mailboxSchema = z.object({
  id: z.string(),
  address: z.string(),
  displayName: z.string().nullable(),
  kind: z.enum(['personal', 'group']),
  state: mailboxState,
  error: z.string().nullable(),
  syncPeriod: z.enum(['now', '1m', '3m', '6m']),
  syncSince: z.string(),
  markIncomingPrivate: z.boolean(),
  fallbackConsent: z.boolean(),
  addressVerified: z
    .enum(['oauth', 'smtp', 'code'])
    .nullable()
    .describe(
      'How the address was shown to be yours: the provider’s identity, a send your own SMTP server accepted, or a mailed code; the admin’s outgoing server sends only for a verified address',
    ),
  archiveAndCreatePast: z.boolean(),
  imap: serverSchema,
  smtp: serverSchema,
  folders: z.array(
    z.object({
      path: z.string(),
      specialUse: z.string().nullable(),
      enabled: z.boolean(),
      messages: z.number(),
      synced: z.number(),
      unread: z.number(),
      firstSyncDone: z.boolean(),
    }),
  ),
  progress: z.object({ done: z.number(), total: z.number() }),
  storage: z.object({ bytes: z.number() }),
  createdAt: z.string(),
  auth: z.enum(['password', 'oauth2']),
  providerId: z.string().nullable(),
  needsReauthorization: z.boolean(),
  group: groupSchema.nullable(),
});

const editableGroupSchema = z.object({
  mailboxId: z.string(),
  address: z.string(),
  state: mailboxState,
  manages: z
    .boolean()
    .describe('You are a member allowed to manage it: you also change its account, folders and options'),
  group: groupSchema,
});

const idParams = z.object({ id: z.string() });

/** The body as createMailbox takes it: an OAuth2 grant becomes settings with its token source. */
async function mailboxInput(app: ApiApp, ownerId: string, body: z.infer<typeof createSchema>): Promise<NewMailbox> {
  const { imap, smtp, ...rest } = body;
  if (!('oauth' in imap)) {
    if (!smtp || 'oauth' in smtp)
      throw new TandemError(
        'validation_failed',
        'smtp: give the SMTP server and its login (an OAuth2 grant for SMTP needs an OAuth2 imap too)',
      );
    return { ...rest, imap, smtp };
  }
  const grantId = imap.oauth.grantId;
  if (smtp && 'oauth' in smtp && smtp.oauth.grantId !== grantId)
    throw new TandemError('validation_failed', 'smtp.oauth.grantId: IMAP and SMTP share one sign-in');
  const settings = await oauthMailboxSettings(app.tandem, ownerId, grantId, imap, smtp);
  if (settings.address !== body.address.trim().toLowerCase()) {
    throw new TandemError('validation_failed', `address: the sign-in is for ${settings.address}`);
  }
  return { ...rest, imap: settings.imap, smtp: settings.smtp, oauthGrantId: grantId, providerId: settings.providerId };
}
const tags = ['mailboxes'];

export function mailboxRoutes(app: ApiApp): void {
  const sync = app.sync;

  app.post(
    '/api/v1/mailboxes',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary: 'Connect a mailbox (the IMAP and SMTP logins are tried before anything is saved)',
        body: createSchema,
        response: { 201: mailboxSchema, 409: errorSchema, 422: errorSchema },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      if (request.body.kind === 'group' && !user.isAdmin)
        throw new TandemError('forbidden', 'Only an administrator sets up a group mailbox');
      const id = await createMailbox(app.tandem, sync, user.id, await mailboxInput(app, user.id, request.body));
      // The administrator who set a group mailbox up sees what they made, member or not.
      const viewer = request.body.kind === 'group' ? null : user.id;
      return reply.status(201).send(await mailboxView(app.tandem.store.db, viewer, id));
    },
  );

  app.get(
    '/api/v1/mailboxes',
    { schema: { tags, summary: 'Your mailboxes', response: { 200: z.object({ items: z.array(mailboxSchema) }) } } },
    async (request) => {
      const user = currentUser(request);
      const ids = await ownedMailboxIds(app.tandem.store.db, user.id);
      return { items: await Promise.all(ids.map((id) => mailboxView(app.tandem.store.db, user.id, id))) };
    },
  );

  app.get(
    '/api/v1/mailboxes/:id',
    {
      schema: {
        tags,
        summary: 'A mailbox with its folders and first-sync progress',
        params: idParams,
        response: { 200: mailboxSchema },
      },
    },
    async (request) => mailboxView(app.tandem.store.db, currentUser(request).id, request.params.id),
  );

  app.patch(
    '/api/v1/mailboxes/:id',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary: 'Choose the synced folders or change options (the sync period is fixed)',
        params: idParams,
        body: z.object({
          folders: z.array(z.string().min(1)).optional(),
          markIncomingPrivate: z.boolean().optional(),
          fallbackConsent: z
            .boolean()
            .optional()
            .describe('Allow sending through the admin’s outgoing server when the mailbox’s own cannot be reached'),
          syncPeriod: z.unknown().optional(),
          emailToCase: z.boolean().optional().describe('Group mailboxes: each new conversation opens a case'),
          caseTokenPrefix: tokenPrefix.optional(),
          assignRule: assignRule.optional(),
        }),
        response: { 200: mailboxSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      if (request.body.syncPeriod !== undefined)
        throw new TandemError(
          'sync_period_fixed',
          'The sync period is chosen when the mailbox is set up and cannot be changed',
        );
      await updateMailbox(app.tandem, sync, user.id, request.params.id, request.body);
      return mailboxView(app.tandem.store.db, user.id, request.params.id);
    },
  );

  app.put(
    '/api/v1/mailboxes/:id/group',
    {
      schema: {
        tags,
        summary:
          'A group mailbox’s name and members (administrators, and members allowed to manage it); the list replaces the old one',
        params: idParams,
        body: z.object({
          name: z.string().trim().min(1).max(100).optional(),
          members: z.array(memberSchema).max(500).optional(),
        }),
        response: { 200: z.object({ ok: z.literal(true) }), 403: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      await setGroup(app.tandem.store.db, currentUser(request), request.params.id, request.body);
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/group-mailboxes',
    {
      schema: {
        tags,
        summary:
          'The group mailboxes whose name and members you may change: all for an administrator, else those you may manage',
        response: { 200: z.object({ items: z.array(editableGroupSchema) }) },
      },
    },
    async (request) => ({ items: await editableGroupMailboxes(app.tandem.store.db, currentUser(request)) }),
  );

  app.put(
    '/api/v1/mailboxes/:id/availability',
    {
      schema: {
        tags,
        summary: 'Whether round-robin may give you this group mailbox’s new conversations',
        params: idParams,
        body: z.object({ available: z.boolean() }),
        response: { 200: mailboxSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const view = await mailboxView(app.tandem.store.db, user.id, request.params.id);
      await setAvailability(app.tandem.store.db, user.id, view.id, request.body.available);
      return mailboxView(app.tandem.store.db, user.id, request.params.id);
    },
  );

  app.post(
    '/api/v1/mailboxes/:id/disconnect',
    {
      schema: {
        tags,
        summary: 'Stop syncing; keep the mailbox and its emails',
        params: idParams,
        response: { 200: mailboxSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await disconnectMailbox(app.tandem, sync, user.id, request.params.id);
      return mailboxView(app.tandem.store.db, user.id, request.params.id);
    },
  );

  app.post(
    '/api/v1/mailboxes/:id/connect',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary: 'Resume syncing (also after a refused login)',
        params: idParams,
        response: { 200: mailboxSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await connectMailbox(app.tandem, sync, user.id, request.params.id);
      return mailboxView(app.tandem.store.db, user.id, request.params.id);
    },
  );

  app.post(
    '/api/v1/mailboxes/:id/password',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary:
          'After the password was changed on the mail server: try the new one and, if the logins work, keep it and sync again; emails, folders and settings are kept',
        params: idParams,
        body: z.object({
          password: z.string().min(1).max(1000),
          smtpPassword: z
            .string()
            .min(1)
            .max(1000)
            .optional()
            .describe(
              'When outgoing mail logs in with another password; else the new password is used for both if they were the same',
            ),
        }),
        response: { 200: mailboxSchema, 400: errorSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await changeMailboxPassword(app.tandem, sync, user.id, request.params.id, request.body);
      return mailboxView(app.tandem.store.db, user.id, request.params.id);
    },
  );

  app.get(
    '/api/v1/mailboxes/:id/deletion',
    {
      schema: {
        tags,
        summary: 'What deleting the mailbox would remove and keep: counts for the confirmation',
        params: idParams,
        response: {
          200: z.object({
            emails: z.number().int().describe('Synced emails removed from Tandem (the server keeps them)'),
            drafts: z.number().int(),
            linkedEmails: z.number().int().describe('Of those, emails linked to records: the links go too'),
            records: z.number().int().describe('Records that lose linked emails (the records stay)'),
            comments: z.number().int().describe('Comments on those emails, removed with them'),
            rulesKept: z.number().int().describe('Mailroom rules bound to the mailbox: kept, turned off'),
          }),
        },
      },
    },
    async (request) => deletionSummary(app.tandem.store.db, currentUser(request).id, request.params.id),
  );

  app.delete(
    '/api/v1/mailboxes/:id',
    {
      schema: {
        tags,
        summary:
          'Remove the mailbox, its synced emails with their record links and comments (the server keeps its mail); its mailroom rules are kept, turned off',
        params: idParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteMailbox(app.tandem, sync, currentUser(request).id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/mailboxes/:id/address-verification',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary:
          'Mail a confirmation code to the mailbox’s address (through its own SMTP server, or the admin’s outgoing server); a new code replaces the last',
        params: idParams,
        response: { 202: z.object({ expiresAt: z.string() }), 404: errorSchema, 502: errorSchema },
      },
    },
    async (request, reply) => {
      const { expiresAt } = await sendAddressCode(app.tandem, currentUser(request).id, request.params.id);
      return reply.status(202).send({ expiresAt: new Date(expiresAt).toISOString() });
    },
  );

  app.post(
    '/api/v1/mailboxes/:id/address-verification/confirm',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary: 'Confirm the mailbox’s address with the code mailed to it (five tries, within an hour)',
        params: idParams,
        body: z.object({ code: z.string().trim().min(1).max(20) }),
        response: { 200: mailboxSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const user = currentUser(request);
      await confirmAddressCode(app.tandem.store.db, user.id, request.params.id, request.body.code);
      return mailboxView(app.tandem.store.db, user.id, request.params.id);
    },
  );

  app.get(
    '/api/v1/mailboxes/:id/server-folders',
    {
      config: { rateLimit: outboundRateLimit },
      schema: {
        tags,
        summary: 'Every folder on the server, custom and nested ones included',
        params: idParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                path: z.string(),
                name: z.string(),
                delimiter: z.string().nullable(),
                specialUse: z.string().nullable(),
                subscribed: z.boolean(),
                enabled: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const folders = await serverFolders(app.tandem, currentUser(request).id, request.params.id);
      return {
        items: folders.map(({ path, name, delimiter, specialUse, subscribed, enabled }) => ({
          path,
          name,
          delimiter,
          specialUse,
          subscribed,
          enabled,
        })),
      };
    },
  );
}
