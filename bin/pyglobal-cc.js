#!/usr/bin/env node
// The compiler wrapper's entry: `CC="pyglobal-cc gcc" python setup.py build`.
import { runCompiled } from './run-compiled.js';
const { ccMain } = await runCompiled('cli/cc-main.js');
process.exitCode = await ccMain(process.argv.slice(2));
