import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { openContext } from '../../src/context/index.ts';
import type { TestApi } from '../support/api.ts';
import { runTandem } from '../support/cli.ts';
import { insertGroupMailbox } from '../crm/support.ts';

describe('tandem mailbox list with a group mailbox', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-group-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('shows each mailbox’s kind, and a group’s name and members (who manages it)', async () => {
    for (const email of ['lead@example.test', 'agent@example.test']) {
      const added = await runTandem(['user', 'add', '--email', email, '--password-stdin', '--data', dataDir], {
        stdin: 'long-enough-password',
      });
      expect(added.code).toBe(0);
    }
    const context = await openContext(loadConfig({ env: {}, overrides: { dataDir } }), {
      logger: pino({ level: 'silent' }),
    });
    try {
      const users = await context.store.db.selectFrom('users').select(['id', 'email']).execute();
      const id = (email: string) => users.find((u) => u.email === email)?.id ?? '';
      await insertGroupMailbox({ context } as unknown as TestApi, id('lead@example.test'), 'help@example.test', {
        name: 'Helpdesk',
        members: [{ userId: id('lead@example.test'), canManage: true }, { userId: id('agent@example.test') }],
      });
    } finally {
      await context.close();
    }
    const list = await runTandem(['mailbox', 'list', '--data', dataDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ group {2}help@example\.test /);
    expect(list.stdout).toContain('group Helpdesk: agent@example.test, lead@example.test (manages)');
    const json = JSON.parse((await runTandem(['mailbox', 'list', '--json', '--data', dataDir])).stdout) as {
      kind: string;
      group: { name: string; members: { email: string }[] };
    }[];
    expect(json[0]).toMatchObject({ kind: 'group', group: { name: 'Helpdesk' } });
  });
});
