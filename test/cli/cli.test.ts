import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTandem, startServe } from '../support/cli.ts';

describe('tandem CLI', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-'));
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGTERM')));

  it('has --help on every command', async () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['user', 'add', '--help'],
      ['token', 'create', '--help'],
      ['migrate', '--help'],
    ]) {
      const result = await runTandem(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/Usage: tandem/);
    }
  });

  it('migrates, adds a user from stdin and prints a token alone', async () => {
    expect((await runTandem(['migrate', '--data', dataDir])).stdout).toMatch(/Applied 0001_foundation/);
    expect((await runTandem(['migrate', '--data', dataDir])).stdout).toMatch(/up to date/);
    const add = await runTandem(
      ['user', 'add', '--email', 'cli@example.test', '--admin', '--password-stdin', '--data', dataDir],
      {
        stdin: 'cli-password-1\n',
      },
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Created admin cli@example.test/);
    const token = await runTandem(['token', 'create', '--user', 'cli@example.test'], {
      env: { TANDEM_DATA_DIR: dataDir },
    });
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^tdt_[\w-]{43}\n$/);
  });

  it('lists mailboxes and explains an unknown one', async () => {
    const list = await runTandem(['mailbox', 'list', '--json', '--data', dataDir]);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const status = await runTandem(['mailbox', 'status', 'nope', '--data', dataDir]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/not_found/);
  });

  it('prints only the token on stdout, even on a fresh store', async () => {
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-token-'));
    const created = await runTandem(['user', 'add', '--email', 't@example.test', '--password-stdin', '--data', fresh], {
      stdin: 'password-123',
    });
    expect(created.stdout).toMatch(/^Created user t@example.test \([\w-]+\)\n$/);
    const token = await runTandem(['token', 'create', '--user', 't@example.test', '--data', fresh]);
    expect(token.stdout).toMatch(/^tdt_[\w-]{43}\n$/);
  });

  it('refuses, in commands that need an existing store, a data folder that holds none, creating nothing', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-none-'));
    for (const args of [
      ['mailbox', 'list'],
      ['mailbox', 'status', 'x'],
      ['token', 'create', '--user', 'cli@example.test'],
    ]) {
      const result = await runTandem(args, { cwd: empty });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(
        /^Error \(not_found\): No Tandem store in .*tandem-cli-none-\w+\/data: pass --data/,
      );
    }
    const elsewhere = await runTandem(['mailbox', 'list', '--data', path.join(empty, 'typo')]);
    expect(elsewhere.stderr).toMatch(/No Tandem store in .*typo/);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V'])
      expect(await runTandem([flag])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('explains failures in one clear line', async () => {
    const unknown = await runTandem(['token', 'create', '--user', 'nobody@example.test', '--data', dataDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not_found.*nobody@example.test/);
    const noStdin = await runTandem(['user', 'add', '--email', 'x@example.test', '--data', dataDir]);
    expect(noStdin.stderr).toMatch(/--password-stdin/);
    const badConfig = await runTandem(['serve', '--data', dataDir], { env: { TANDEM_PORT: 'abc' } });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/TANDEM_PORT/);
  });

  it('serves health and logs in a user made by the CLI', async () => {
    const { url, child } = await startServe(['--data', dataDir]);
    children.push(child);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite', storage: 'ok' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cli@example.test', password: 'cli-password-1' }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ user: { email: 'cli@example.test', isAdmin: true } });
  });

  it('prints a one-time setup code on first run', async () => {
    const freshDir = mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-first-'));
    const { url, child, output } = await startServe(['--data', freshDir]);
    children.push(child);
    await expect.poll(output).toMatch(/setup code [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/);
    const code = /setup code ([A-Z0-9-]{14})/.exec(output())?.[1];
    const setup = await fetch(`${url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ setupCode: code, email: 'first@example.test', password: 'first-password' }),
    });
    expect(setup.status).toBe(201);
  });
});
