// The "restricted" Pod Security Standard (which includes "baseline"), control by control, as
// written at kubernetes.io/docs/concepts/security/pod-security-standards (Kubernetes 1.32), for
// Linux pods. Each violation names the field path, from the pod template (`spec...`).

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name: string }[];
}

interface Container {
  name: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}

export interface PodTemplate {
  metadata?: { annotations?: Record<string, string> };
  spec: {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: SecurityContext;
    containers: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    volumes?: Record<string, unknown>[];
  };
}

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const PROFILE_TYPES = new Set(['RuntimeDefault', 'Localhost']);

/** The violations of the restricted profile; empty when the pod meets it. */
export function restrictedViolations(pod: PodTemplate): string[] {
  const out: string[] = [];
  const spec = pod.spec;
  const podSc = spec.securityContext ?? {};
  const containers: [string, Container][] = [
    ...spec.containers.map((c, i): [string, Container] => [`spec.containers[${i}]`, c]),
    ...(spec.initContainers ?? []).map((c, i): [string, Container] => [`spec.initContainers[${i}]`, c]),
    ...(spec.ephemeralContainers ?? []).map((c, i): [string, Container] => [`spec.ephemeralContainers[${i}]`, c]),
  ];

  // Baseline.
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[ns] === true) out.push(`spec.${ns}: host namespaces are not allowed`);
  const contexts: [string, SecurityContext][] = [['spec.securityContext', podSc], ...containers.map(([p, c]): [string, SecurityContext] => [`${p}.securityContext`, c.securityContext ?? {}])];
  for (const [at, sc] of contexts) {
    if (sc.windowsOptions?.hostProcess === true) out.push(`${at}.windowsOptions.hostProcess: must not be true`);
    if (sc.appArmorProfile?.type !== undefined && !PROFILE_TYPES.has(sc.appArmorProfile.type)) out.push(`${at}.appArmorProfile.type: must be RuntimeDefault or Localhost`);
    const se = sc.seLinuxOptions;
    if (se?.type !== undefined && !SELINUX_TYPES.has(se.type)) out.push(`${at}.seLinuxOptions.type: "${se.type}" is not allowed`);
    if (se?.user) out.push(`${at}.seLinuxOptions.user: must not be set`);
    if (se?.role) out.push(`${at}.seLinuxOptions.role: must not be set`);
    // Restricted: never root by uid, and never an unconfined seccomp profile.
    if (sc.runAsUser === 0) out.push(`${at}.runAsUser: must not be 0`);
    if (sc.seccompProfile?.type !== undefined && !PROFILE_TYPES.has(sc.seccompProfile.type)) out.push(`${at}.seccompProfile.type: must be RuntimeDefault or Localhost`);
  }
  for (const [i, s] of (podSc.sysctls ?? []).entries()) if (!SAFE_SYSCTLS.has(s.name)) out.push(`spec.securityContext.sysctls[${i}].name: ${s.name} is not a safe sysctl`);
  for (const [k, v] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) out.push(`metadata.annotations["${k}"]: must be runtime/default or localhost/*`);
  }
  for (const [at, c] of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) out.push(`${at}.securityContext.privileged: must not be true`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${at}.securityContext.procMount: must be Default`);
    for (const [j, p] of (c.ports ?? []).entries()) if (p.hostPort !== undefined && p.hostPort !== 0) out.push(`${at}.ports[${j}].hostPort: host ports are not allowed`);
  }
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    if ('hostPath' in v) out.push(`spec.volumes[${i}].hostPath: hostPath volumes are not allowed`);
    // Restricted: only these volume types.
    for (const k of Object.keys(v)) if (k !== 'name' && !RESTRICTED_VOLUME_TYPES.has(k)) out.push(`spec.volumes[${i}].${k}: volume type not allowed`);
  }

  // Restricted, per container.
  for (const [at, c] of containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}.securityContext.allowPrivilegeEscalation: must be false`);
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    if (nonRoot !== true) out.push(`${at}.securityContext.runAsNonRoot: must be true (here or in spec.securityContext)`);
    if (podSc.seccompProfile?.type === undefined && sc.seccompProfile?.type === undefined) {
      out.push(`${at}.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost (here or in spec.securityContext)`);
    }
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}.securityContext.capabilities.drop: must include ALL`);
    for (const [j, cap] of (sc.capabilities?.add ?? []).entries()) {
      if (cap !== 'NET_BIND_SERVICE') out.push(`${at}.securityContext.capabilities.add[${j}]: only NET_BIND_SERVICE may be added${BASELINE_CAPABILITIES.has(cap) ? '' : ' (not even in baseline)'}`);
    }
  }
  return out;
}
