import type { Command } from './types.ts';
import { exitCodes } from '../errors.ts';
import { logWarn } from '../log.ts';
import { auditBuild, loadScan } from '../../cpython2/audit.ts';
import { formatAuditText } from '../../cpython2/audit/format.ts';

export const auditCommand: Command = {
  builder: (y) =>
    y
      .positional('dir', { type: 'string', describe: 'a built CPython tree (the output of pyglobal build)' })
      .option('scan', { type: 'string', describe: 'scan result (pyglobal scan --json) to match the symbols against' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' })
      .option('jobs', { type: 'number', default: 2, describe: 'readelf processes at once' })
      .epilogue(
        [
          'Objects read: those of LIBRARY_OBJS in DIR/Makefile (libpython) and build/temp.*/**/*.o (extension',
          'modules), each mapped to its source through its DWARF compile unit.',
          'Writable data: OBJECT symbols in .data, .bss, .data.rel, .data.rel.local and COMMON. Not counted:',
          '.data.rel.ro* (const data that holds addresses: read-only once relocated), .rodata, and TLS',
          '(.tdata/.tbss), which is reported apart as the per-thread footprint. A symbol name.N is a',
          'function-local static.',
          'With --scan, each symbol needs a defined scanned global of its name in its source or a header that',
          'source includes, counted with multiplicity. In a thread-local build, a writable symbol whose global',
          'is classified thread-local is a defect; one classified shared is accounted for by its reason.',
          'Exit codes: 0 clean (or inventory only) · 1 missed or not-thread-local symbols · 2 bad input.',
        ].join('\n'),
      ),
  run: async (args: { dir: string; scan?: string; json: boolean; jobs: number }) => {
    const scan = args.scan ? loadScan(args.scan) : undefined;
    const result = await auditBuild(args.dir, scan, { jobs: Math.max(1, args.jobs | 0) });
    for (const w of result.warnings) logWarn(w);
    process.stdout.write(args.json ? JSON.stringify(result, null, 2) + '\n' : formatAuditText(result));
    return result.scan && result.scan.unaccounted > 0 ? exitCodes.findings : exitCodes.ok;
  },
};
