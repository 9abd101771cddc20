import type { Command } from 'commander';
import { TandemError } from '../errors/index.ts';
import { createApiToken, createUser, findUserByEmail } from '../users/index.ts';
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
      if (!flags.passwordStdin) throw new TandemError('bad_request', 'Give --password-stdin and pipe the password on stdin');
      const password = await readStdin();
      const created = await withContext(configFrom(flags), ({ store }) =>
        createUser(store.db, { email: flags.email, name: flags.name, password, isAdmin: flags.admin }),
      );
      console.log(`Created ${created.isAdmin ? 'admin' : 'user'} ${created.email} (${created.id})`);
    });

  const token = program.command('token').description('Manage API tokens');
  withStoreOptions(token.command('create'))
    .description('Create an API token for a user and print it on stdout')
    .requiredOption('--user <email>', "the token's user")
    .option('--name <name>', 'what the token is for', 'cli')
    .action(async (flags: TokenCreateFlags) => {
      const secret = await withContext(configFrom(flags), async ({ store }) => {
        const owner = await findUserByEmail(store.db, flags.user);
        if (!owner) throw new TandemError('not_found', `No user with the email ${flags.user}`);
        return (await createApiToken(store.db, owner.id, flags.name ?? 'cli')).token;
      });
      console.log(secret);
    });
}
