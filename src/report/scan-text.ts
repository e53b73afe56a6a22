// Human report of a scan: globals grouped by file, then totals. Pure: result in, string out.
import { Chalk } from 'chalk';
import type { ScanResult } from '../engine/model.ts';

export function formatScanText(r: ScanResult, opts: { color?: boolean; verbose?: boolean } = {}): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const byFile = new Map<string, typeof r.globals>();
  for (const g of r.globals) {
    const f = g.definition?.file ?? g.file;
    if (!byFile.has(f)) byFile.set(f, []);
    byFile.get(f)!.push(g);
  }
  const tag = { 'thread-local': c.cyan('thread-local'), 'shared-immutable': c.green('shared-immutable'), 'shared-process': c.yellow('shared-process') };
  for (const [file, gs] of [...byFile].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push(c.underline(file));
    for (const g of gs) {
      const d = g.definition ?? g.declarations[0];
      const where = `${d.line}:${d.column}`.padEnd(9);
      const scope = g.function ? `${g.function}()` : d.storage === 'static' ? 'static' : g.definition ? 'global' : 'extern';
      const via = d.viaMacro ? c.dim(` via ${d.viaMacro}`) : '';
      const decls = g.declarations.length > 1 ? c.dim(` +${g.declarations.length - 1} decl`) : '';
      out.push(`  ${where} ${g.name.padEnd(28)} ${scope.padEnd(22)} ${tag[g.classification]}${via}${decls}`);
      if (opts.verbose) out.push(c.dim(`            ${d.type} — ${g.reason}`));
    }
    out.push('');
  }
  if (r.libcCalls.length) {
    const mark: Record<string, string> = { routed: c.cyan('routed'), bare: c.red('not thread-safe'), unreviewed: c.red('unreviewed'), safe: c.green('safe'), reviewed: c.green('reviewed'), 'own-definition': c.green('own definition') };
    out.push(c.underline('C library calls that keep state behind their API (rules/libc-calls.json)'));
    for (const s of r.libcCalls) {
      const what = s.use === 'call' ? `${s.spelled}()` : `${s.spelled} (${s.use})`;
      out.push(`  ${`${s.file}:${s.line}:${s.column}`.padEnd(36)} ${what.padEnd(28)} ${(s.function === '-' ? 'file scope' : s.function).padEnd(24)} ${mark[s.status] ?? s.status}`);
      if (opts.verbose) out.push(c.dim(`            ${s.status === 'routed' || s.status === 'bare' ? `${s.replacement}: ` : ''}${s.reason}`));
    }
    out.push('');
  }
  for (const f of r.findings) out.push(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.ruleId}]`);
  if (r.findings.length) out.push('');
  const t = r.totals;
  out.push(
    c.bold(`${t.globals} globals in ${t.files} files: `) +
      `${t['thread-local'] ?? 0} thread-local, ${t['shared-immutable'] ?? 0} shared-immutable, ${t['shared-process'] ?? 0} shared-process` +
      (r.libcCalls.length ? `; ${r.libcCalls.length} C library calls (${r.libcCalls.filter((s) => s.status === 'bare' || s.status === 'unreviewed').length} not thread-safe)` : '') +
      (r.findings.length ? `; ${r.findings.length} findings` : ''),
  );
  return out.join('\n') + '\n';
}
