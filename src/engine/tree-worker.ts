// A scan pool worker that only parses: a job is one file's TreeJobs (one per macro context),
// answered with their TreeFacts, or one masked text whose parse errors apply's guard counts.
// It holds no index and no rules, so it boots on little more than tree-sitter, and compiles only
// the tree walk.
// Started through ts-worker.cjs by scan-pool.ts; never imported otherwise.
import { serve } from './scan-pool.ts';
import { errorCount, treeFacts, type TreeRequest } from './tree-facts.ts';

serve((payload) => {
  const req = payload as TreeRequest;
  return Array.isArray(req) ? req.map(treeFacts) : errorCount(req.count);
});
