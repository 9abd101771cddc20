#!/usr/bin/env node
// Runs the server bundle, built from the TypeScript sources on first use (bin/server-bundle.js).
// Stack traces name the TypeScript sources through the bundle's source map.
import { ensureServerBundle } from './server-bundle.js';

process.setSourceMapsEnabled(true);
const { main } = await import(await ensureServerBundle());
await main(process.argv);
