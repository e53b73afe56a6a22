// Which macros are visible in each file: its own #defines plus those of the in-tree headers it
// includes, transitively. The apply stage needs it to see through initializers.
import type { MacroDef } from './macro-defs.ts';

export interface MacroIndex {
  visible(file: string): Map<string, MacroDef>;
}

export function buildMacroIndex(defines: Map<string, MacroDef[]>, includes: Map<string, string[]>): MacroIndex {
  const cache = new Map<string, Map<string, MacroDef>>();
  return {
    visible(file: string) {
      let m = cache.get(file);
      if (m) return m;
      const order: string[] = [];
      const seen = new Set<string>([file]);
      const walk = (f: string) => {
        for (const h of includes.get(f) ?? []) {
          if (seen.has(h)) continue;
          seen.add(h);
          walk(h);
          order.push(h);
        }
      };
      walk(file);
      m = new Map();
      for (const h of order) for (const d of defines.get(h) ?? []) m.set(d.name, d);
      for (const d of defines.get(file) ?? []) m.set(d.name, d);
      cache.set(file, m);
      return m;
    },
  };
}
