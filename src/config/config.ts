import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { validAllowedEntry } from '../outbound/index.ts';

/** Every setting, with the environment variable it comes from. */
const settings = {
  dataDir: 'TANDEM_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  host: 'TANDEM_HOST',
  port: 'TANDEM_PORT',
  secretKey: 'TANDEM_SECRET_KEY',
  logLevel: 'TANDEM_LOG_LEVEL',
  publicUrl: 'TANDEM_PUBLIC_URL',
  discoveryDnsServers: 'TANDEM_DISCOVERY_DNS_SERVERS',
  autoconfigHttpPort: 'TANDEM_AUTOCONFIG_HTTP_PORT',
  allowedMailHosts: 'TANDEM_ALLOWED_MAIL_HOSTS',
  trustProxy: 'TANDEM_TRUST_PROXY',
  mailboxQuotaBytes: 'TANDEM_MAILBOX_QUOTA_BYTES',
  dbStatementTimeoutMs: 'TANDEM_DB_STATEMENT_TIMEOUT_MS',
  dbLockTimeoutMs: 'TANDEM_DB_LOCK_TIMEOUT_MS',
  dbIdleInTransactionTimeoutMs: 'TANDEM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  timeZone: 'TANDEM_TIME_ZONE',
  workflowSendsPerMinute: 'TANDEM_WORKFLOW_SENDS_PER_MINUTE',
  undoSendSeconds: 'TANDEM_UNDO_SEND_SECONDS',
  allowedWebhookHosts: 'TANDEM_ALLOWED_WEBHOOK_HOSTS',
  trackingRequestsPerMinute: 'TANDEM_TRACKING_REQUESTS_PER_MINUTE',
} as const;

const commaList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

type SettingName = keyof typeof settings;

const configSchema = z.object({
  dataDir: z.string().min(1).default('./data'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for the embedded SQLite store)')
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  secretKey: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex digits or base64')
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  publicUrl: z.url().optional(),
  /** DNS servers for provider discovery (comma-separated `host` or `host:port`); the system's when unset. */
  discoveryDnsServers: z.string().transform(commaList).optional(),
  /** Fetch autoconfig documents over plain HTTP on this port instead of HTTPS (for a local test server). */
  autoconfigHttpPort: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * Host names and networks (comma-separated; `mail.lan`, `10.0.0.5`, `127.0.0.0/8`) that mailboxes,
   * connection tests and discovery may reach although they are loopback, private or link-local.
   */
  allowedMailHosts: z
    .string()
    .transform(commaList)
    .refine(
      (entries) => entries.every(validAllowedEntry),
      'must be host names, addresses or CIDRs (e.g. 127.0.0.0/8), comma-separated',
    )
    .default([]),
  /**
   * Which proxies in front of Tandem to believe about the client's address and protocol
   * (X-Forwarded-For / -Proto): `false` (none), `true` (any: only when nothing else can reach
   * Tandem), a number of hops, or comma-separated addresses / CIDRs of the proxies.
   */
  trustProxy: z
    .union([z.string(), z.number(), z.boolean()])
    .transform((value): boolean | number | string[] => {
      const text = String(value).trim().toLowerCase();
      if (text === 'true' || text === 'false') return text === 'true';
      if (/^\d+$/.test(text)) return Number(text);
      return commaList(text);
    })
    .refine(
      (value) => typeof value !== 'object' || value.every(validAllowedEntry),
      'must be true, false, a number of hops, or proxy addresses / CIDRs',
    )
    .default(false),
  /** Above this many bytes of mail, a mailbox's draft saves and sends are refused (`quota_exceeded`); unlimited when unset. */
  mailboxQuotaBytes: z.coerce.number().int().positive().optional(),
  /**
   * PostgreSQL session limits in milliseconds (0: none): the longest a statement runs, waits for a lock, and a
   * transaction stays open idle. A paused or cut-off process's locks are freed by the server after these.
   */
  dbStatementTimeoutMs: z.coerce.number().int().min(0).default(60_000),
  dbLockTimeoutMs: z.coerce.number().int().min(0).default(20_000),
  dbIdleInTransactionTimeoutMs: z.coerce.number().int().min(0).default(30_000),
  /** The workspace's time zone (IANA name): scheduled workflows run at their time in it. */
  timeZone: z
    .string()
    .refine((zone) => validTimeZone(zone), 'must be an IANA time zone such as Europe/Paris')
    .default('UTC'),
  /**
   * Workflow emails per mailbox per minute (a token bucket holding as many): above it, sends wait their turn.
   * 20 a minute stays well below Gmail's and Microsoft's daily and per-minute limits.
   */
  workflowSendsPerMinute: z.coerce.number().int().min(1).max(10_000).default(20),
  /** How long Send holds an email in Tandem (never in the server's outbox) while it can be undone. */
  undoSendSeconds: z.coerce.number().int().min(1).max(60).default(8),
  /** Hosts and networks workflow webhooks may reach although they are loopback, private or link-local. */
  allowedWebhookHosts: z
    .string()
    .transform(commaList)
    .refine(
      (entries) => entries.every(validAllowedEntry),
      'must be host names, addresses or CIDRs (e.g. 127.0.0.0/8), comma-separated',
    )
    .default([]),
  /**
   * Open-pixel and click-redirect requests per client address per minute (docs/engagement.md); above it, 429.
   * A person opens and clicks a few times; a proxy network fetching for many readers stays well under it.
   */
  trackingRequestsPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(600),
});

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = Partial<Record<SettingName, string | number | boolean | undefined>>;

/** A setting that is missing or wrong; the message names the setting and where it came from. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Values given on the command line; they win over the environment and the file. */
  overrides?: ConfigInput;
  /** A JSON file of settings (camelCase keys); `TANDEM_CONFIG` names one too. */
  file?: string;
}

/** Defaults < config file < environment < command-line overrides. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TANDEM_CONFIG;
  const sources = new Map<SettingName, string>();
  const input: ConfigInput = {};
  const take = (values: ConfigInput, source: (name: SettingName) => string) => {
    for (const name of Object.keys(settings) as SettingName[]) {
      const value = values[name];
      if (value === undefined || value === '') continue;
      input[name] = value;
      sources.set(name, source(name));
    }
  };
  if (file) take(readConfigFile(file), (name) => `"${name}" in ${file}`);
  take(fromEnv(env), (name) => settings[name]);
  if (options.overrides) take(options.overrides, (name) => `--${kebab(name)}`);

  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path[0] as SettingName;
      return `${sources.get(name) ?? settings[name] ?? name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}

function fromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const values: ConfigInput = {};
  for (const [name, variable] of Object.entries(settings) as [SettingName, string][]) {
    values[name] = env[variable];
  }
  return values;
}

const fileSchema = z.strictObject(
  Object.fromEntries(
    Object.keys(settings).map((name) => [name, z.union([z.string(), z.number(), z.boolean()]).optional()]),
  ),
);

function readConfigFile(file: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown setting(s) ${issue.keys.join(', ')}`
        : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid config file ${file}:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data as ConfigInput;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
