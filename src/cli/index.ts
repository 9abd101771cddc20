import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { blobCommands } from './blobs.ts';
import { mailboxCommands } from './mailboxes.ts';
import { migrateCommand } from './migrate.ts';
import { scaleOutCommands } from './scale-out.ts';
import { serveCommand } from './serve.ts';
import { reportFailure } from './shared.ts';
import { userCommands } from './users.ts';

/** The version in package.json, the one source of it. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Tandem: a self-hosted CRM inbox in two-way sync with your IMAP/SMTP mailbox')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  serveCommand(program);
  scaleOutCommands(program);
  userCommands(program);
  migrateCommand(program);
  mailboxCommands(program);
  blobCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Commander has already printed help, version or a usage error.
    if (code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version')
      process.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(2);
    process.exit(reportFailure(error));
  }
}
