// Soak benchmark, child 1: the simulated M cluster with churn, in its own process. Also used by the
// browser and socket sections. Messages: "churn:stop" stops the churn (the cluster stays up), "stop" ends.
import { startSimulatedCluster } from '../server/sim/simulated-cluster.ts';

const churn = Number(process.env['SOAK_CHURN'] ?? '30');
const sim = await startSimulatedCluster({ scenario: 'M', churn, seed: 7 });
const path = await sim.writeKubeconfig(`${process.env['SOAK_DIR']}/sim.kubeconfig`);
process.send?.({ kubeconfig: path, url: sim.url });
let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  void sim.close().then(() => process.exit(0));
};
// Orphaned (the benchmark died): nobody will send "stop".
process.on('disconnect', close);
process.on('message', (m) => {
  if (m === 'churn:stop') {
    sim.churn.stop();
    process.send?.({ churn: 'stopped', writes: sim.churn.stats.writes });
  }
  if (m === 'stop') close();
});
