import { OutboundPolicy, TargetRefused } from '../../outbound/index.ts';
import type { Security } from '../imap/index.ts';
import { autoconfigUrls, fetchAutoconfig } from './autoconfig.ts';
import type { AutoconfigDocument } from './autoconfig.ts';
import { DiscoveryDns } from './dns.ts';
import { presetForDomain, presetForMx } from './presets.ts';
import type { ProviderAuth, ProviderPreset } from './presets.ts';

export type DiscoverySource = 'preset' | 'autoconfig' | 'srv' | 'mx' | 'none';

export interface DiscoveredServer {
  host: string;
  port: number;
  security: Security;
  username: string;
}

export interface Discovery {
  address: string;
  source: DiscoverySource;
  provider: { id: string; name: string; auth: ProviderAuth; helpUrl?: string } | null;
  imap: DiscoveredServer | null;
  smtp: DiscoveredServer | null;
  /** What each step found or why it found nothing, in the order tried (shown to the user when nothing was found). */
  steps: { source: Exclude<DiscoverySource, 'none'>; outcome: string }[];
}

export interface DiscoveryOptions {
  /** DNS servers (`host` or `host:port`) for SRV, MX and the autoconfig hosts; the system's when empty. */
  dnsServers?: string[] | undefined;
  /** Fetch autoconfig documents over plain HTTP on this port (a local test server) instead of HTTPS. */
  autoconfigHttpPort?: number | undefined;
  /** Each network step gives up after this long; the whole discovery takes little more. */
  timeoutMs?: number | undefined;
  /** Which hosts autoconfig documents may be fetched from; public addresses only when not given. */
  outbound?: OutboundPolicy | undefined;
}

/**
 * What settings an address needs, and where they came from: a built-in preset,
 * the domain's autoconfig document, its SRV records (RFC 6186), or its MX
 * records pointing at a known host (Google Workspace, Microsoft 365). The
 * network steps run at once, each bounded in time; the first that answers in
 * that order wins.
 */
export async function discoverProvider(address: string, options: DiscoveryOptions = {}): Promise<Discovery> {
  const normalized = address.trim().toLowerCase();
  const domain = normalized.split('@')[1] ?? '';
  const preset = presetForDomain(domain);
  if (preset)
    return fromPreset(normalized, 'preset', preset, [{ source: 'preset', outcome: `${domain} is ${preset.name}` }]);

  const timeoutMs = options.timeoutMs ?? 3000;
  const dns = new DiscoveryDns(options.dnsServers ?? [], Math.min(timeoutMs, 2000));
  const [autoconfig, srv, mx] = await Promise.all([
    firstAutoconfig(normalized, domain, {
      dns,
      timeoutMs,
      httpPort: options.autoconfigHttpPort,
      outbound: options.outbound ?? new OutboundPolicy(),
    }),
    srvServers(dns, domain, normalized),
    dns.mx(domain),
  ]);
  const steps: Discovery['steps'] = [{ source: 'autoconfig', outcome: autoconfig.outcome }];
  if (autoconfig.document) return fromAutoconfig(normalized, autoconfig.document, steps);

  steps.push({
    source: 'srv',
    outcome: srv.imap || srv.smtp ? 'found' : `no _imaps/_imap/_submissions/_submission records for ${domain}`,
  });
  if (srv.imap || srv.smtp)
    return { address: normalized, source: 'srv', provider: null, imap: srv.imap, smtp: srv.smtp, steps };

  const hosted = presetForMx(mx);
  steps.push({
    source: 'mx',
    outcome: hosted
      ? `mail for ${domain} goes to ${hosted.name}`
      : mx.length > 0
        ? `mail goes to ${mx.join(', ')}, not a known provider`
        : `no MX records for ${domain}`,
  });
  if (hosted) return fromPreset(normalized, 'mx', hosted, steps);
  return { address: normalized, source: 'none', provider: null, imap: null, smtp: null, steps };
}

