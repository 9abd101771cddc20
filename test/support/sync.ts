import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/api/index.ts';
import type { Dialect } from '../../src/db/index.ts';
import { newEngine } from '../../src/cli/serve.ts';
import type { SyncEngine, SyncTiming } from '../../src/mail/sync/index.ts';
import type { ParseRaw } from '../../src/mail/messages/index.ts';
import type { MailboxView } from '../../src/mail/mailboxes/index.ts';
import type { TestApi } from './api.ts';
import { signedInUser } from './api.ts';
import type { MailServers, MailServersInfo, MailUser, StartOptions } from './mail-servers.ts';
import { infoOf, otherClient, startMailServers } from './mail-servers.ts';
import { mailServers } from './index.ts';
import { openTestContext } from './stores.ts';
import type { TestContextOptions } from './stores.ts';
import { waitFor } from './wait-for.ts';

export interface SyncTestApi extends TestApi {
  engine: SyncEngine;
}

/** The HTTP app with a running sync engine, on a fresh store. */
export async function startSyncApi(
  dialect: Dialect = 'sqlite',
  timing?: Partial<SyncTiming>,
  options: TestContextOptions = {},
  parseBody?: ParseRaw,
): Promise<SyncTestApi> {
  const context = await openTestContext(dialect, options);
  const engine = newEngine(context, timing, parseBody);
  const app = await buildApp(context, { sync: engine });
  await engine.start();
  return {
    app,
    context,
    engine,
    async close() {
      await app.close();
      await engine.stop();
      await context.dispose();
    },
  };
}

export interface MailboxOptions {
  folders?: string[];
  syncPeriod?: 'now' | '1m' | '3m' | '6m';
  markIncomingPrivate?: boolean;
}

/** Signs in a fresh Tandem user and connects `mailUser`'s mailbox for them. */
export async function connectTestMailbox(
  api: TestApi,
  servers: MailServersInfo,
  mailUser: MailUser,
  options: MailboxOptions = {},
) {
  const owner = await signedInUser(api);
  const response = await api.app.inject({
    method: 'POST',
    url: '/api/v1/mailboxes',
    headers: owner.auth,
    payload: {
      address: mailUser.address,
      imap: {
        host: servers.imap.host,
        port: servers.imap.port,
        security: 'none',
        username: mailUser.username,
        password: mailUser.password,
      },
      smtp: {
        host: servers.smtp.host,
        port: servers.smtp.port,
        security: 'none',
        username: mailUser.username,
        password: mailUser.password,
      },
      syncPeriod: options.syncPeriod ?? '3m',
      ...(options.folders ? { folders: options.folders } : {}),
      ...(options.markIncomingPrivate ? { markIncomingPrivate: true } : {}),
    },
  });
  if (response.statusCode !== 201) throw new Error(`mailbox not created: ${response.statusCode} ${response.body}`);
  return { owner, mailbox: response.json<MailboxView>() };
}

export async function mailboxState(api: TestApi, auth: { authorization: string }, id: string): Promise<MailboxView> {
  return (await api.app.inject({ method: 'GET', url: `/api/v1/mailboxes/${id}`, headers: auth })).json<MailboxView>();
}

/** Waits until the mailbox is idle (first sync finished, nothing signalled). */
export async function waitIdle(api: TestApi, auth: { authorization: string }, id: string): Promise<MailboxView> {
  return waitFor(
    async () => {
      const view = await mailboxState(api, auth, id);
      return view.state === 'idle' && view.folders.every((f) => !f.enabled || f.firstSyncDone) ? view : undefined;
    },
    { what: 'the mailbox to be idle', timeoutMs: 60_000 },
  );
}

export interface StoredLocation {
  messageId: number;
  folder: string;
  uid: number;
  subject: string;
  flags: string[];
}

/** What Tandem holds for a mailbox, read straight from the store. */
export async function storedLocations(api: TestApi, mailboxId: string): Promise<StoredLocation[]> {
  const rows = await api.context.store.db
    .selectFrom('message_locations')
    .innerJoin('messages', 'messages.id', 'message_locations.message_id')
    .innerJoin('folders', 'folders.id', 'message_locations.folder_id')
    .select([
      'messages.id as messageId',
      'folders.path as folder',
      'message_locations.uid',
      'messages.subject',
      'message_locations.flags',
    ])
    .where('message_locations.mailbox_id', '=', mailboxId)
    .orderBy('message_locations.uid')
    .execute();
  return rows.map((r) => ({
    messageId: r.messageId,
    folder: r.folder,
    uid: r.uid,
    subject: r.subject,
    flags: JSON.parse(r.flags) as string[],
  }));
}

export async function subjectsIn(api: TestApi, mailboxId: string, folder: string): Promise<string[]> {
  return (await storedLocations(api, mailboxId))
    .filter((l) => l.folder === folder)
    .map((l) => l.subject)
    .sort();
}

let counter = 0;

/** A small RFC 5322 message. */
export function rawMessage(
  subject: string,
  options: {
    from?: string;
    to?: string;
    date?: Date;
    body?: string;
    messageId?: string;
    inReplyTo?: string;
    /** The thread's earlier ids (default: inReplyTo alone). */
    references?: string[];
  } = {},
): string {
  counter += 1;
  const date = options.date ?? new Date();
  return [
    `From: ${options.from ?? 'Sender <sender@example.test>'}`,
    `To: ${options.to ?? 'someone@example.test'}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${options.messageId ?? `${Date.now()}.${counter}.${Math.random().toString(36).slice(2)}@example.test`}>`,
    ...(options.inReplyTo
      ? [
          `In-Reply-To: <${options.inReplyTo}>`,
          `References: ${(options.references ?? [options.inReplyTo]).map((id) => `<${id}>`).join(' ')}`,
        ]
      : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body ?? `Body of ${subject}`,
    '',
  ].join('\r\n');
}

/** APPENDs with a chosen INTERNALDATE, as a mail app importing old mail would. */
export async function appendDated(
  servers: MailServersInfo,
  user: MailUser,
  folder: string,
  subject: string,
  date: Date,
): Promise<void> {
  const client: ImapFlow = await otherClient(servers, user);
  try {
    await client.append(folder, rawMessage(subject, { date }), [], date);
  } finally {
    await client.logout();
  }
}

export interface SyncVariant {
  /** The servers of this variant: the shared ones, or private ones with capabilities turned off. */
  servers: MailServersInfo;
  api: SyncTestApi;
}

/**
 * For a describe block: the shared servers when `options` is null, else a
 * private Dovecot + Postfix started with them (capabilities turned off, the
 * Courier profile); and a syncing app. Read the fields inside tests (they are
 * filled in beforeAll).
 */
export function useSyncVariant(options: StartOptions | null): SyncVariant {
  const variant = {} as SyncVariant;
  let own: MailServers | null = null;
  beforeAll(async () => {
    own = options ? await startMailServers(options) : null;
    variant.servers = own ? infoOf(own) : mailServers();
    variant.api = await startSyncApi();
  });
  afterAll(async () => {
    await variant.api?.close();
    await own?.stop();
  });
  return variant;
}
