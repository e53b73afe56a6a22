// Text report of an audit: the summary first, then what needs attention, grouped by object.
// A pure function of the result, so tests and other reporters can use it.
import type { AuditResult, AuditSymbol, Inventory, Ratio, SymbolMatch, Tally } from '../audit.ts';

const scopeLabel = { global: 'global', file: 'file-static', function: 'function-local static' } as const;

export function formatAuditText(r: AuditResult): string {
  const out: string[] = [];
  const variant = r.variant ?? 'unknown (no pyglobal-build.json)';
  out.push(`pyglobal audit: ${r.dir}`);
  out.push(`variant: ${variant}; thread-local build: ${r.tlsBuild ? 'yes' : 'no'}`);
  out.push('');
  out.push(table(r));
  for (const [label, inv] of [
    ['libpython', r.inventory.libpython],
    ['extensions', r.inventory.extensions],
  ] as const) {
    if (!inv.objects) continue;
    out.push('');
    out.push(`${label}:`);
    out.push(`  by section:   ${tallies(inv.bySection)}`);
    out.push(
      `  by binding:   ${(['global', 'file', 'function'] as const).map((k) => `${scopeLabel[k]} ${inv.byScope[k].symbols}`).join(' · ')}`,
    );
    out.push(`  by directory: ${tallies(inv.byDirectory)}`);
  }
  const t = r.inventory.total;
  out.push('');
  out.push(`per-thread TLS footprint: ${t.tls.symbols} symbols, ${bytes(t.tls.bytes)}`);
  out.push(
    `not counted as writable: .data.rel.ro* (const data holding addresses, read-only once relocated): ${t.relro.symbols} symbols, ${bytes(t.relro.bytes)}`,
  );

  const s = r.scan;
  if (!s) {
    out.push('');
    out.push('no --scan given: inventory only.');
    return out.join('\n') + '\n';
  }
  out.push('');
  out.push(`scan: ${s.globals} globals, ${s.defined} defined (definition or tentative)`);
  out.push(
    `recall: overall ${ratio(s.recall.overall)} · libpython ${ratio(s.recall.libpython)} · extensions ${ratio(s.recall.extensions)}`,
  );
  out.push(`missed by the scan: ${s.missed.length}`);
  if (r.tlsBuild) {
    out.push(`writable, not TLS, but classified thread-local (the rewrite missed them): ${s.notTls.length}`);
    out.push(`writable, not TLS, shared in the scan with a reason (accounted for): ${s.shared.length}`);
    out.push(`TLS, but classified shared (per-thread copies not needed): ${s.tlsButShared.length}`);
  }
  out.push(`defined in the scan, dropped by the compiler (information): ${s.dropped.length}`);
  out.push(`defined in the scan, compiled to read-only data: ${s.readOnly}; in files this build does not compile: ${s.notBuilt}`);
  out.push(s.unaccounted ? `UNACCOUNTED: ${s.unaccounted}` : 'unaccounted: 0 (clean)');

  if (s.missed.length) {
    out.push('');
    out.push('Missed: data symbols with no defined scanned global of that name in the source or the headers it includes');
    if (s.missed.some((m) => m.scope === 'function')) {
      out.push('(same-named statics are counted: which of several name.N is listed as missed is arbitrary)');
    }
    out.push(...byObject(s.missed.map((sym) => ({ symbol: sym })), () => ''));
  }
  if (s.notTls.length) {
    out.push('');
    out.push('Not thread-local in the objects, but the scan classifies them thread-local');
    out.push(...byObject(s.notTls, (m) => `  scan: ${where(m)}`));
  }
  if (s.tlsButShared.length) {
    out.push('');
    out.push('Thread-local in the objects, but the scan classifies them shared');
    out.push(...byObject(s.tlsButShared, (m) => `  ${m.global!.classification}: ${m.global!.reason}`));
  }
  if (s.shared.length) {
    out.push('');
    out.push('Shared in the scan (accounted for), with its reason');
    out.push(...byObject(s.shared, (m) => `  ${m.global!.classification}: ${m.global!.reason}`));
  }
  if (s.dropped.length) {
    out.push('');
    out.push('Dropped by the compiler: defined in the scan, in no object (unused, or folded away)');
    for (const g of s.dropped) out.push(`  ${g.file}:${g.line}:${g.column}: ${g.function ? `${g.function}()::` : ''}${g.name}`);
  }
  return out.join('\n') + '\n';
}

function table(r: AuditResult): string {
  const rows: [string, Inventory][] = [
    ['libpython', r.inventory.libpython],
    ['extensions', r.inventory.extensions],
    ['total', r.inventory.total],
  ];
  const head = ['', 'objects', 'writable', 'bytes', 'TLS', 'TLS bytes'];
  const cells = rows.map(([n, i]) => [n, i.objects, i.writable.symbols, i.writable.bytes, i.tls.symbols, i.tls.bytes].map(String));
  const all = [head, ...cells];
  const w = head.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all.map((row) => row.map((v, c) => (c === 0 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  ')).join('\n');
}

function tallies(rec: Record<string, Tally>): string {
  return Object.entries(rec)
    .sort((a, b) => b[1].symbols - a[1].symbols || a[0].localeCompare(b[0]))
    .map(([k, t]) => `${k} ${t.symbols} (${bytes(t.bytes)})`)
    .join(' · ');
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} B`;
}

function ratio(r: Ratio): string {
  return `${r.matched}/${r.total} (${(r.recall * 100).toFixed(2)} %)`;
}

function where(m: SymbolMatch): string {
  const g = m.global;
  return `${g.file}:${g.line}:${g.column} ${g.function ? `${g.function}()::` : ''}${g.name}`;
}

function byObject<T extends { symbol: AuditSymbol; global?: SymbolMatch['global'] }>(items: T[], extra: (m: T) => string): string[] {
  const groups = new Map<string, T[]>();
  for (const m of items) {
    let l = groups.get(m.symbol.object);
    if (!l) groups.set(m.symbol.object, (l = []));
    l.push(m);
  }
  const out: string[] = [];
  for (const [obj, list] of groups) {
    out.push(`  ${obj} (${list[0].symbol.source})`);
    for (const m of list) {
      const s = m.symbol;
      out.push(`    ${s.symbol}  ${s.section}  ${s.size} B  ${s.binding}  ${scopeLabel[s.scope]}${extra(m)}`);
    }
  }
  return out;
}
