import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { TandemContext } from '../../context/index.ts';
import type { Database } from '../../db/index.ts';
import { verifySmtp } from '../account/index.ts';
import type { SmtpSettings } from '../account/index.ts';

/**
 * The admin's outgoing (SMTP) server: used for a mailbox whose own SMTP server
 * cannot be reached, and only when the mailbox's owner consented to it.
 * Stored sealed in `settings`, password included.
 */
const KEY = 'outgoing_server';

const storedSchema = z.object({
  host: z.string(),
  port: z.number(),
  security: z.enum(['tls', 'starttls', 'none']),
  username: z.string().optional(),
  password: z.string().optional(),
  allowInvalidCertificate: z.boolean().optional(),
  /** It relays only for addresses at these domains (and their subdomains); absent: any verified address. */
  domains: z.array(z.string()).optional(),
});

export type OutgoingServerInput = Omit<SmtpSettings, 'outbound'> & { domains?: string[] | undefined };

export interface OutgoingServerView {
  host: string;
  port: number;
  security: SmtpSettings['security'];
  username: string | null;
  domains: string[] | null;
}

export async function outgoingServer(
  context: TandemContext,
): Promise<(SmtpSettings & { domains: string[] | null }) | null> {
  const row = await context.store.db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
  if (!row) return null;
  const { domains, ...stored } = storedSchema.parse(context.secrets.openJson(row.value));
  return { ...stored, domains: domains ?? null, outbound: context.outbound };
}

/** What an admin sees: everything but the password. */
export async function outgoingServerView(context: TandemContext): Promise<OutgoingServerView | null> {
  const server = await outgoingServer(context);
  return (
    server && {
      host: server.host,
      port: server.port,
      security: server.security,
      username: server.username ?? null,
      domains: server.domains,
    }
  );
}

/** Saves the server once a connection (and login) to it worked; a refusal is a clear 422 and nothing is saved. */
export async function setOutgoingServer(
  context: TandemContext,
  input: OutgoingServerInput,
): Promise<OutgoingServerView> {
  const { domains: given, ...server } = input;
  const settings = { ...server, outbound: context.outbound };
  await verifySmtp(settings);
  const domains = given?.map((d) => d.trim().toLowerCase().replace(/^@/, ''));
  const value = context.secrets.sealJson(storedSchema.parse({ ...server, domains }));
  const now = Date.now();
  await context.store.db
    .insertInto('settings')
    .values({ key: KEY, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
  return {
    host: settings.host,
    port: settings.port,
    security: settings.security,
    username: settings.username ?? null,
    domains: domains ?? null,
  };
}

export async function removeOutgoingServer(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', KEY).execute();
}
