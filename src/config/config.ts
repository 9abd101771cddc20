import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

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
} as const;

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
  discoveryDnsServers: z
    .string()
    .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
    .optional(),
  /** Fetch autoconfig documents over plain HTTP on this port instead of HTTPS (for a local test server). */
  autoconfigHttpPort: z.coerce.number().int().min(1).max(65535).optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = Partial<Record<SettingName, string | number | undefined>>;

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
  Object.fromEntries(Object.keys(settings).map((name) => [name, z.union([z.string(), z.number()]).optional()])),
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
      issue.code === 'unrecognized_keys' ? `unknown setting(s) ${issue.keys.join(', ')}` : `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid config file ${file}:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data as ConfigInput;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
