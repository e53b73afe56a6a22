// Writes the checksum manifest of a pristine CPython release into its profile:
//   npx tsx tools/make-manifest.ts <tree> <profile id>      e.g. /work/src/py27 cpython-2.7
// SHA-256 of each file pyglobal reads or rewrites (the C sources and headers under Include/,
// Objects/, Python/, Parser/, Modules/ and the profile's platform sources, the Setup files,
// Makefile.pre.in, configure, setup.py): digests and paths only, never file content.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openTree, listSources } from '../src/cpython2/target/tree.ts';
import { loadProfile, rulePath } from '../src/cpython2/profile.ts';

const [src, id] = process.argv.slice(2);
if (!src || !id) {
  console.error('usage: npx tsx tools/make-manifest.ts <pristine tree> <profile id, e.g. cpython-2.7>');
  process.exit(2);
}
const tree = openTree(src);
const profile = loadProfile(id);
if (tree.profile.id !== profile.id) {
  console.error(`${tree.root}: CPython ${tree.version} is ${tree.profile.id}'s, not ${id}'s`);
  process.exit(2);
}
const extra = ['Makefile.pre.in', 'configure', 'setup.py', 'Modules/Setup.dist', 'Modules/Setup.config.in'];
const files = [...new Set([...listSources(tree), ...extra.filter((f) => fs.existsSync(path.join(tree.root, f)))])].sort();
const sums: Record<string, string> = {};
for (const f of files) sums[f] = crypto.createHash('sha256').update(fs.readFileSync(path.join(tree.root, f))).digest('hex');
const name = `cpython-${tree.version}.sha256.json`;
const doc = {
  about: `SHA-256 of the files pyglobal reads or rewrites in the CPython ${tree.version} release (Include/, Objects/, Python/, Parser/, Modules/ sources and headers, the profile's platform sources, the Setup files, Makefile.pre.in, configure, setup.py). Data only: it lets pyglobal say whether a tree is the pristine release. Made by tools/make-manifest.ts; no file content is stored here.`,
  version: tree.version,
  files: sums,
};
const out = path.join(path.dirname(profile.file), name);
fs.writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(`${rulePath(out)}: ${files.length} files; name it in ${rulePath(profile.file)} "manifests": {"${tree.version}": "${name}"}`);