function fromPreset(
  address: string,
  source: 'preset' | 'mx',
  preset: ProviderPreset,
  steps: Discovery['steps'],
): Discovery {
  return {
    address,
    source,
    provider: {
      id: preset.id,
      name: preset.name,
      auth: preset.auth,
      ...(preset.helpUrl ? { helpUrl: preset.helpUrl } : {}),
    },
    imap: { ...preset.imap, username: address },
    smtp: { ...preset.smtp, username: address },
    steps,
  };
}

function fromAutoconfig(address: string, doc: AutoconfigDocument, steps: Discovery['steps']): Discovery {
  const oauth2 = !!(doc.imap?.oauth2 || doc.smtp?.oauth2);
  const server = (s: AutoconfigDocument['imap']) =>
    s ? { host: s.host, port: s.port, security: s.security, username: s.username } : null;
  // Hosts of a known provider (e.g. a domain on Microsoft 365 publishing its autoconfig) keep that provider's sign-in.
  const known = presetForMx([doc.imap?.host ?? '', doc.smtp?.host ?? ''].filter(Boolean));
  const provider = known
    ? { id: known.id, name: known.name, auth: known.auth, ...(known.helpUrl ? { helpUrl: known.helpUrl } : {}) }
    : {
        id: `autoconfig:${address.split('@')[1] ?? ''}`,
        name: doc.name ?? address.split('@')[1] ?? '',
        auth: (oauth2 ? 'oauth2' : 'password') as ProviderAuth,
        ...(doc.helpUrl ? { helpUrl: doc.helpUrl } : {}),
      };
  return { address, source: 'autoconfig', provider, imap: server(doc.imap), smtp: server(doc.smtp), steps };
}

/** Both autoconfig places at once; the first (autoconfig.<domain>) wins when both answer. */
async function firstAutoconfig(address: string, domain: string, options: Parameters<typeof fetchAutoconfig>[2]) {
  const urls = autoconfigUrls(address, domain, options);
  const results = await Promise.allSettled(urls.map((url) => fetchAutoconfig(url, address, options)));
  const found = results.find((r): r is PromiseFulfilledResult<AutoconfigDocument> => r.status === 'fulfilled');
  if (found) return { document: found.value, outcome: `read ${found.value.url}` };
  const reasons = results.map(
    (r, i) => `${(urls[i] ?? '').split('?')[0]}: ${r.status === 'rejected' ? reason(r.reason) : ''}`,
  );
  return { document: null, outcome: reasons.join('; ') };
}

/** Why a place gave nothing, in Tandem's words: never the remote side's (no certificate names, no banners). */
function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; name?: string };
  if (error instanceof TargetRefused) return 'not allowed (a loopback, private or link-local address)';
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'no answer in time';
  if (e.code === 'ENOTFOUND' || e.code === 'ENODATA' || e.code === 'ESERVFAIL' || e.code === 'EREFUSED')
    return 'no such host';
  if (e.code && /CERT|SELF_SIGNED|DEPTH_ZERO|UNABLE_TO_VERIFY|ALTNAME/i.test(e.code))
    return 'its certificate is not valid for this host';
  if (
    /^(HTTP \d{3}|not valid XML|not an autoconfig document|the document names no IMAP or SMTP server|document too large)/.test(
      e.message ?? '',
    )
  )
    return e.message ?? '';
  return 'no usable answer';
}

async function srvServers(
  dns: DiscoveryDns,
  domain: string,
  address: string,
): Promise<{ imap: DiscoveredServer | null; smtp: DiscoveredServer | null }> {
  const [imaps, imap, submissions, submission] = await Promise.all(
    ['_imaps._tcp', '_imap._tcp', '_submissions._tcp', '_submission._tcp'].map((service) =>
      dns.srv(`${service}.${domain}`),
    ),
  );
  // Implicit TLS is preferred over STARTTLS (RFC 8314).
  const pick = (tls: typeof imaps, starttls: typeof imaps): DiscoveredServer | null => {
    const secure = tls?.[0];
    if (secure) return { ...secure, security: 'tls', username: address };
    const plain = starttls?.[0];
    return plain ? { ...plain, security: 'starttls', username: address } : null;
  };
  return { imap: pick(imaps, imap), smtp: pick(submissions, submission) };
}
