// yargs as its ESM entry builds it (yargs/index.mjs: YargsFactory over lib/platform-shims/esm.mjs),
// with one change: cliui measures and wraps columns with text-width.ts instead of string-width
// and wrap-ansi, whose start-up cost is most of `pyglobal --help` (see text-width.ts). The shim
// below is esm.mjs's, field for field; the yargs build it runs on is the one package-lock.json pins.
import assert from 'node:assert';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type yargsType from 'yargs';
import { stripAnsi, textWidth, wrapText } from './text-width.ts';

// yargs/index.mjs; its dependencies are resolved from there, as its own imports are.
const yargsEntry = createRequire(import.meta.url).resolve('yargs');
const fromYargs = createRequire(yargsEntry);
const yargsFile = (rel: string) => pathToFileURL(path.join(path.dirname(yargsEntry), rel)).href;
const besidePackage = (name: string, rel: string) => {
  const entry = fromYargs.resolve(name);
  return pathToFileURL(path.join(entry.slice(0, entry.lastIndexOf(`node_modules${path.sep}${name}`) + `node_modules${path.sep}${name}`.length), rel)).href;
};

const [{ YargsFactory }, { cliui }, { getProcessArgvBin }, escalade, parser, y18n, getCallerFile] = await Promise.all([
  import(yargsFile('build/lib/yargs-factory.js')),
  import(besidePackage('cliui', 'build/lib/index.js')),
  import(yargsFile('build/lib/utils/process-argv.js')),
  import(pathToFileURL(fromYargs.resolve('escalade/sync')).href).then((m) => m.default),
  import(pathToFileURL(fromYargs.resolve('yargs-parser')).href).then((m) => m.default),
  import(pathToFileURL(fromYargs.resolve('y18n')).href).then((m) => m.default),
  import(pathToFileURL(fromYargs.resolve('get-caller-file')).href).then((m) => m.default),
]);

// esm.mjs takes its own file name for a folder; mainFilename and the locales follow from it.
const shimFile = path.join(path.dirname(yargsEntry), 'lib/platform-shims/esm.mjs');
const mainFilename = shimFile.substring(0, shimFile.lastIndexOf('node_modules'));

const shim = {
  assert: { notStrictEqual: assert.notStrictEqual, strictEqual: assert.strictEqual },
  cliui: (opts: unknown) => cliui(opts, { stringWidth: textWidth, stripAnsi, wrap: wrapText }),
  findUp: escalade,
  getEnv: (key: string) => process.env[key],
  inspect,
  getProcessArgvBin,
  mainFilename: mainFilename || process.cwd(),
  Parser: parser,
  path: { basename: path.basename, dirname: path.dirname, extname: path.extname, relative: path.relative, resolve: path.resolve, join: path.join },
  process: {
    argv: () => process.argv,
    cwd: process.cwd,
    emitWarning: (warning: string, type: string) => process.emitWarning(warning, type),
    execPath: () => process.execPath,
    exit: (code: number) => process.exit(code),
    nextTick: process.nextTick,
    stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null,
  },
  readFileSync: fs.readFileSync,
  readdirSync: fs.readdirSync,
  require: createRequire(yargsEntry),
  getCallerFile: () => {
    const callerFile: string = getCallerFile(3);
    return callerFile.match(/^file:\/\//) ? fileURLToPath(callerFile) : callerFile;
  },
  stringWidth: textWidth,
  y18n: y18n({ directory: path.resolve(shimFile, '../../../locales'), updateFiles: false }),
};

/** The yargs function, typed as the package's default export. */
export const yargs: typeof yargsType = YargsFactory(shim);
