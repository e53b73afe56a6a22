// Builds the tls variant of a rewritten tree once per TLS model that bench/instructions.ts
// compares (src/cpython2/build/linkmodel.ts): shared (general-dynamic), shared-gnu2 (TLS
// descriptors) and shared-ie (core initial-exec), into <out-prefix>-<model>. The static model is
// the ordinary `pyglobal build --variant tls`. One build at a time: each takes both cores.
//   npx tsx bench/build-models.ts <rewritten tree> <out-prefix> [model...]
import { buildTree } from '../src/cpython2/build.ts';
import { linkModels, type LinkModel } from '../src/cpython2/build/linkmodel.ts';

const [src, prefix, ...asked] = process.argv.slice(2);
if (!src || !prefix) {
  console.error('usage: bench/build-models.ts <rewritten tree> <out-prefix> [shared|shared-gnu2|shared-ie ...]');
  process.exit(2);
}
const models = (asked.length ? asked : linkModels.filter((m) => m !== 'static')) as LinkModel[];
for (const m of models) if (!linkModels.includes(m)) throw new Error(`unknown model ${m}; choose from ${linkModels.join(', ')}`);
for (const link of models) {
  const out = `${prefix}-${link}`;
  const t0 = Date.now();
  const s = await buildTree({ src, variant: 'tls', out, link, force: true });
  console.log(`${link}: ${s.status} in ${((Date.now() - t0) / 1000).toFixed(0)} s, ${s.extensions.count} extension modules, ${s.failedExtensions.length} failed; ${out}`);
}
