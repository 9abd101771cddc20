import type { Command } from 'commander';
import { BLOB_GRACE_MS, collectBlobs } from '../context/index.ts';
import { configFrom, withContext, withStoreOptions } from './shared.ts';
import type { StoreFlags } from './shared.ts';

interface GcFlags extends StoreFlags {
  dryRun?: boolean;
}

export function blobCommands(program: Command): void {
  const blobs = program.command('blobs').description('The stored files of messages, attachments, drafts and sends');
  withStoreOptions(blobs.command('gc'))
    .description(
      `Delete the files nothing references any more (older than ${BLOB_GRACE_MS / 60_000} minutes, so none being written is touched)`,
    )
    .option('--dry-run', 'only count what would be deleted')
    .action(async (flags: GcFlags) => {
      const result = await withContext(
        configFrom(flags),
        (context) => collectBlobs(context, { dryRun: flags.dryRun }),
        {
          existingStore: true,
        },
      );
      if (result.skipped) return console.log('Another process is collecting blobs now: nothing done');
      const verb = flags.dryRun ? 'would delete' : 'deleted';
      console.log(
        `${verb} ${result.deleted} blobs (${result.deletedBytes} bytes); kept ${result.kept} (${result.keptBytes} bytes)`,
      );
    });
}
