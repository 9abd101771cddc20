// The server runs from one ESM bundle (dist/server/tandem.js) built by esbuild from src/:
// no TypeScript loader at run time. It is (re)built when missing or older than any
// file under src/ (or package.json), into a temporary file renamed into place, so
// processes starting together never read half a bundle.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Two folders below the root, as src/cli/ and src/api/ are: their paths relative to
// import.meta.url (package.json, web/dist) resolve the same from the bundle.
export const serverBundle = path.join(root, 'dist', 'server', 'tandem.js');

/** The bundle's path, built first when it is missing or stale. */
export async function ensureServerBundle() {
  if (!isFresh()) await buildServerBundle();
  return serverBundle;
}

export async function buildServerBundle() {
  const { outputFiles } = await build({
    entryPoints: {
      tandem: path.join(root, 'src', 'cli', 'index.ts'),
      // The indexer's worker threads run this program (src/mail/mime/parse-pool.ts).
      'parse-worker': path.join(root, 'src', 'mail', 'mime', 'parse-worker.ts'),
    },
    outdir: path.dirname(serverBundle),
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  mkdirSync(path.dirname(serverBundle), { recursive: true });
  // The map first, so a fresh bundle never points at an older map.
  const isMap = (file) => file.path.endsWith('.map');
  for (const file of [...outputFiles.filter(isMap), ...outputFiles.filter((file) => !isMap(file))]) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

function isFresh() {
  let built;
  try {
    built = statSync(serverBundle).mtimeMs;
  } catch {
    return false;
  }
  return newestSource() <= built;
}

function newestSource() {
  let newest = statSync(path.join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(path.join(root, 'src'));
  return newest;
}

// `node bin/server-bundle.js` (npm run build) builds it unconditionally.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildServerBundle();
