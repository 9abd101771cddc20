import { Command } from 'commander';
import { mailboxCommands } from './mailboxes.ts';
import { migrateCommand } from './migrate.ts';
import { scaleOutCommands } from './scale-out.ts';
import { serveCommand } from './serve.ts';
import { reportFailure } from './shared.ts';
import { userCommands } from './users.ts';

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Tandem: a self-hosted CRM inbox in two-way sync with your IMAP/SMTP mailbox')
    .showHelpAfterError()
    .exitOverride();
  serveCommand(program);
  scaleOutCommands(program);
  userCommands(program);
  migrateCommand(program);
  mailboxCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Commander has already printed help, version or a usage error.
    if (code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version') process.exit(0);
    if (typeof code === 'string' && code.startsWith('commander.')) process.exit(2);
    process.exit(reportFailure(error));
  }
}
