import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import type { OutboundPolicy } from '../outbound/index.ts';
import type { TargetRefused } from '../outbound/index.ts';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookAnswer {
  status: number;
}

/** The signature header: `sha256=` and the HMAC-SHA256 of the body with the workflow's secret, in hex. */
export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs JSON to a URL whose host the policy allows (every address it resolves
 * to is checked, and the connection goes to a checked one). Throws
 * TargetRefused for a refused host, an Error for a network failure.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: OutboundPolicy,
): Promise<WebhookAnswer> {
  const lookup = ((
    hostname: string,
    options: { all?: boolean },
    callback: (error: Error | null, address: unknown, family?: number) => void,
  ) => {
    dnsLookup(hostname, { all: true })
      .then((found) => {
        const checked = policy.check(hostname, found);
        const [first] = checked;
        if (options.all) callback(null, checked);
        else callback(null, first?.address ?? '', first?.family ?? 4);
      })
      .catch((error: Error) => callback(error, options.all ? [] : '', 4));
  }) as LookupFunction;
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    // A literal address never goes through lookup: check it here.
    try {
      if (/^[\d.]+$|^\[.*\]$/.test(target.hostname)) {
        const address = target.hostname.replace(/^\[|\]$/g, '');
        policy.check(address, [{ address, family: address.includes(':') ? 6 : 4 }]);
      }
    } catch (error) {
      reject(error as TargetRefused);
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        lookup,
        timeout: WEBHOOK_TIMEOUT_MS,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
