// Differential test with admin tiers: the class engine against the reference evaluator on 2,000
// seeded random clusters of NetworkPolicies, AdminNetworkPolicies and a BaselineAdminNetworkPolicy,
// with ipBlockMatchesPods both true and false (test/support/differential.ts).
import { differentialSuites } from '../support/differential.ts';

differentialSuites(true);
