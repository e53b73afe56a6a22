// JSON-schema validation for reporter tests: ajv for draft-07 schemas, ajv-draft-04 for the
// official SARIF 2.1.0 schema (which is draft-04), both with ajv-formats (uri, date-time).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// CommonJS packages: their default export is the class (the TS types model it as .default).
const Ajv07: typeof import('ajv').default = require('ajv');
const Ajv04: typeof import('ajv-draft-04').default = require('ajv-draft-04');
const addFormats: typeof import('ajv-formats').default = require('ajv-formats');

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function loadJson(rel: string): any {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, rel), 'utf8'));
}

/** A validator returning the list of errors ('' joined) for a document; [] when valid. */
export function validator(schemaRel: string): (doc: unknown) => string[] {
  const schema = loadJson(schemaRel);
  const draft04 = String(schema.$schema ?? '').includes('draft-04');
  const ajv = draft04 ? new Ajv04({ allErrors: true, strict: false }) : new Ajv07({ allErrors: true, strict: true });
  addFormats(ajv as any);
  const validate = ajv.compile(schema);
  return (doc) => {
    if (validate(doc)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
