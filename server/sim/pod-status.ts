// What the scheduler and the kubelet would do for a pod created without a status: pick a node,
// give it an IP from that node's pod range, and report it Running and Ready.

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

interface SimNode {
  name: string;
  hostIP: string;
  /** First three octets of the node's /24 pod range, e.g. `10.244.1`. */
  prefix: string;
  next: number;
}

export function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Nodes and pod IPs: learns the nodes of existing pods, allocates free IPs for new ones. */
export class PodNetwork {
  private readonly nodes: SimNode[] = [];
  private readonly byName = new Map<string, SimNode>();
  private readonly used = new Set<string>();
  private turn = 0;

  /** Records the node and IPs of an existing pod (from a scenario or an API write with a status). */
  observe(pod: JsonMap): void {
    const spec = isMap(pod['spec']) ? pod['spec'] : {};
    const status = isMap(pod['status']) ? pod['status'] : {};
    const podIP = typeof status['podIP'] === 'string' ? status['podIP'] : undefined;
    const hostIP = typeof status['hostIP'] === 'string' ? status['hostIP'] : undefined;
    if (podIP) this.used.add(podIP);
    const nodeName = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : undefined;
    if (!nodeName || this.byName.has(nodeName) || !hostIP || spec['hostNetwork'] === true || !podIP || !/^\d+\.\d+\.\d+\.\d+$/.test(podIP)) return;
    this.addNode(nodeName, hostIP, podIP.split('.').slice(0, 3).join('.'));
  }

  release(pod: JsonMap): void {
    const status = isMap(pod['status']) ? pod['status'] : {};
    const spec = isMap(pod['spec']) ? pod['spec'] : {};
    if (typeof status['podIP'] === 'string' && spec['hostNetwork'] !== true) this.used.delete(status['podIP']);
  }

  private addNode(name: string, hostIP: string, prefix: string): SimNode {
    const node: SimNode = { name, hostIP, prefix, next: 2 };
    this.nodes.push(node);
    this.byName.set(name, node);
    return node;
  }

  private ensureNodes(): void {
    if (this.nodes.length > 0) return;
    for (let i = 1; i <= 3; i++) this.addNode(`sim-node-${i}`, `172.18.0.${i + 1}`, `10.244.${i}`);
  }

  /** The node a new pod runs on: its spec.nodeName if known, else round robin. */
  pickNode(requested: unknown): SimNode {
    this.ensureNodes();
    if (typeof requested === 'string') {
      const known = this.byName.get(requested);
      if (known) return known;
      const i = this.nodes.length + 1;
      return this.addNode(requested, `172.18.${(i >> 8) & 255}.${(i & 255) + 1}`, `10.245.${i & 255}`);
    }
    const node = this.nodes[this.turn % this.nodes.length]!;
    this.turn++;
    return node;
  }

  allocate(node: SimNode): string {
    for (let tries = 0; tries < 253; tries++) {
      const host = node.next;
      node.next = node.next >= 254 ? 2 : node.next + 1;
      const ip = `${node.prefix}.${host}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    throw new Error(`node ${node.name} has no free pod IP`);
  }

  /**
   * Fills in spec.nodeName and a Running status for a pod without status.phase; returns the pod
   * (a new object) unchanged otherwise.
   */
  simulate(pod: JsonMap, nowMs: number): JsonMap {
    const status = isMap(pod['status']) ? pod['status'] : undefined;
    if (status && typeof status['phase'] === 'string') {
      this.observe(pod);
      return pod;
    }
    const spec: JsonMap = isMap(pod['spec']) ? { ...pod['spec'] } : {};
    const node = this.pickNode(spec['nodeName']);
    spec['nodeName'] = node.name;
    const ip = spec['hostNetwork'] === true ? node.hostIP : this.allocate(node);
    const started = rfc3339(nowMs);
    const containers = Array.isArray(spec['containers']) ? (spec['containers'] as unknown[]) : [];
    const simulated: JsonMap = {
      phase: 'Running',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: started },
        { type: 'Initialized', status: 'True', lastTransitionTime: started },
        { type: 'Ready', status: 'True', lastTransitionTime: started },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: started },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: started },
      ],
      hostIP: node.hostIP,
      hostIPs: [{ ip: node.hostIP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      containerStatuses: containers.filter(isMap).map((c) => ({
        name: c['name'],
        image: c['image'],
        imageID: '',
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: started } },
      })),
      qosClass: 'BestEffort',
    };
    return { ...pod, spec, status: { ...(status ?? {}), ...simulated } };
  }
}
