import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildServerBundle } from '../../bin/server-bundle.js';

const CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url));

/**
 * Builds what `npm run build` builds — the web app into web/dist and the server bundle that
 * `bin/tandem.js` runs — so the processes tests start run the current code.
 */
export async function buildWebApp(): Promise<void> {
  await build({ configFile: CONFIG, logLevel: 'warn' });
  await buildServerBundle();
}
