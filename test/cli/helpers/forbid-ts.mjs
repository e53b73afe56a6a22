// Preload (node --import) that makes a process fail if it loads TypeScript or tsx: the compiled
// CLI must run on dist/ alone. Workers inherit the flag, so they are watched too.
import Module, { register } from 'node:module';

register('./forbid-ts-hooks.mjs', import.meta.url);

const load = Module._load;
Module._load = function (request, ...rest) {
  if (/(^|\/)tsx(\/|$)|\.ts$/.test(request)) throw new Error(`compiled CLI required ${request}`);
  return load.call(this, request, ...rest);
};
