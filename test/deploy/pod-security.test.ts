// The restricted Pod Security check used on the Deployment: it passes a compliant pod and names the
// field of each control broken on purpose (so a compliant result means something).
import { describe, expect, it } from 'vitest';
import { restrictedViolations, type PodTemplate } from './pod-security.ts';

/** The smallest pod the restricted profile accepts (the example of the Pod Security Standards page). */
function compliant(): PodTemplate {
  return {
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
}

type Breakage = [control: string, breakIt: (p: PodTemplate) => void, field: string];
const c0 = (p: PodTemplate) => p.spec.containers[0]!;
const sc0 = (p: PodTemplate) => (c0(p).securityContext ??= {});

const BROKEN: Breakage[] = [
  ['host network', (p) => (p.spec.hostNetwork = true), 'spec.hostNetwork'],
  ['host PID', (p) => (p.spec.hostPID = true), 'spec.hostPID'],
  ['host IPC', (p) => (p.spec.hostIPC = true), 'spec.hostIPC'],
  ['privileged', (p) => (sc0(p).privileged = true), 'spec.containers[0].securityContext.privileged'],
  ['HostProcess', (p) => (sc0(p).windowsOptions = { hostProcess: true }), 'spec.containers[0].securityContext.windowsOptions.hostProcess'],
  ['hostPath volume', (p) => p.spec.volumes!.push({ name: 'h', hostPath: { path: '/' } }), 'spec.volumes[1].hostPath'],
  ['other volume type', (p) => p.spec.volumes!.push({ name: 'n', nfs: { server: 'x', path: '/' } }), 'spec.volumes[1].nfs'],
  ['host port', (p) => (c0(p).ports = [{ hostPort: 80 }]), 'spec.containers[0].ports[0].hostPort'],
  ['AppArmor unconfined', (p) => (sc0(p).appArmorProfile = { type: 'Unconfined' }), 'spec.containers[0].securityContext.appArmorProfile.type'],
  ['AppArmor annotation', (p) => (p.metadata = { annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } }), 'metadata.annotations'],
  ['SELinux type', (p) => (sc0(p).seLinuxOptions = { type: 'spc_t' }), 'spec.containers[0].securityContext.seLinuxOptions.type'],
  ['SELinux user', (p) => (p.spec.securityContext!.seLinuxOptions = { user: 'system_u' }), 'spec.securityContext.seLinuxOptions.user'],
  ['/proc mount', (p) => (sc0(p).procMount = 'Unmasked'), 'spec.containers[0].securityContext.procMount'],
  ['unsafe sysctl', (p) => (p.spec.securityContext!.sysctls = [{ name: 'kernel.msgmax' }]), 'spec.securityContext.sysctls[0].name'],
  ['privilege escalation unset', (p) => delete sc0(p).allowPrivilegeEscalation, 'spec.containers[0].securityContext.allowPrivilegeEscalation'],
  ['runAsNonRoot unset', (p) => delete p.spec.securityContext!.runAsNonRoot, 'spec.containers[0].securityContext.runAsNonRoot'],
  ['runAsNonRoot false in a container', (p) => (sc0(p).runAsNonRoot = false), 'spec.containers[0].securityContext.runAsNonRoot'],
  ['runAsUser 0', (p) => (p.spec.securityContext!.runAsUser = 0), 'spec.securityContext.runAsUser'],
  ['seccomp unset', (p) => delete p.spec.securityContext!.seccompProfile, 'spec.containers[0].securityContext.seccompProfile.type'],
  ['seccomp unconfined in a container', (p) => (sc0(p).seccompProfile = { type: 'Unconfined' }), 'spec.containers[0].securityContext.seccompProfile.type'],
  ['capabilities not dropped', (p) => (sc0(p).capabilities = {}), 'spec.containers[0].securityContext.capabilities.drop'],
  ['capability added', (p) => (sc0(p).capabilities!.add = ['NET_RAW']), 'spec.containers[0].securityContext.capabilities.add[0]'],
  ['an init container', (p) => (p.spec.initContainers = [{ name: 'init' }]), 'spec.initContainers[0].securityContext.allowPrivilegeEscalation'],
];

describe('restrictedViolations', () => {
  it('accepts a compliant pod, with NET_BIND_SERVICE added and the settings per container', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
    const p = compliant();
    p.spec.securityContext = {};
    p.spec.containers[0]!.securityContext = { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: 'Localhost' }, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } };
    expect(restrictedViolations(p)).toEqual([]);
  });

  it.each(BROKEN)('names the field when a control is broken: %s', (_control, breakIt, field) => {
    const p = compliant();
    breakIt(p);
    const violations = restrictedViolations(p);
    expect(violations.some((v) => v.startsWith(field))).toBe(true);
  });
});
