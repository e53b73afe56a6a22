#!/usr/bin/env node
// The compiler wrapper's entry: `CC="pyglobal-cc gcc" python setup.py build`.
import { register } from 'tsx/esm/api';
register();
const { ccMain } = await import('../src/cli/cc-main.ts');
process.exitCode = await ccMain(process.argv.slice(2));
