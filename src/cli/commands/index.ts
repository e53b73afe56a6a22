import type { Command } from './types.ts';
import { scanCommand } from './scan.ts';
import { applyCommand } from './apply.ts';
import { buildCommand } from './build.ts';
import { auditCommand } from './audit.ts';
import { checkCommand } from './check.ts';
import { testCommand } from './test.ts';
import { demoCommand } from './demo.ts';

export const commands: Command[] = [
  scanCommand,
  applyCommand,
  checkCommand,
  buildCommand,
  auditCommand,
  testCommand,
  demoCommand,
];
