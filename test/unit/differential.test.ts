// Differential test: the class engine against the reference evaluator on 2,000 seeded random
// clusters of NetworkPolicies, with ipBlockMatchesPods both true and false (test/support/differential.ts).
// differential-admin.test.ts does the same with admin policies, in a worker of its own.
import { differentialSuites } from '../support/differential.ts';

differentialSuites(false);
