// A scan pool worker that only parses: each job is one file's TreeJobs (one per macro context),
// answered with their TreeFacts. It holds no index and no rules, so it boots on little more than
// tree-sitter, and compiles only the tree walk.
// Started through ts-worker.cjs by scan-pool.ts; never imported otherwise.
import { serve } from './scan-pool.ts';
import { treeFacts, type TreeJob } from './tree-facts.ts';

serve((payload) => (payload as TreeJob[]).map(treeFacts));
