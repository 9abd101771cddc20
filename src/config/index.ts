export { loadConfig, ConfigError } from './config.ts';
export type { Config, ConfigInput, LoadConfigOptions } from './config.ts';
