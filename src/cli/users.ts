import type { Command } from 'commander';
import { deleteUser } from '../crm/index.ts';
import { storeOnlySync } from '../mail/sync/index.ts';
import { TandemError } from '../errors/index.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import {
  createApiToken,
  createUser,
  findUserByEmail,
  issuePasswordReset,
  listApiTokens,
  listUsers,
  updateUser,
} from '../users/index.ts';
import type { User } from '../users/index.ts';
import { configFrom, readStdin, withContext, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

interface UserAddFlags extends StoreFlags {
  email: string;
  name?: string;
  admin?: boolean;
  passwordStdin?: boolean;
}

interface TokenCreateFlags extends StoreFlags {
  user: string;
  name?: string;
  expiresDays?: string;
}

interface EmailFlags extends StoreFlags {
  email: string;
}

interface JsonFlags extends StoreFlags {
  json?: boolean;
}

async function userByEmail(db: Kysely<Database>, email: string): Promise<User> {
  const found = await findUserByEmail(db, email);
  if (!found) throw new TandemError('not_found', `No user with the email ${email}`);
  return found;
}

export function userCommands(program: Command): void {
  const user = program.command('user').description('Manage users');
  withStoreOptions(user.command('add'))
    .description('Create a user; the password is read from stdin')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--name <name>', 'display name')
    .option('--admin', 'make the user an administrator')
    .option('--password-stdin', 'read the password from stdin (required)')
    .action(async (flags: UserAddFlags) => {
      if (!flags.passwordStdin)
        throw new TandemError('bad_request', 'Give --password-stdin and pipe the password on stdin');
      const password = await readStdin();
      const created = await withContext(configFrom(flags), ({ store }) =>
        createUser(store.db, { email: flags.email, name: flags.name, password, isAdmin: flags.admin }),
      );
      console.log(`Created ${created.isAdmin ? 'admin' : 'user'} ${created.email} (${created.id})`);
    });

  withStoreOptions(user.command('list'))
    .description('Every user: email, name, admin, active')
    .option('--json', 'print JSON')
    .action(async (flags: JsonFlags) => {
      const users = await withContext(configFrom(flags), ({ store }) => listUsers(store.db));
      if (flags.json) return console.log(JSON.stringify(users, null, 2));
      for (const u of users)
        console.log(`${u.id}  ${u.email}  ${u.name}${u.admin ? '  admin' : ''}${u.active ? '' : '  deactivated'}`);
    });

  for (const [name, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    withStoreOptions(user.command(name))
      .description(
        active
          ? 'Let a deactivated user sign in again'
          : 'Stop a user from signing in and end their sessions and API tokens; their mailboxes and records stay',
      )
      .requiredOption('--email <email>', 'the user')
      .action(async (flags: EmailFlags) => {
        const changed = await withContext(configFrom(flags), async ({ store }) =>
          updateUser(store.db, null, (await userByEmail(store.db, flags.email)).id, { active }),
        );
        console.log(`${changed.email} is ${changed.active ? 'active' : 'deactivated'}`);
      });
  }

  withStoreOptions(user.command('delete'))
    .description(
      'Delete a user: sessions and API tokens end; their mailboxes (synced mail, drafts, comments on it), rules, sign-ins and comments go; the records they own pass to --records-to (default: the oldest other admin)',
    )
    .requiredOption('--email <email>', 'the user')
    .option('--records-to <email>', 'the active user who takes their records')
    .action(async (flags: EmailFlags & { recordsTo?: string }) => {
      const done = await withContext(configFrom(flags), async (context) => {
        const { db } = context.store;
        const doomed = await userByEmail(db, flags.email);
        const heir = flags.recordsTo ? (await userByEmail(db, flags.recordsTo)).id : null;
        return deleteUser(context, storeOnlySync, doomed.id, { actorId: null, recordsTo: heir });
      });
      console.log(
        `Deleted ${flags.email}: ${done.mailboxes} mailbox(es) removed, ${done.records} record(s) passed to ${done.recordsTo}`,
      );
    });

  withStoreOptions(user.command('reset-password'))
    .description(
      'Issue a one-time password reset token (valid one day) and print it alone on stdout; the user sets a new password with it at POST /api/v1/auth/password-reset',
    )
    .requiredOption('--email <email>', 'the user')
    .action(async (flags: EmailFlags) => {
      const { token } = await withContext(configFrom(flags), async ({ store }) =>
        issuePasswordReset(store.db, (await userByEmail(store.db, flags.email)).id),
      );
      console.log(token);
    });

  const token = program.command('token').description('Manage API tokens');
  withStoreOptions(token.command('create'))
    .description('Create an API token for a user and print it on stdout')
    .requiredOption('--user <email>', "the token's user")
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--expires-days <days>', 'days until the token stops working (default: until revoked)')
    .action(async (flags: TokenCreateFlags) => {
      const days = flags.expiresDays === undefined ? null : Number(flags.expiresDays);
      if (days !== null && (!Number.isInteger(days) || days < 1))
        throw new TandemError('bad_request', '--expires-days takes a whole number of days, 1 or more');
      const secret = await withContext(
        configFrom(flags),
        async ({ store }) => {
          const owner = await userByEmail(store.db, flags.user);
          return (
            await createApiToken(
              store.db,
              owner.id,
              flags.name ?? 'cli',
              days === null ? null : Date.now() + days * 24 * 3600 * 1000,
            )
          ).token;
        },
        { existingStore: true },
      );
      console.log(secret);
    });

  withStoreOptions(token.command('list'))
    .description("A user's API tokens (never their secrets)")
    .requiredOption('--user <email>', "the tokens' user")
    .option('--json', 'print JSON')
    .action(async (flags: JsonFlags & { user: string }) => {
      const tokens = await withContext(configFrom(flags), async ({ store }) =>
        listApiTokens(store.db, (await userByEmail(store.db, flags.user)).id),
      );
      if (flags.json) return console.log(JSON.stringify(tokens, null, 2));
      for (const t of tokens)
        console.log(
          `${t.id}  ${t.name}  created ${t.createdAt}  expires ${t.expiresAt ?? 'never'}  last used ${t.lastUsedAt ?? 'never'}`,
        );
    });

  withStoreOptions(token.command('revoke <id>'))
    .description('Revoke an API token at once')
    .action(async (id: string, flags: StoreFlags) => {
      await withContext(configFrom(flags), async ({ store }) => {
        const result = await store.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) throw new TandemError('not_found', `No API token ${id}`);
      });
      console.log(`Revoked ${id}`);
    });
}
