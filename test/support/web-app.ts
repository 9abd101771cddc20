import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url));

/** Builds the web app into web/dist, as `npm run build` does, so `tandem serve` serves the current code. */
export async function buildWebApp(): Promise<void> {
  await build({ configFile: CONFIG, logLevel: 'warn' });
}
