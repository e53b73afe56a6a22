// Links declarations across files into variables: a definition with every extern,
// tentative and forward declaration that names the same object.
import type { Declaration, Global } from './model.ts';
import { exclusive } from './conditionals.ts';

export type UnclassifiedGlobal = Omit<Global, 'classification' | 'reason' | 'reasonSource'>;

export function linkSymbols(decls: Declaration[]): UnclassifiedGlobal[] {
  const internal = new Map<string, Declaration[]>(); // file|name: file-scope statics
  const external = new Map<string, Declaration[]>(); // name: everything with external linkage
  const locals: Declaration[] = [];
  const staticDecls = new Map<string, Declaration[]>();
  for (const d of decls) if (d.scope === 'file' && d.storage === 'static') push(staticDecls, `${d.file}|${d.name}`, d);
  // The extern names the static only where both can be compiled together.
  const namesStatic = (d: Declaration, key: string) => (staticDecls.get(key) ?? []).some((s) => !exclusive(s.cond, d.cond));
  for (const d of decls) {
    if (d.scope === 'function' && d.storage === 'static') {
      locals.push(d);
      continue;
    }
    const key = `${d.file}|${d.name}`;
    // `extern int x;` after `static int x;` in one file names the static (C99 6.2.2p4).
    if (d.storage === 'static' || (d.storage === 'extern' && namesStatic(d, key))) {
      push(internal, key, d);
    } else {
      push(external, d.name, d);
    }
  }
  const out: UnclassifiedGlobal[] = [];
  for (const [, ds] of internal) {
    const def = ds.find((d) => d.kind === 'definition') ?? ds.find((d) => d.kind === 'tentative');
    const first = def ?? ds[0];
    out.push({ id: `${first.file}|-|${first.name}`, name: first.name, file: first.file, linkage: 'internal', definition: def, declarations: ds });
  }
  for (const [name, ds] of external) {
    const defs = ds.filter((d) => d.kind === 'definition');
    const tentative = ds.filter((d) => d.kind === 'tentative');
    // One variable per defining file: several programs in the tree may each define the same name.
    const byFile = new Map<string, Declaration>();
    for (const d of [...defs, ...tentative]) if (!byFile.has(d.file)) byFile.set(d.file, d);
    if (byFile.size === 0) {
      out.push({ id: `extern|${name}`, name, file: ds[0].file, linkage: 'external', declarations: ds });
      continue;
    }
    for (const [file, def] of byFile) {
      const mine = ds.filter((d) => d.kind === 'extern' || d.scope === 'function' || d.file === file);
      out.push({ id: `${file}|-|${name}`, name, file, linkage: 'external', definition: def, declarations: mine });
    }
  }
  const ordinals = new Map<string, number>();
  for (const d of locals) {
    const base = `${d.file}|${d.function ?? '?'}|${d.name}`;
    const n = ordinals.get(base) ?? 0;
    ordinals.set(base, n + 1);
    out.push({ id: `${base}|${n}`, name: d.name, file: d.file, function: d.function, linkage: 'none', definition: d, declarations: [d] });
  }
  out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.definition?.offset ?? 0) - (b.definition?.offset ?? 0)));
  return out;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
