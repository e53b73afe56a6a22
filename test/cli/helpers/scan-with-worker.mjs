// Scans the bundled fixture through the compiled library with one pool worker, and prints the
// result with how many workers ran and why any fell back (compiled.test.ts).
import { scanTree } from '../../../dist/cpython2/scan.js';

const stats = {};
const r = scanTree(undefined, { workers: 1, stats });
process.stdout.write(JSON.stringify({ r, workers: stats.workers, fallback: stats.fallback ?? null }));
