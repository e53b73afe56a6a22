#!/usr/bin/env node
// The only place that touches process.exitCode: everything else returns codes.
// Runs the compiled library in dist/ (built from src/ by `npm run build`, which `npm ci` runs
// through the prepare script): no transpiler at start.
import { runCompiled } from './run-compiled.js';
const { main } = await runCompiled('cli/main.js');
process.exitCode = await main(process.argv.slice(2));
