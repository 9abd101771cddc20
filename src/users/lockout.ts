import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import { TandemError } from '../errors/index.ts';
import { normalizeEmail } from './users.ts';

/** Failed sign-ins an account takes before it is locked. */
export const FREE_LOGIN_FAILURES = 10;
/** The first lock; each further failure doubles it, up to MAX_LOCK_MS. */
export const FIRST_LOCK_MS = 60_000;
export const MAX_LOCK_MS = 3_600_000;
/** Failures older than this (and no lock running) are forgotten. */
const FORGET_AFTER_MS = 3_600_000;

/**
 * Per-account lockout with exponential backoff, beside the per-address rate
 * limit: an attacker spreading guesses over many addresses still gets ten per
 * account, then waits 1 min, 2, 4, … up to an hour per further failure.
 * Unknown emails are counted the same way, so a lock says nothing about
 * whether an account exists. Kept in the store, so every `tandem web` process
 * sees the same count.
 */
export async function assertNotLocked(db: Kysely<Database>, email: string, now = Date.now()): Promise<void> {
  const row = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('account_key', '=', accountKey(email))
    .executeTakeFirst();
  if (row && row.locked_until > now) throw lockedError(row.locked_until - now);
}

/** Counts a failed sign-in; from the FREE_LOGIN_FAILURES-th on, locks the account (and says for how long). */
export async function recordLoginFailure(db: Kysely<Database>, email: string, now = Date.now()): Promise<void> {
  const key = accountKey(email);
  await db
    .insertInto('login_throttle')
    .values({ account_key: key, failures: 1, updated_at: now })
    .onConflict((oc) =>
      oc.column('account_key').doUpdateSet({
        // A long quiet spell (and no running lock) starts the count over.
        failures: sql<number>`case when login_throttle.updated_at < ${now - FORGET_AFTER_MS} and login_throttle.locked_until <= ${now} then 1 else login_throttle.failures + 1 end`,
        updated_at: now,
      }),
    )
    .execute();
  const { failures } = await db
    .selectFrom('login_throttle')
    .select('failures')
    .where('account_key', '=', key)
    .executeTakeFirstOrThrow();
  if (failures < FREE_LOGIN_FAILURES) return;
  const lockMs = Math.min(FIRST_LOCK_MS * 2 ** Math.min(failures - FREE_LOGIN_FAILURES, 20), MAX_LOCK_MS);
  await db
    .updateTable('login_throttle')
    .set({ locked_until: now + lockMs })
    .where('account_key', '=', key)
    .execute();
  throw lockedError(lockMs);
}

/** A successful sign-in (or a password set by an admin) clears the count. */
export async function clearLoginFailures(db: Kysely<Database>, email: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('account_key', '=', accountKey(email)).execute();
}

function lockedError(remainingMs: number): TandemError {
  const retryAfter = Math.ceil(remainingMs / 1000);
  return new TandemError('account_locked', `Too many failed sign-ins for this account; try again in ${retryAfter} s`, {
    retryAfter,
  });
}

function accountKey(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}
