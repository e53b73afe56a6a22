// Bootstrap of a pool worker (scan-pool.ts). A compiled module (dist/, the CLI) is imported as it
// is; a TypeScript one (src/, under vitest or a bench) is loaded through tsx's CommonJS hook,
// which runs in this thread. A failure to start is reported on the pool's port like any other
// error, so the waiting caller hears of it instead of hanging.
'use strict';
const { workerData } = require('node:worker_threads');
const { fileURLToPath } = require('node:url');

function report(err, boot) {
  const { port, signal } = workerData;
  port.postMessage({ id: 0, ok: false, error: { name: (err && err.name) || 'Error', message: (err && err.message) || String(err), stack: err && err.stack, boot } });
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

process.on('uncaughtException', (err) => report(err, false));
if (workerData.module.endsWith('.ts')) {
  try {
    require('tsx/cjs/api').register();
    require(fileURLToPath(workerData.module));
  } catch (err) {
    report(err, true);
  }
} else {
  import(workerData.module).catch((err) => report(err, true));
}
