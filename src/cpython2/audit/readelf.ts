// Reads ELF relocatable objects through binutils' readelf: section headers, the symbol table and
// the name of the first DWARF compile unit. One readelf process handles a batch of files, and a
// small pool runs batches side by side, so a whole CPython build (about 150 objects) takes well
// under a second.
import { execFile } from 'node:child_process';
import { UsageError } from '../../engine/errors.ts';

export interface ElfSection {
  index: number;
  name: string;
  type: string;
  /** readelf's flag letters: W write, A alloc, X exec, T TLS, ... */
  flags: string;
  size: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** OBJECT, FUNC, NOTYPE, TLS, SECTION, FILE, COMMON ... */
  type: string;
  /** LOCAL, GLOBAL, WEAK. */
  bind: string;
  /** Section index as a number, or UND / ABS / COM. */
  ndx: string;
}

export interface ElfObject {
  /** The path as it was passed in. */
  path: string;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** DW_AT_name and DW_AT_comp_dir of the first compile unit, when built with -g. */
  cuName?: string;
  cuDir?: string;
  /** The first STT_FILE symbol: the source's base name as the compiler saw it. */
  fileSymbol?: string;
}

export interface ReadOptions {
  /** Directory the paths are relative to; readelf runs there. */
  cwd: string;
  /** Files per readelf process. */
  batch?: number;
  /** readelf processes at once. */
  jobs?: number;
}

/** Reads every object; throws UsageError when readelf is missing or a file is not an ELF object. */
export async function readObjects(paths: string[], opts: ReadOptions): Promise<Map<string, ElfObject>> {
  const batch = opts.batch ?? 24;
  const jobs = opts.jobs ?? 2;
  const batches: string[][] = [];
  for (let i = 0; i < paths.length; i += batch) batches.push(paths.slice(i, i + batch));
  const out = new Map<string, ElfObject>();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const files = batches[next++];
      const text = await runReadelf(files, opts.cwd);
      for (const obj of parseReadelf(text, files)) out.set(obj.path, obj);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, batches.length) }, worker));
  const bad = paths.filter((p) => !out.get(p)?.sections.length);
  if (bad.length) {
    throw new UsageError(
      `readelf could not read ${bad.length} object file(s): ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`,
      'Rebuild the tree (pyglobal build) so every object is a complete ELF file.',
    );
  }
  return out;
}

function runReadelf(files: string[], cwd: string): Promise<string> {
  const args = ['-S', '-s', '-W', '--debug-dump=info', '--dwarf-depth=1', '--', ...files];
  return new Promise((resolve, reject) => {
    execFile('readelf', args, { cwd, maxBuffer: 1 << 28, encoding: 'latin1' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && e.code === 'ENOENT') {
        reject(new UsageError('readelf not found on PATH', 'Install binutils (apt-get install binutils).'));
        return;
      }
      // readelf exits 1 when one file of the batch is bad but still prints the others; a file
      // with no output is reported by the caller. Anything else with no output at all is fatal.
      if (e && !stdout) {
        reject(new UsageError(`readelf failed: ${String(stderr || e.message).trim()}`));
        return;
      }
      resolve(stdout);
    });
  });
}

const sectionRe =
  /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/;
const symbolRe = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(?:\[[^\]]*\]\s+)?(\S+)\s?(.*)$/;

/**
 * Parses the output of `readelf -S -s -W --debug-dump=info` over `files`. readelf prefixes each
 * file's part with "File: <path>" only when it is given more than one file.
 */
export function parseReadelf(text: string, files: string[]): ElfObject[] {
  const objs: ElfObject[] = [];
  let cur: ElfObject | undefined;
  const start = (p: string) => {
    cur = { path: p, sections: [], symbols: [] };
    objs.push(cur);
  };
  if (files.length === 1) start(files[0]);
  let mode: 'none' | 'sections' | 'symbols' | 'cu' = 'none';
  for (const line of text.split('\n')) {
    if (line.startsWith('File: ')) {
      start(line.slice(6));
      mode = 'none';
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('Section Headers:')) {
      mode = 'sections';
      continue;
    }
    if (line.startsWith('Symbol table ')) {
      // Objects have one .symtab; a .dynsym would only appear in a linked file.
      mode = line.includes("'.symtab'") ? 'symbols' : 'none';
      continue;
    }
    if (line.startsWith('Contents of the .debug_info section')) {
      mode = cur.cuName === undefined ? 'cu' : 'none';
      continue;
    }
    if (mode === 'sections') {
      const m = sectionRe.exec(line);
      if (!m) {
        if (line.startsWith('Key to Flags')) mode = 'none';
        continue;
      }
      if (m[1] === '0') continue; // the NULL section has no name
      const rest = m[5].trim().split(/\s+/);
      // The flags column is empty for sections without flags: then only Lk, Inf, Al remain.
      const flags = rest.length >= 4 ? rest[0] : '';
      cur.sections.push({ index: Number(m[1]), name: m[2], type: m[3], flags, size: parseInt(m[4], 16) });
    } else if (mode === 'symbols') {
      const m = symbolRe.exec(line);
      if (!m) continue;
      const sym: ElfSymbol = {
        value: parseInt(m[1], 16),
        size: m[2].startsWith('0x') ? parseInt(m[2], 16) : Number(m[2]),
        type: m[3],
        bind: m[4],
        ndx: m[6],
        name: m[7] ?? '',
      };
      // With -W names are never truncated; versioned names only occur in linked files.
      cur.symbols.push(sym);
      if (sym.type === 'FILE' && cur.fileSymbol === undefined) cur.fileSymbol = sym.name;
    } else if (mode === 'cu') {
      const m = /^\s*<[0-9a-f]+>\s+DW_AT_(name|comp_dir)\s*:\s*(.*)$/.exec(line);
      if (m) {
        const value = attrValue(m[2]);
        if (m[1] === 'name') cur.cuName = value;
        else cur.cuDir = value;
      } else if (/^\s*<1>/.test(line) || /^\s*Compilation Unit @/.test(line) && cur.cuName !== undefined) {
        mode = 'none';
      }
    }
  }
  return objs;
}

/** "(indirect line string, offset: 0xf): Objects/x.c", "(line_strp) (offset: 0): x.c" or plain "x.c". */
function attrValue(raw: string): string {
  const s = raw.trim();
  if (!s.startsWith('(')) return s;
  const i = s.lastIndexOf('): ');
  return i >= 0 ? s.slice(i + 3) : s;
}
