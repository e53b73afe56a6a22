// Loads rules/ and refuses malformed rows: every rule names itself and gives a reason.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../engine/errors.ts';
import type { MacroRule, MacroRules } from '../engine/macro-rules.ts';
import { defaultProfile, layerFiles, rulePath, type Profile } from './profile.ts';

export { rulesDir } from './profile.ts';

const macroKinds: Record<MacroRule['kind'], string[]> = {
  storage: ['means'],
  replace: ['means'],
  wrapper: ['means'],
  erase: ['args'],
  fields: [],
  statement: ['args', 'means'],
  'initializer-comma': [],
  declares: ['storage', 'type', 'array', 'isConst', 'nameArg'],
};

/** A rules file, read and parsed; an unreadable or malformed one is a UsageError naming it. */
export function readRulesJson(file: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON, cannot load rule: ${(e as Error).message}`);
  }
}

/** Rows naming regression tests the tree does not have: stale entries are errors, not silence. */
export function staleTestRows<T extends { test: string }>(rows: T[], tests: string[]): T[] {
  const have = new Set(tests);
  return rows.filter((r) => !have.has(r.test));
}

/** A profile's folders of the given name in layer order, or the folders given. */
export function layerDirs(from: Profile | string | string[], name: string): string[] {
  return typeof from === 'string' ? [from] : Array.isArray(from) ? from : layerFiles(from, name);
}

const macroFiles = new WeakMap<MacroRule, string>();
/** The rules file a macro rule came from, repository-relative (rules/cpython-2/macros/X.json). */
export function macroRuleSource(rule: MacroRule): string {
  return macroFiles.get(rule) ?? `rules/macros/${rule.name}.json`;
}

/** Macro meanings from every layer's macros/; a later layer's rule replaces an earlier one of the same name. */
export function loadMacroRules(from: Profile | string | string[] = defaultProfile()): MacroRules {
  const rules: MacroRules = new Map();
  for (const dir of layerDirs(from, 'macros')) loadMacroDir(dir, rules);
  return rules;
}

function loadMacroDir(dir: string, rules: MacroRules): void {
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    const r = readRulesJson(file);
    const where = `${file}:1`;
    if (typeof r.name !== 'string' || !r.name) throw new UsageError(`${where}: field "name" is required`);
    if (f !== `${r.name}.json`) throw new UsageError(`${where}: file name must be the rule id "${r.name}.json"`);
    if (typeof r.kind !== 'string' || !Object.hasOwn(macroKinds, r.kind)) throw new UsageError(`${where}: field "kind" must be one of ${Object.keys(macroKinds).join(', ')}`);
    for (const field of macroKinds[r.kind as MacroRule['kind']]) {
      if (!(field in r)) throw new UsageError(`${where}: kind "${r.kind}" needs field "${field}"`);
    }
    if (typeof r.reason !== 'string' || r.reason.trim().length < 10) throw new UsageError(`${where}: field "reason" must say why (non-empty)`);
    rules.set(r.name, r as MacroRule);
    macroFiles.set(r as MacroRule, rulePath(file));
  }
}
