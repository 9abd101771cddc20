import type { Command } from 'commander';
import { mailboxView } from '../mail/mailboxes/index.ts';
import type { MailboxView } from '../mail/mailboxes/index.ts';
import { configFrom, withContext, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

interface JsonFlags extends StoreFlags {
  json?: boolean;
}

export function mailboxCommands(program: Command): void {
  const mailbox = program.command('mailbox').description('Inspect connected mailboxes');
  withStoreOptions(mailbox.command('list'))
    .description('Every mailbox with its state and first-sync progress')
    .option('--json', 'print JSON')
    .action(async (flags: JsonFlags) => {
      const views = await withContext(
        configFrom(flags),
        async ({ store }) => {
          const rows = await store.db.selectFrom('mailboxes').select('id').orderBy('created_at').execute();
          return Promise.all(rows.map((r) => mailboxView(store.db, null, r.id)));
        },
        { existingStore: true },
      );
      if (flags.json) return console.log(JSON.stringify(views, null, 2));
      if (views.length === 0) return console.log('No mailboxes');
      for (const view of views) console.log(summaryLine(view));
    });

  withStoreOptions(mailbox.command('status <id>'))
    .description("A mailbox's state, folders and progress")
    .option('--json', 'print JSON')
    .action(async (id: string, flags: JsonFlags) => {
      const view = await withContext(configFrom(flags), ({ store }) => mailboxView(store.db, null, id), {
        existingStore: true,
      });
      if (flags.json) return console.log(JSON.stringify(view, null, 2));
      console.log(summaryLine(view));
      if (view.error) console.log(`  error: ${view.error}`);
      for (const folder of view.folders) {
        const mark = folder.enabled ? (folder.firstSyncDone ? 'synced ' : 'syncing') : 'off    ';
        console.log(
          `  ${mark} ${folder.path}${folder.specialUse ? ` (${folder.specialUse})` : ''}: ${folder.synced}/${folder.messages}, ${folder.unread} unread`,
        );
      }
    });
}

function summaryLine(view: MailboxView): string {
  const line = `${view.id}  ${view.kind}  ${view.address}  ${view.state}  ${view.progress.done}/${view.progress.total}  period ${view.syncPeriod}`;
  if (!view.group) return line;
  const members = view.group.members.map((m) => `${m.email}${m.canManage ? ' (manages)' : ''}`).join(', ');
  return `${line}\n  group ${view.group.name}: ${members || 'no members'}`;
}
