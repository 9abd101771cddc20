import { describe, expect, it } from 'vitest';
import { imapOptions } from '../mail/imap/index.ts';
import { OutboundPolicy, TargetRefused, validAllowedEntry } from './index.ts';

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('the outbound policy', () => {
  const strict = new OutboundPolicy();

  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::5',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '224.0.0.1',
    '255.255.255.255',
  ])('refuses %s without an allowance', async (address) => {
    await expect(strict.resolve(address)).rejects.toBeInstanceOf(TargetRefused);
  });

  it('accepts public addresses and connects to one of them, IPv4 first', async () => {
    expect(await strict.resolve('93.184.215.14')).toEqual({
      host: '93.184.215.14',
      address: '93.184.215.14',
      family: 4,
    });
    const target = await strict.resolve(
      'Mail.Example.COM.',
      resolvesTo('2606:2800:21f:cb07:6820:80da:af6b:8b2c', '93.184.215.14'),
    );
    expect(target).toEqual({ host: 'mail.example.com', address: '93.184.215.14', family: 4 });
  });

  it('refuses a name when any of its addresses is private (one bad answer is enough)', async () => {
    await expect(strict.resolve('mixed.example.com', resolvesTo('93.184.215.14', '10.0.0.7'))).rejects.toThrow(
      /mixed\.example\.com.*allowedMailHosts/,
    );
    await expect(strict.resolve('metadata.example.com', resolvesTo('169.254.169.254'))).rejects.toBeInstanceOf(
      TargetRefused,
    );
  });

  it('allows the networks and host names an administrator lists, and nothing more', async () => {
    const policy = new OutboundPolicy(['127.0.0.0/8', 'mail.lan', '10.0.0.5', 'fd00::/8']);
    expect((await policy.resolve('127.0.0.1')).address).toBe('127.0.0.1');
    expect((await policy.resolve('10.0.0.5')).address).toBe('10.0.0.5');
    expect((await policy.resolve('fd00::1')).address).toBe('fd00::1');
    expect((await policy.resolve('MAIL.lan', resolvesTo('192.168.7.7'))).address).toBe('192.168.7.7');
    await expect(policy.resolve('10.0.0.6')).rejects.toBeInstanceOf(TargetRefused);
    await expect(policy.resolve('169.254.169.254')).rejects.toBeInstanceOf(TargetRefused);
    await expect(policy.resolve('other.lan', resolvesTo('192.168.7.7'))).rejects.toBeInstanceOf(TargetRefused);
  });

  it('validates allowance entries', () => {
    for (const good of ['127.0.0.0/8', '::1', 'fd00::/8', 'mail.lan', 'localhost', '10.0.0.5'])
      expect(validAllowedEntry(good)).toBe(true);
    for (const bad of ['127.0.0.0/33', '10.0.0.0/x', 'not a host', 'fe80::/129', 'a/b/c'])
      expect(validAllowedEntry(bad)).toBe(false);
  });

  it('makes IMAP connect to the checked address while TLS still checks the host name', () => {
    const settings = {
      host: 'mail.example.com',
      port: 993,
      security: 'tls' as const,
      username: 'u',
      password: 'p',
      outbound: strict,
    };
    const options = imapOptions(settings, { host: 'mail.example.com', address: '93.184.215.14', family: 4 });
    expect(options).toMatchObject({ host: '93.184.215.14', servername: 'mail.example.com', port: 993 });
    expect(
      imapOptions(
        { ...settings, host: '93.184.215.14' },
        { host: '93.184.215.14', address: '93.184.215.14', family: 4 },
      ),
    ).not.toHaveProperty('servername');
  });
});
