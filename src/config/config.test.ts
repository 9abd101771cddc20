import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

function configFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tandem-config-')), 'tandem.json');
  writeFileSync(file, content);
  return file;
}

describe('loadConfig', () => {
  it('has sensible defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000, logLevel: 'info', dataDir: path.resolve('./data') });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('takes the file, then the environment, then command-line overrides', () => {
    const file = configFile(JSON.stringify({ port: 4000, host: '0.0.0.0', logLevel: 'debug' }));
    const config = loadConfig({ env: { TANDEM_PORT: '5000' }, file, overrides: { host: '::1' } });
    expect(config).toMatchObject({ port: 5000, host: '::1', logLevel: 'debug' });
  });

  it('reads the mailbox quota: unlimited when unset, a positive number of bytes otherwise', () => {
    expect(loadConfig({ env: {} }).mailboxQuotaBytes).toBeUndefined();
    expect(loadConfig({ env: { TANDEM_MAILBOX_QUOTA_BYTES: '1073741824' } }).mailboxQuotaBytes).toBe(1073741824);
    expect(() => loadConfig({ env: { TANDEM_MAILBOX_QUOTA_BYTES: '-5' } })).toThrow(/TANDEM_MAILBOX_QUOTA_BYTES/);
  });

  it('names the bad setting and where it came from', () => {
    expect(() => loadConfig({ env: { TANDEM_PORT: 'abc' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { TANDEM_PORT: '70000' } })).toThrow(/TANDEM_PORT/);
    expect(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' } })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => loadConfig({ env: { TANDEM_SECRET_KEY: 'short' } })).toThrow(/TANDEM_SECRET_KEY/);
    expect(() => loadConfig({ env: {}, overrides: { port: 'x' } })).toThrow(/--port/);
  });

  it('rejects unknown or malformed config files clearly', () => {
    expect(() => loadConfig({ env: {}, file: configFile('{"prot": 1}') })).toThrow(/unknown setting\(s\) prot/);
    expect(() => loadConfig({ env: {}, file: configFile('{not json') })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ env: {}, file: '/nonexistent/tandem.json' })).toThrow(/Cannot read config file/);
    expect(() => loadConfig({ env: {}, file: configFile('{"logLevel": "loud"}') })).toThrow(/"logLevel" in/);
  });

  it('accepts a PostgreSQL URL and a hex secret key', () => {
    const key = 'ab'.repeat(32);
    const config = loadConfig({ env: { DATABASE_URL: 'postgres://u@h/db', TANDEM_SECRET_KEY: key } });
    expect(config.databaseUrl).toBe('postgres://u@h/db');
    expect(config.secretKey).toBe(key);
  });

  it('reads the outbound allowance and the proxy trust, and names a bad entry', () => {
    const config = loadConfig({
      env: { TANDEM_ALLOWED_MAIL_HOSTS: ' 127.0.0.0/8, mail.lan ,::1', TANDEM_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' },
    });
    expect(config.allowedMailHosts).toEqual(['127.0.0.0/8', 'mail.lan', '::1']);
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({ env: {} })).toMatchObject({ allowedMailHosts: [], trustProxy: false });
    expect(loadConfig({ env: { TANDEM_TRUST_PROXY: 'true' } }).trustProxy).toBe(true);
    expect(loadConfig({ env: { TANDEM_TRUST_PROXY: '2' } }).trustProxy).toBe(2);
    expect(() => loadConfig({ env: { TANDEM_ALLOWED_MAIL_HOSTS: '127.0.0.0/99' } })).toThrow(
      /TANDEM_ALLOWED_MAIL_HOSTS: must be host names/,
    );
  });
});
