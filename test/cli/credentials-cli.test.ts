import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { openContext } from '../../src/context/index.ts';
import { authenticate, resetPassword, userForToken } from '../../src/users/index.ts';
import { runTandem } from '../support/cli.ts';

describe('tandem user and token commands', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-cred-'));
  const run = (...args: string[]) => runTandem([...args, '--data', dataDir]);
  const store = async () =>
    openContext(loadConfig({ env: {}, overrides: { dataDir } }), { logger: pino({ level: 'silent' }) });

  it('issues expiring tokens, lists and revokes them, resets a password and deactivates a user', async () => {
    expect(
      (
        await runTandem(['user', 'add', '--email', 'ops@example.test', '--password-stdin', '--data', dataDir], {
          stdin: 'ops-long-password\n',
        })
      ).code,
    ).toBe(0);
    const weak = await runTandem(
      ['user', 'add', '--email', 'weak@example.test', '--password-stdin', '--data', dataDir],
      { stdin: 'password1\n' },
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/weak_password/);

    const created = await run(
      'token',
      'create',
      '--user',
      'ops@example.test',
      '--name',
      'backup',
      '--expires-days',
      '7',
    );
    expect(created.stdout).toMatch(/^tdt_[\w-]{43}\n$/);
    const token = created.stdout.trim();
    const listed = JSON.parse((await run('token', 'list', '--user', 'ops@example.test', '--json')).stdout) as {
      id: string;
      name: string;
      expiresAt: string;
    }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'backup', expiresAt: expect.any(String) })]);

    const reset = await run('user', 'reset-password', '--email', 'ops@example.test');
    expect(reset.stdout).toMatch(/^tdr_[\w-]{43}\n$/);
    const deactivated = await run('user', 'deactivate', '--email', 'ops@example.test');
    expect(deactivated.stdout).toMatch(/ops@example.test is deactivated/);
    const users = JSON.parse((await run('user', 'list', '--json')).stdout) as { email: string; active: boolean }[];
    expect(users).toEqual([expect.objectContaining({ email: 'ops@example.test', active: false })]);

    let context = await store();
    try {
      expect(await userForToken(context.store.db, token)).toBeNull(); // deactivation ended the token
      await expect(resetPassword(context.store.db, reset.stdout.trim(), 'new-long-password')).rejects.toThrow(
        /unknown, used or expired/,
      );
    } finally {
      await context.close();
    }

    expect((await run('user', 'activate', '--email', 'ops@example.test')).stdout).toMatch(/is active/);
    const second = (await run('token', 'create', '--user', 'ops@example.test')).stdout.trim();
    const fresh = (await run('user', 'reset-password', '--email', 'ops@example.test')).stdout.trim();
    context = await store();
    try {
      await resetPassword(context.store.db, fresh, 'new-long-password');
      expect(await authenticate(context.store.db, 'ops@example.test', 'new-long-password')).toMatchObject({
        email: 'ops@example.test',
      });
      const [row] = await context.store.db.selectFrom('api_tokens').select('id').execute();
      expect((await run('token', 'revoke', row?.id ?? '')).stdout).toMatch(/Revoked/);
      expect(await userForToken(context.store.db, second)).toBeNull();
    } finally {
      await context.close();
    }
  }, 300_000);
});
