// A parse worker's whole program: parseMessage on each raw message it is sent.
// Built into dist/server/parse-worker.js beside the server bundle (bin/server-bundle.js).
import { parentPort } from 'node:worker_threads';
import { parseMessage } from './parse.ts';

parentPort?.on('message', (request: { id: number; raw: Uint8Array }) => {
  void parseMessage(request.raw).then((parsed) => parentPort?.postMessage({ id: request.id, parsed }));
});
