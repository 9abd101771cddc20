import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, UsersTable } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
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
export const MIN_PASSWORD_LENGTH = 8;

export function toUser(row: Pick<UsersTable, 'id' | 'email' | 'name' | 'is_admin'>): User {
  return { id: row.id, email: row.email, name: row.name, isAdmin: row.is_admin === 1 };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(db: Kysely<Database>, input: NewUser): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new TandemError('validation_failed', `Not an email address: ${input.email}`);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new TandemError('validation_failed', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
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
  const { count } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
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
  return row && row.password_hash && ok ? toUser(row) : null;
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

export async function createSession(db: Kysely<Database>, userId: string, origin: SessionOrigin = {}): Promise<{ token: string; expiresAt: number }> {
  const { token, hash } = newToken('session');
  const now = Date.now();
  const expiresAt = now + SESSION_TTL_MS;
  await db
    .insertInto('sessions')
    .values({ id: randomUUID(), user_id: userId, token_hash: hash, created_at: now, expires_at: expiresAt, user_agent: origin.userAgent?.slice(0, 300) ?? null, client_ip: origin.clientIp ?? null })
    .execute();
  return { token, expiresAt };
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
}

export async function createApiToken(db: Kysely<Database>, userId: string, name: string): Promise<string> {
  const { token, hash } = newToken('api');
  await db
    .insertInto('api_tokens')
    .values({ id: randomUUID(), user_id: userId, name, token_hash: hash, created_at: Date.now(), last_used_at: null })
    .execute();
  return token;
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
      .executeTakeFirst();
    return row ? toUser(row) : null;
  }
  if (kind === 'api') {
    const row = await db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .select(['users.id', 'users.email', 'users.name', 'users.is_admin', 'api_tokens.id as token_id'])
      .where('api_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return null;
    await db.updateTable('api_tokens').set({ last_used_at: Date.now() }).where('id', '=', row.token_id).execute();
    return toUser(row);
  }
  return null;
}
