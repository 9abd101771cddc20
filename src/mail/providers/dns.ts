import { lookup as systemLookup, Resolver } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';

/** DNS as discovery sees it: the system's servers, or the ones configured (`discoveryDnsServers`). */
export class DiscoveryDns {
  readonly #resolver: Resolver;
  readonly #custom: boolean;

  constructor(servers: string[] = [], timeoutMs = 2000) {
    this.#resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    this.#custom = servers.length > 0;
    if (this.#custom) this.#resolver.setServers(servers);
  }

  /** SRV targets by priority, then weight; a target of "." (RFC 2782: not offered) gives none. */
  async srv(name: string): Promise<{ host: string; port: number }[]> {
    const records = await this.#resolver.resolveSrv(name).catch(() => []);
    return records
      .filter((r) => r.name !== '' && r.name !== '.')
      .sort((a, b) => a.priority - b.priority || b.weight - a.weight)
      .map((r) => ({ host: r.name.replace(/\.$/, ''), port: r.port }));
  }

  async mx(domain: string): Promise<string[]> {
    const records = await this.#resolver.resolveMx(domain).catch(() => []);
    return records.sort((a, b) => a.priority - b.priority).map((r) => r.exchange.replace(/\.$/, ''));
  }

  /** A host's addresses through the same servers (so HTTP lookups agree with SRV and MX); IPv4 only from configured servers. */
  async addresses(host: string): Promise<LookupAddress[]> {
    if (!this.#custom) return systemLookup(host, { all: true });
    const found = await this.#resolver.resolve4(host);
    if (found.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: 4 }));
  }
}
