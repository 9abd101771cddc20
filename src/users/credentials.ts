import type { Kysely } from 'kysely';
import type { Database, Flag } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { clearLoginFailures } from './lockout.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { hashToken, newToken } from './tokens.ts';
import { toUser } from './users.ts';
import type { User } from './users.ts';

/** A one-time reset token an admin hands over lasts a day. */
export const RESET_TTL_MS = 24 * 3600 * 1000;

export interface SessionView {
  id: string;
  createdAt: string;
  expiresAt: string;
  userAgent: string | null;
  clientIp: string | null;
  /** The session this request was made with. */
  current: boolean;
}

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Changes the user's password once the current one is given; every other
 * session ends (the one making the change stays signed in). API tokens stay:
 * they are revoked one by one.
 */
export async function changePassword(
  db: Kysely<Database>,
  userId: string,
  current: string,
  next: string,
  currentToken: string | null,
): Promise<void> {
  const row = await db
    .selectFrom('users')
    .select(['email', 'password_hash'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (!row.password_hash || !(await verifyPassword(current, row.password_hash)))
    throw new TandemError('invalid_credentials', 'The current password is wrong');
  await assertAcceptablePassword(next, row.email);
  const hash = await hashPassword(next);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    let others = trx.deleteFrom('sessions').where('user_id', '=', userId);
    if (currentToken) others = others.where('token_hash', '!=', hashToken(currentToken));
    await others.execute();
    await trx.deleteFrom('password_resets').where('user_id', '=', userId).execute();
  });
}

/** The user's sessions that have not expired, newest first. */
export async function listSessions(
  db: Kysely<Database>,
  userId: string,
  currentToken: string | null,
): Promise<SessionView[]> {
  const rows = await db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('expires_at', '>', Date.now())
    .orderBy('created_at', 'desc')
    .execute();
  const current = currentToken ? hashToken(currentToken) : null;
  return rows.map((r) => ({
    id: r.id,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    userAgent: r.user_agent,
    clientIp: r.client_ip,
    current: r.token_hash === current,
  }));
}

export async function revokeSession(db: Kysely<Database>, userId: string, sessionId: string): Promise<void> {
  const result = await db
    .deleteFrom('sessions')
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new TandemError('not_found', 'No such session');
}

/** Ends every session of the user but the current one; answers how many ended. */
export async function revokeOtherSessions(
  db: Kysely<Database>,
  userId: string,
  currentToken: string | null,
): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (currentToken) query = query.where('token_hash', '!=', hashToken(currentToken));
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

export async function listApiTokens(db: Kysely<Database>, userId: string): Promise<ApiTokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: iso(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : iso(r.last_used_at),
    expiresAt: r.expires_at === null ? null : iso(r.expires_at),
  }));
}

export async function revokeApiToken(db: Kysely<Database>, userId: string, tokenId: string): Promise<void> {
  const result = await db
    .deleteFrom('api_tokens')
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new TandemError('not_found', 'No such API token');
}

export interface AdminUserView {
  id: string;
  email: string;
  name: string;
  admin: boolean;
  active: boolean;
  createdAt: string;
}

function adminView(row: {
  id: string;
  email: string;
  name: string;
  is_admin: number;
  active: number;
  created_at: number;
}): AdminUserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    admin: row.is_admin === 1,
    active: row.active === 1,
    createdAt: iso(row.created_at),
  };
}

export async function listUsers(db: Kysely<Database>): Promise<AdminUserView[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'is_admin', 'active', 'created_at'])
    .orderBy('created_at')
    .execute();
  return rows.map(adminView);
}

export async function userView(db: Kysely<Database>, userId: string): Promise<AdminUserView> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'is_admin', 'active', 'created_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new TandemError('not_found', 'No such user');
  return adminView(row);
}

/**
 * An admin's change to a user. Deactivating ends the user's sessions, API
 * tokens and reset tokens at once and keeps everything they own (mailboxes go
 * on syncing, records and comments stay); activating lets them sign in again.
 * Admins cannot deactivate or demote themselves (so one admin always remains);
 * `actor` null is the command line, run by whoever runs the server.
 */
export async function updateUser(
  db: Kysely<Database>,
  actor: User | null,
  userId: string,
  changes: { name?: string | undefined; admin?: boolean | undefined; active?: boolean | undefined },
): Promise<AdminUserView> {
  await userView(db, userId);
  if (userId === actor?.id && (changes.active === false || changes.admin === false)) {
    throw new TandemError(
      'conflict',
      'You cannot deactivate yourself or take away your own admin rights; another admin can',
    );
  }
  await db.transaction().execute(async (trx) => {
    const flag = (on: boolean): Flag => (on ? 1 : 0);
    const set = {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.admin !== undefined ? { is_admin: flag(changes.admin) } : {}),
      ...(changes.active !== undefined ? { active: flag(changes.active) } : {}),
    };
    if (Object.keys(set).length > 0) await trx.updateTable('users').set(set).where('id', '=', userId).execute();
    if (changes.active === false) {
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
      await trx.deleteFrom('password_resets').where('user_id', '=', userId).execute();
    }
  });
  return userView(db, userId);
}

/**
 * The people of the workspace, for @mention autocomplete: active users whose
 * name or email starts with `query` (any word of the name), at most 20. Only
 * signed-in users reach it; everyone signed in is a member of the workspace.
 */
export async function directory(
  db: Kysely<Database>,
  query: string,
): Promise<{ id: string; name: string; email: string }[]> {
  const q = query
    .trim()
    .toLowerCase()
    .replace(/[%_\\]/g, ''); // LIKE's wildcards are taken literally by no store alike: dropped
  let select = db.selectFrom('users').select(['id', 'name', 'email']).where('active', '=', 1);
  if (q) {
    select = select.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['email']), 'like', `${q}%`),
        eb(eb.fn('lower', ['name']), 'like', `${q}%`),
        eb(eb.fn('lower', ['name']), 'like', `% ${q}%`),
      ]),
    );
  }
  return select.orderBy('name').limit(20).execute();
}

/** A one-time token (shown once) that sets a new password for the user; it replaces any earlier one. */
export async function issuePasswordReset(
  db: Kysely<Database>,
  userId: string,
): Promise<{ token: string; expiresAt: number }> {
  const user = await userView(db, userId);
  if (!user.active) throw new TandemError('conflict', 'The user is deactivated: activate them first');
  const { token, hash } = newToken('reset');
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('password_resets').where('user_id', '=', userId).execute();
    await trx
      .insertInto('password_resets')
      .values({ token_hash: hash, user_id: userId, created_at: now, expires_at: now + RESET_TTL_MS })
      .execute();
  });
  return { token, expiresAt: now + RESET_TTL_MS };
}

/** Sets a new password with a reset token (once); every session of the user ends and the login lockout is cleared. */
export async function resetPassword(db: Kysely<Database>, token: string, password: string): Promise<User> {
  const row = await db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select(['users.id', 'users.email', 'users.name', 'users.is_admin', 'users.active', 'password_resets.expires_at'])
    .where('password_resets.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= Date.now() || row.active !== 1)
    throw new TandemError(
      'invalid_reset_token',
      'The reset token is unknown, used or expired: ask an administrator for a new one',
    );
  await assertAcceptablePassword(password, row.email);
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', row.id).execute();
    await trx.deleteFrom('password_resets').where('user_id', '=', row.id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', row.id).execute();
  });
  await clearLoginFailures(db, row.email);
  return toUser(row);
}
