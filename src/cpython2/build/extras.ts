// Products built after `make`, beside python and libpython (libpython2.7.a). Each says which variants want it;
// a product whose source is not there yet is skipped with a note, never reported as built.
import fs from 'node:fs';
import path from 'node:path';
import { runLogged, type LogFile } from './run.ts';
import type { Sanitizer, Variant } from '../build.ts';

export interface ExtraContext {
  /** The built tree (the --out folder). */
  out: string;
  /** The static library make built (the Makefile's LIBRARY: libpython2.4.a, libpython2.7.a), absolute. */
  libpython: string;
  variant: Variant;
  env: NodeJS.ProcessEnv;
  log: LogFile;
  onLine: (line: string) => void;
  /** Overrides of product sources by product name (tests, or a driver kept elsewhere). */
  sources: Record<string, string | undefined>;
  /** The build's sanitizer: products are compiled and linked with it too (and -g). */
  sanitize?: Sanitizer | null;
  /** More libraries to link (-lcrypt in a TSan build: see rules/tsan-suppressions.json). */
  libs?: string[];
}

export interface ExtraResult {
  name: string;
  status: 'built' | 'skipped' | 'failed';
  path?: string;
  note: string;
}

export interface ExtraProduct {
  name: string;
  variants: Variant[];
  defaultSource: string;
  build(ctx: ExtraContext, source: string): Promise<ExtraResult>;
}

/** Flags a product's one compile-and-link command needs for the build's sanitizer. */
export function sanitizeFlags(sanitize: Sanitizer | null | undefined): string[] {
  return sanitize === 'thread' ? ['-fsanitize=thread', '-g'] : [];
}

/**
 * pymt: the driver that runs N interpreters in N threads. It links the static library with
 * -export-dynamic, without which the extension .so files cannot find the Py* symbols. In a
 * TSan build it is compiled and linked with -fsanitize=thread: the runtime must be in the
 * program that loads the instrumented libpython, and pymt's own threads are what TSan watches.
 */
export const pymtProduct: ExtraProduct = {
  name: 'pymt',
  variants: ['tls'],
  defaultSource: 'src/c/pymt.c',
  async build(ctx, source) {
    const exe = path.join(ctx.out, 'pymt');
    const args = [
      '-pthread',
      ...sanitizeFlags(ctx.sanitize),
      `-I${ctx.out}`,
      `-I${path.join(ctx.out, 'Include')}`,
      source,
      ctx.libpython,
      ...(ctx.libs ?? []),
      '-Xlinker',
      '-export-dynamic',
      '-lpthread',
      '-ldl',
      '-lutil',
      '-lm',
      '-o',
      exe,
    ];
    const r = await runLogged('gcc', args, { cwd: ctx.out, env: ctx.env, log: ctx.log, onLine: ctx.onLine });
    if (r.code !== 0 || !fs.existsSync(exe)) {
      return { name: 'pymt', status: 'failed', note: `gcc exited with ${r.code ?? r.signal} linking ${source}` };
    }
    return { name: 'pymt', status: 'built', path: exe, note: `built from ${source}${ctx.sanitize ? ` with -fsanitize=${ctx.sanitize}` : ''}` };
  },
};

export const extraProducts: ExtraProduct[] = [pymtProduct];

/** Builds every product the variant wants; stops at the first failure (the caller reports it). */
export async function buildExtras(
  ctx: ExtraContext,
  projectRoot: string,
  products: ExtraProduct[] = extraProducts,
): Promise<ExtraResult[]> {
  const results: ExtraResult[] = [];
  for (const p of products) {
    if (!p.variants.includes(ctx.variant)) continue;
    const source = ctx.sources[p.name] ?? path.join(projectRoot, p.defaultSource);
    if (!fs.existsSync(source)) {
      results.push({
        name: p.name,
        status: 'skipped',
        note: `${source} does not exist (yet); ${p.name} not built`,
      });
      continue;
    }
    const r = await p.build(ctx, source);
    results.push(r);
    if (r.status === 'failed') break;
  }
  return results;
}
