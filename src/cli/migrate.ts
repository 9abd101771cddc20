import type { Command } from 'commander';
import { migrateToLatest } from '../db/index.ts';
import { configFrom, withContext, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

export function migrateCommand(program: Command): void {
  withStoreOptions(program.command('migrate'))
    .description('Bring the database schema up to date')
    .action(async (flags: StoreFlags) => {
      const applied = await withContext(configFrom(flags), ({ store }) => migrateToLatest(store), { migrate: false });
      console.log(applied.length > 0 ? `Applied ${applied.join(', ')}` : 'The database is up to date');
    });
}
