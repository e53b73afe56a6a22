#!/usr/bin/env node
// The only place that touches process.exitCode: everything else returns codes.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
