import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web app talks only to the REST API. `npm run dev:web` proxies it to a running `tandem serve`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
