import { BridgeError } from '../../../src/errors.js';
import type {
  ContainerInfo,
  ContainerLimits,
  ContainerSpec,
  DockerPort,
} from '../../../src/ports/docker.port.js';

export interface FakeContainer extends ContainerInfo {
  spec: ContainerSpec;
}

/**
 * A Docker engine in memory. Like the real adapter: create answers the existing container of the
 * same name, stop/remove of a missing container are no-ops, start of a missing one fails, and a
 * (re)started container gets a new address.
 */
export class FakeDocker implements DockerPort {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, { subnet: string; gateway: string }>();
  readonly images = new Map<string, string>([['odoo:17', 'sha256:fake-odoo-17']]);
  /** one-shot containers run, with what they answered */
  readonly runs: ContainerSpec[] = [];
  runResult = { exitCode: 0, logs: 'done' };
  /** what a one-shot container answers, per run; runResult where this gives nothing */
  runAnswer: (spec: ContainerSpec) => { exitCode: number; logs: string } | undefined = () =>
    undefined;
  private nextHost = 2;
  private nextId = 1;

  async ping(): Promise<void> {}

  async imageId(image: string): Promise<string | undefined> {
    return this.images.get(image);
  }

  async ensureNetwork(name: string, subnet: string): Promise<{ gateway: string }> {
    const gateway = subnet.replace(/\.0\/\d+$/, '.1');
    if (!this.networks.has(name)) this.networks.set(name, { subnet, gateway });
    return { gateway: this.networks.get(name)?.gateway ?? gateway };
  }

  async findContainer(name: string): Promise<ContainerInfo | undefined> {
    const found = this.containers.get(name);
    return found ? info(found) : undefined;
  }

  async listContainers(label: string): Promise<ContainerInfo[]> {
    return [...this.containers.values()].filter((c) => label in c.labels).map(info);
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    let found = this.containers.get(spec.name);
    if (!found) {
      found = {
        id: `c${this.nextId++}`,
        name: spec.name,
        status: 'created',
        ip: undefined,
        labels: { ...spec.labels },
        spec,
      };
      this.containers.set(spec.name, found);
    }
    return info(found);
  }

  async startContainer(name: string): Promise<ContainerInfo> {
    const found = this.containers.get(name);
    if (!found) throw new BridgeError('docker_failed', `docker start ${name}: no such container`);
    if (found.status !== 'running') {
      found.status = 'running';
      found.ip = `172.30.0.${this.nextHost++}`;
    }
    return info(found);
  }

  async stopContainer(name: string): Promise<void> {
    const found = this.containers.get(name);
    if (found && found.status === 'running') {
      found.status = 'exited';
      found.ip = undefined;
    }
  }

  async removeContainer(name: string): Promise<void> {
    this.containers.delete(name);
  }

  /** like an engine that allows live updates: the spec's limits change, nothing restarts */
  async updateLimits(name: string, limits: ContainerLimits): Promise<'live' | 'restarted'> {
    const found = this.containers.get(name);
    if (!found) throw new BridgeError('docker_failed', `docker update ${name}: no such container`);
    found.spec = { ...found.spec, memoryMb: limits.memoryMb, cpus: limits.cpus };
    return 'live';
  }

  /** a Swarm's move: the task restarts on `node`, at a new address */
  async moveTo(name: string, node: string): Promise<ContainerInfo> {
    const found = this.containers.get(name);
    if (!found) throw new BridgeError('docker_failed', `docker service ${name}: no such service`);
    found.node = node;
    found.status = 'running';
    found.ip = `172.30.0.${this.nextHost++}`;
    return info(found);
  }

  /** what each container "wrote", by name */
  readonly logs = new Map<string, string>();

  async logTail(name: string, lines: number): Promise<string> {
    if (!this.containers.has(name))
      throw new BridgeError('docker_failed', `docker logs ${name}: no such container`);
    return (this.logs.get(name) ?? '').split('\n').slice(-lines).join('\n');
  }

  async runToCompletion(spec: ContainerSpec): Promise<{ exitCode: number; logs: string }> {
    this.runs.push(spec);
    return { ...(this.runAnswer(spec) ?? this.runResult) };
  }

  /** the one-shot Odoo installs (`--init`), without a template's asset warm-up (`odoo shell`) */
  get installRuns(): ContainerSpec[] {
    return this.runs.filter((run) => run.cmd.some((arg) => arg.startsWith('--init=')));
  }

  /** a container as another party left it (e.g. an instance that owns the subdomain) */
  async seed(spec: ContainerSpec, running = true): Promise<ContainerInfo> {
    await this.createContainer(spec);
    return running
      ? this.startContainer(spec.name)
      : info(this.containers.get(spec.name) as FakeContainer);
  }

  /** the container whose current address is in `baseUrl` */
  byUrl(baseUrl: string): FakeContainer | undefined {
    const host = new URL(baseUrl).hostname;
    return [...this.containers.values()].find((c) => c.ip === host);
  }
}

function info(c: FakeContainer): ContainerInfo {
  const shown = { id: c.id, name: c.name, status: c.status, ip: c.ip, labels: { ...c.labels } };
  // a Swarm's node, where a test put one (one host: none)
  return c.node === undefined ? shown : { ...shown, node: c.node };
}
