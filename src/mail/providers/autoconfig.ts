import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import type { OutboundPolicy } from '../../outbound/index.ts';
import type { Security } from '../imap/index.ts';
import type { DiscoveryDns } from './dns.ts';

export interface AutoconfigServer {
  host: string;
  port: number;
  security: Security;
  /** The login name, with the address filled in. */
  username: string;
  oauth2: boolean;
}

export interface AutoconfigDocument {
  url: string;
  name: string | null;
  imap: AutoconfigServer | null;
  smtp: AutoconfigServer | null;
  helpUrl: string | null;
}

export interface AutoconfigOptions {
  dns: DiscoveryDns;
  /** The document's host must be allowed at every address it has; the request goes to a checked one. */
  outbound: OutboundPolicy;
  timeoutMs: number;
  /** Fetch over plain HTTP on this port instead of HTTPS (tests run a local HTTP server). */
  httpPort?: number | undefined;
}

/** The two places a domain may publish its Thunderbird-style autoconfig document. */
export function autoconfigUrls(
  address: string,
  domain: string,
  options: Pick<AutoconfigOptions, 'httpPort'>,
): string[] {
  const origin = (host: string) => (options.httpPort ? `http://${host}:${options.httpPort}` : `https://${host}`);
  const query = `?emailaddress=${encodeURIComponent(address)}`;
  return [
    `${origin(`autoconfig.${domain}`)}/mail/config-v1.1.xml${query}`,
    `${origin(domain)}/.well-known/autoconfig/mail/config-v1.1.xml${query}`,
  ];
}

/** Fetches and reads one autoconfig document; throws a message fit for the user when it is missing or broken. */
export async function fetchAutoconfig(
  url: string,
  address: string,
  options: AutoconfigOptions,
): Promise<AutoconfigDocument> {
  const body = await get(url, options);
  return parseAutoconfig(body, url, address);
}

const MAX_BYTES = 256 * 1024;

function get(url: string, options: AutoconfigOptions): Promise<string> {
  // Node's HTTP client asks for every address (`all: true`, an array) or for one; it connects to what this answers.
  const lookup = ((
    hostname: string,
    opts: { all?: boolean },
    callback: (error: Error | null, address: unknown, family?: number) => void,
  ) => {
    options.dns
      .addresses(hostname)
      .then(
        (found) => {
          const checked = options.outbound.check(hostname, found);
          const [first] = checked;
          if (opts.all) callback(null, checked);
          else callback(null, first?.address ?? '', first?.family ?? 4);
        },
        (error: Error) => callback(error, opts.all ? [] : '', 4),
      )
      .catch((error: Error) => callback(error, opts.all ? [] : '', 4));
  }) as LookupFunction;
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    // A fresh connection each time (no pooled socket), so every fetch goes through the lookup above.
    const request = client.get(
      url,
      { agent: false, lookup, timeout: options.timeoutMs, signal: AbortSignal.timeout(options.timeoutMs) },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`HTTP ${response.statusCode ?? '?'}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) request.destroy(new Error('document too large'));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', reject);
  });
}

type XmlNode = Record<string, unknown>;

export function parseAutoconfig(xml: string, url: string, address: string): AutoconfigDocument {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name) => ['incomingServer', 'outgoingServer', 'authentication', 'documentation'].includes(name),
  });
  let tree: XmlNode;
  try {
    tree = parser.parse(xml, true) as XmlNode;
  } catch {
    throw new Error('not valid XML');
  }
  const provider = (tree.clientConfig as XmlNode | undefined)?.emailProvider as XmlNode | undefined;
  if (!provider) throw new Error('not an autoconfig document (no clientConfig/emailProvider)');
  const servers = (key: string) => ((provider[key] as XmlNode[] | undefined) ?? []).map((s) => readServer(s, address));
  const imap = servers('incomingServer').find((s) => s.type === 'imap')?.server ?? null;
  const smtp = servers('outgoingServer').find((s) => s.type === 'smtp')?.server ?? null;
  if (!imap && !smtp) throw new Error('the document names no IMAP or SMTP server');
  const documentation = ((provider.documentation as XmlNode[] | undefined) ?? [])[0];
  return { url, name: text(provider.displayName) ?? null, imap, smtp, helpUrl: text(documentation?.['@url']) ?? null };
}

function readServer(node: XmlNode, address: string): { type: string; server: AutoconfigServer | null } {
  const type = text(node['@type']) ?? '';
  const host = text(node.hostname);
  const port = Number(text(node.port));
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return { type, server: null };
  const socket = (text(node.socketType) ?? '').toUpperCase();
  const security: Security = socket === 'SSL' || socket === 'TLS' ? 'tls' : socket === 'STARTTLS' ? 'starttls' : 'none';
  const [local = ''] = address.split('@');
  const username = (text(node.username) ?? '%EMAILADDRESS%')
    .replaceAll('%EMAILADDRESS%', address)
    .replaceAll('%EMAILLOCALPART%', local);
  const methods = ((node.authentication as unknown[] | undefined) ?? []).map((m) => text(m)?.toLowerCase());
  return { type, server: { host: fill(host, address), port, security, username, oauth2: methods.includes('oauth2') } };
}

function fill(value: string, address: string): string {
  return value.replaceAll('%EMAILDOMAIN%', address.split('@')[1] ?? '');
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return text((value as XmlNode)['#text']);
  return undefined;
}
