// A private DNS server (Debian's dnsmasq) on a free loopback port, answering only
// the records a test gives it: every other name under the given zones is NXDOMAIN.
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { ensurePackages } from './mail-servers.ts';
import { freePorts } from './process.ts';
import { waitFor } from './wait-for.ts';

export interface DnsRecords {
  /** name → IPv4 address (A record). */
  a?: Record<string, string>;
  /** `_service._tcp.domain` → target and port (SRV). */
  srv?: { name: string; target: string; port: number; priority?: number }[];
  /** domain → mail exchangers (MX), most preferred first. */
  mx?: Record<string, string[]>;
}

export interface TestDns {
  /** For `discoveryDnsServers`: `127.0.0.1:PORT`. */
  server: string;
  stop(): Promise<void>;
}

export async function startDns(zones: string[], records: DnsRecords): Promise<TestDns> {
  await ensurePackages();
  const [port = 0] = await freePorts(1);
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--user=root',
    '--pid-file=',
    ...zones.map((zone) => `--local=/${zone}/`),
    ...Object.entries(records.a ?? {}).map(([name, ip]) => `--host-record=${name},${ip}`),
    ...(records.srv ?? []).map((r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority ?? 0},0`),
    ...Object.entries(records.mx ?? {}).flatMap(([domain, hosts]) =>
      hosts.map((host, i) => `--mx-host=${domain},${host},${(i + 1) * 10}`),
    ),
  ];
  const child = spawn('/usr/sbin/dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const server = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([server]);
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
        // Any answer (even NXDOMAIN) shows it is listening.
        return resolver.resolveTxt(`ready.${zones[0] ?? 'test'}`).then(
          () => true,
          (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND' || e.code === 'ENODATA',
        );
      },
      { timeoutMs: 10_000, what: 'dnsmasq to answer' },
    );
  } catch (error) {
    kill();
    throw error;
  }
  return {
    server,
    async stop() {
      process.removeListener('exit', kill);
      child.kill('SIGTERM');
      await exited;
    },
  };
}
