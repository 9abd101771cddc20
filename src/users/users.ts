import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, UsersTable } from '../db/index.ts';
import { isStorageFull, TandemError } from '../errors/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { hashToken, newToken, tokenKind } from './tokens.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export interface NewUser {
  email: string;
  name?: string | undefined;
  password: string;
  isAdmin?: boolean | undefined;
}

/** Login sessions last 30 days. */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export function toUser(row: Pick<UsersTable, 'id' | 'email' | 'name' | 'is_admin'>): User {
  return { id: row.id, email: row.email, name: row.name, isAdmin: row.is_admin === 1 };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw new TandemError('validation_failed', `Not an email address: ${input.email}`);
  await assertAcceptablePassword(input.password, email);
  const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw new TandemError('conflict', `A user with the email ${email} already exists`);
  const row = {
    id: randomUUID(),
    email,
    name: input.name?.trim() || email.split('@')[0] || email,
    password_hash: await hashPassword(input.password),
    is_admin: input.isAdmin ? 1 : 0,
    created_at: Date.now(),
  } as const;
  await db.insertInto('users').values(row).execute();
  return toUser(row);
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const { count } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
  return row ? toUser(row) : null;
}

/** The user whose email and password match, or null (same cost either way). */
export async function authenticate(db: Kysely<Database>, email: string, password: string): Promise<User | null> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
  // Hash against a dummy when the user is unknown so timing does not reveal which emails exist.
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
  return row && row.password_hash && ok && row.active === 1 ? toUser(row) : null;
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password');
  return dummy;
}

/** Where a session was opened, for the user's list of sessions. */
export interface SessionOrigin {
  userAgent?: string | undefined;
  clientIp?: string | undefined;
}

export async function createSession(
  db: Kysely<Database>,
  userId: string,
  origin: SessionOrigin = {},
): Promise<{ token: string; expiresAt: number }> {
  const { token, hash } = newToken('session');
  const now = Date.now();
  const expiresAt = now + SESSION_TTL_MS;
  await db
    .insertInto('sessions')
    .values({
      id: randomUUID(),
      user_id: userId,
      token_hash: hash,
      created_at: now,
      expires_at: expiresAt,
      user_agent: origin.userAgent?.slice(0, 300) ?? null,
      client_ip: origin.clientIp ?? null,
    })
    .execute();
  return { token, expiresAt };
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

/** A new API token (shown once); `expiresAt` null: it lasts until revoked. */
export async function createApiToken(
  db: Kysely<Database>,
  userId: string,
  name: string,
  expiresAt: number | null = null,
): Promise<{ id: string; token: string }> {
  const { token, hash } = newToken('api');
  const id = randomUUID();
  await db
    .insertInto('api_tokens')
    .values({
      id,
      user_id: userId,
      name,
      token_hash: hash,
      created_at: Date.now(),
      last_used_at: null,
      expires_at: expiresAt,
    })
    .execute();
  return { id, token };
}

/** The user a session or API token belongs to, or null when it is unknown or expired. */
export async function userForToken(db: Kysely<Database>, token: string): Promise<User | null> {
  const kind = tokenKind(token);
  const hash = hashToken(token);
  if (kind === 'session') {
    const row = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.email', 'users.name', 'users.is_admin'])
      .where('sessions.token_hash', '=', hash)
      .where('sessions.expires_at', '>', Date.now())
      .where('users.active', '=', 1)
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }
  if (kind === 'api') {
    const row = await db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['users.id', 'users.email', 'users.name', 'users.is_admin', 'api_tokens.id as token_id'])
      .where('api_tokens.token_hash', '=', hash)
      .where('users.active', '=', 1)
      .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', Date.now())]))
      .executeTakeFirst();
    if (!row) return null;
    // When it was last used is a hint: a full disk must not stop a token from reading.
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: Date.now() })
      .where('id', '=', row.token_id)
      .execute()
      .catch((error: unknown) => {
        if (!isStorageFull(error)) throw error;
      });
    return toUser(row);
  }
  return null;
}
