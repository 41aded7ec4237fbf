import Docker from 'dockerode';
import { BridgeError } from '../errors.js';
import type {
  ContainerInfo,
  ContainerLimits,
  ContainerSpec,
  DockerPort,
  NodeUse,
} from '../ports/docker.port.js';
import { demuxLogs, DockerAdapter, fail, statusOf, type DockerApiError } from './docker.adapter.js';

/** the node label that keeps a node for one plan's tenants (docs/swarm.md, Placement) */
export const PLAN_NODE_LABEL = 'saas.plan';
/** saas.tenants=no keeps a node free of tenants (a manager that also runs the master, say) */
export const NO_TENANTS_CONSTRAINT = 'node.labels.saas.tenants!=no';

export interface SwarmOptions {
  /** how long a scale to 1 may take to show a running task (the first pull of an image included) */
  startTimeoutMs: number;
  /** a task held back by the scheduler (no node with the reservation free) gives up after this */
  unschedulableMs: number;
  pollMs: number;
}

const DEFAULTS: SwarmOptions = { startTimeoutMs: 300_000, unschedulableMs: 15_000, pollMs: 250 };

interface Task {
  ID: string;
  NodeID?: string;
  DesiredState?: string;
  CreatedAt?: string;
  Status?: { State?: string; Err?: string; Message?: string };
  NetworksAttachments?: { Network?: { Spec?: { Name?: string } }; Addresses?: string[] }[];
}

interface TaskSpec {
  ContainerSpec?: { Labels?: Record<string, string> };
  Resources?: { Reservations?: { MemoryBytes?: number } };
}

interface SwarmNode {
  ID: string;
  Spec?: { Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string };
  Description?: { Hostname?: string; Resources?: { MemoryBytes?: number; NanoCPUs?: number } };
}

interface ServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  Mode?: { Replicated?: { Replicas?: number } };
  TaskTemplate?: { Resources?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

interface Service {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
}

const FAILED_STATES = new Set(['failed', 'rejected']);

/** Swarm's errors name the mode, so a log line tells which adapter met them */
function failSwarm(action: string, err: unknown): never {
  fail(`swarm ${action}`, err);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DOCKER_MODE=swarm: a tenant is a Swarm service of one replica (0 while stopped), so any node of the
 * Swarm may run it and a lost node's tenants start elsewhere. The engine at the socket must be a
 * manager. One-shot runs (template builds) and image checks stay on the manager's own engine.
 */
export class SwarmDockerAdapter implements DockerPort {
  private readonly docker: Docker;
  private readonly local: DockerAdapter;
  private readonly options: SwarmOptions;
  private readonly nodeNames = new Map<string, string>();

  constructor(socketPath: string, options: Partial<SwarmOptions> = {}) {
    this.docker = new Docker({ socketPath });
    this.local = new DockerAdapter(socketPath);
    this.options = { ...DEFAULTS, ...options };
  }

  async ping(): Promise<void> {
    await this.local.ping();
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    try {
      info = (await this.docker.info()) as typeof info;
    } catch (err) {
      failSwarm('info', err);
    }
    if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable)
      throw new BridgeError(
        'docker_failed',
        'DOCKER_MODE=swarm, but the engine at DOCKER_SOCKET is not a Swarm manager (docker swarm init, or scripts/swarm up)',
        true,
      );
  }

  /** the image as the manager has it, pulled from its registry first when missing (nodes pull it too) */
  async imageId(image: string): Promise<string | undefined> {
    const present = await this.local.imageId(image);
    if (present) return present;
    await this.pull(image).catch(() => undefined);
    return this.local.imageId(image);
  }

  private async pull(image: string): Promise<void> {
    const stream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  /** the tenants' overlay: attachable, so the manager's one-shot containers can join it too */
  async ensureNetwork(name: string, subnet: string): Promise<{ gateway: string }> {
    const existing = await this.networkGateway(name);
    if (existing) return { gateway: existing };
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        IPAM: { Config: [{ Subnet: subnet }] },
        Labels: { 'saas.managed': 'true' },
      });
    } catch (err) {
      if (statusOf(err) !== 409) failSwarm(`create network ${name}`, err);
    }
    const gateway = await this.networkGateway(name);
    if (!gateway) throw new BridgeError('docker_failed', `network ${name} has no gateway address`);
    return { gateway };
  }

  private async networkGateway(name: string): Promise<string | undefined> {
    try {
      const info = await this.docker.getNetwork(name).inspect();
      if (info.Driver !== 'overlay')
        throw new BridgeError(
          'docker_failed',
          `network ${name} is a ${info.Driver} network; Swarm mode needs an overlay (TENANT_NETWORK)`,
          true,
        );
      return info.IPAM?.Config?.[0]?.Gateway as string | undefined;
    } catch (err) {
      if (err instanceof BridgeError) throw err;
      if (statusOf(err) === 404) return undefined;
      failSwarm(`inspect network ${name}`, err);
    }
  }

  async findContainer(name: string): Promise<ContainerInfo | undefined> {
    const service = await this.service(name);
    if (!service) return undefined;
    return this.describe(service, await this.tasksOf(service.ID));
  }

  async listContainers(label: string): Promise<ContainerInfo[]> {
    let services: Service[];
    let tasks: (Task & { ServiceID?: string })[];
    try {
      services = (await this.docker.listServices({
        filters: { label: [label] },
      })) as unknown as Service[];
      tasks = services.length
        ? ((await this.docker.listTasks({
            filters: { 'desired-state': ['running'] },
          })) as (Task & { ServiceID?: string })[])
        : [];
    } catch (err) {
      failSwarm(`list services with ${label}`, err);
    }
    return Promise.all(
      services.map((s) =>
        this.describe(
          s,
          tasks.filter((t) => t.ServiceID === s.ID),
        ),
      ),
    );
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    try {
      await this.docker.createService(
        (await this.serviceSpec(spec)) as unknown as Docker.CreateServiceOptions,
      );
    } catch (err) {
      // 409: a service of that name exists already (a retried step); use it
      if (statusOf(err) !== 409) failSwarm(`create ${spec.name}`, err);
    }
    const info = await this.findContainer(spec.name);
    if (!info)
      throw new BridgeError('docker_failed', `service ${spec.name} vanished after creation`);
    return info;
  }

  async startContainer(name: string): Promise<ContainerInfo> {
    await this.scale(name, 1);
    // a task that cannot run would be retried by Swarm for ever: scaled back to 0
    return this.waitRunning(
      name,
      () => true,
      () => this.scale(name, 0),
    );
  }

  /**
   * Pins the tenant to one node (a placement constraint on its hostname) and waits for its task to
   * run there: Swarm stops the old task first, so the tenant is down for its boot. A node that
   * cannot take it leaves the tenant where it was, unpinned as before.
   */
  async moveTo(name: string, node: string): Promise<ContainerInfo> {
    const target = (await this.nodes()).find((n) => n.name === node);
    if (!target)
      throw new BridgeError('bad_request', `no Swarm node is named ${JSON.stringify(node)}`, true);
    if (!target.ready || !target.takesTenants)
      throw new BridgeError(
        'bad_request',
        `node ${node} takes no tenants now (${target.ready ? 'saas.tenants=no or not active' : 'down'})`,
        true,
      );
    const service = await this.mustService(name);
    // Swarm stops the old task before it places the new one: a node without room would leave the
    // tenant down while the scheduler waits, so that is refused before anything changes
    const reserves = reservationOf(service.Spec);
    const free = target.memoryBytes - target.reservedMemoryBytes;
    if (reserves > free)
      throw new BridgeError(
        'capacity_exhausted',
        `node ${node} has ${mib(free)} MiB unreserved; ${name} reserves ${mib(reserves)} MiB`,
        true,
      );
    const before = constraintsOf(service.Spec);
    const pinned = [
      ...before.filter((c) => !c.startsWith('node.hostname==')),
      `node.hostname==${node}`,
    ];
    await this.updateSpec(name, (spec) => withConstraints(spec, pinned));
    // a stopped tenant is only pinned: it starts there when it starts
    if ((service.Spec.Mode?.Replicated?.Replicas ?? 0) === 0) return this.mustFind(name);
    return this.waitRunning(
      name,
      (info) => info.node === node,
      () => this.updateSpec(name, (spec) => withConstraints(spec, before)),
    );
  }

  /** polls until a task of `name` runs (and `accept`s it); on a task that cannot run, `giveUp` first */
  private async waitRunning(
    name: string,
    accept: (info: ContainerInfo) => boolean,
    giveUp: () => Promise<void>,
  ): Promise<ContainerInfo> {
    const { startTimeoutMs, unschedulableMs, pollMs } = this.options;
    const started = Date.now();
    let heldSince: number | undefined;
    for (;;) {
      const service = await this.mustService(name);
      const tasks = await this.tasksOf(service.ID);
      const info = await this.describe(service, tasks);
      if (info.status === 'running' && info.ip && accept(info)) return info;
      const latest = latestTask(tasks);
      const state = latest?.Status?.State ?? 'none';
      const why = latest?.Status?.Err || latest?.Status?.Message || state;
      if (latest && FAILED_STATES.has(state) && latest.DesiredState !== 'running') {
        // a rejected task (the image cannot be pulled, a mount is missing)
        await giveUp().catch(() => undefined);
        throw new BridgeError('docker_failed', `service ${name}: its task ${state}: ${why}`);
      }
      if (state === 'pending' && /no suitable node/i.test(why)) {
        heldSince ??= Date.now();
        if (Date.now() - heldSince > unschedulableMs) {
          await giveUp().catch(() => undefined);
          throw new BridgeError(
            'capacity_exhausted',
            `service ${name}: no node can take it: ${why}`,
          );
        }
      } else heldSince = undefined;
      if (Date.now() - started > startTimeoutMs)
        throw new BridgeError(
          'docker_failed',
          `service ${name} not running within ${startTimeoutMs / 1000} s (task ${why})`,
        );
      await sleep(pollMs);
    }
  }

  async stopContainer(name: string): Promise<void> {
    if (!(await this.service(name))) return;
    await this.scale(name, 0);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const service = await this.service(name);
      if (!service) return;
      const live = (await this.tasksOf(service.ID)).filter((t) =>
        ['running', 'starting', 'preparing', 'assigned', 'accepted'].includes(
          t.Status?.State ?? '',
        ),
      );
      if (!live.length) return;
      await sleep(this.options.pollMs);
    }
  }

  async removeContainer(name: string): Promise<void> {
    try {
      await this.docker.getService(name).remove();
    } catch (err) {
      if (statusOf(err) !== 404) failSwarm(`remove ${name}`, err);
    }
  }

  /** a service update replaces the task: never live, but the tenant is back within seconds */
  async updateLimits(name: string, limits: ContainerLimits): Promise<'live' | 'restarted'> {
    await this.updateSpec(name, (spec) => ({
      ...spec,
      TaskTemplate: { ...spec.TaskTemplate, Resources: resources(limits) },
    }));
    return 'restarted';
  }

  async logTail(name: string, lines: number): Promise<string> {
    try {
      const raw = (await this.docker.getService(name).logs({
        stdout: true,
        stderr: true,
        tail: lines,
        follow: false,
      })) as unknown;
      return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    } catch (err) {
      failSwarm(`logs of ${name}`, err);
    }
  }

  /** template builds run on the manager, attached to the (attachable) overlay */
  async runToCompletion(
    spec: ContainerSpec,
    timeoutMs: number,
  ): Promise<{ exitCode: number; logs: string }> {
    if (!(await this.imageId(spec.image)))
      throw new BridgeError(
        'docker_failed',
        `image ${spec.image} is neither on the manager nor pullable from its registry`,
      );
    return this.local.runToCompletion(spec, timeoutMs);
  }

  async nodes(): Promise<NodeUse[]> {
    let nodes: SwarmNode[];
    let tasks: (Task & { Spec?: TaskSpec })[];
    try {
      nodes = (await this.docker.listNodes()) as SwarmNode[];
      tasks = (await this.docker.listTasks({
        filters: { 'desired-state': ['running'] },
      })) as (Task & { Spec?: TaskSpec })[];
    } catch (err) {
      failSwarm('list nodes', err);
    }
    return nodes.map((node) => {
      const mine = tasks.filter(
        (t) => t.NodeID === node.ID && t.Spec?.ContainerSpec?.Labels?.['saas.managed'] === 'true',
      );
      const labels = node.Spec?.Labels ?? {};
      return {
        name: node.Description?.Hostname ?? node.ID,
        ready: node.Status?.State === 'ready',
        takesTenants: node.Spec?.Availability === 'active' && labels['saas.tenants'] !== 'no',
        memoryBytes: node.Description?.Resources?.MemoryBytes ?? 0,
        reservedMemoryBytes: mine.reduce(
          (sum, t) => sum + (t.Spec?.Resources?.Reservations?.MemoryBytes ?? 0),
          0,
        ),
        cpus: (node.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
        tenants: mine.length,
      };
    });
  }

  private async service(name: string): Promise<Service | undefined> {
    try {
      return (await this.docker.getService(name).inspect()) as Service;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      failSwarm(`inspect ${name}`, err);
    }
  }

  private async mustFind(name: string): Promise<ContainerInfo> {
    const service = await this.mustService(name);
    return this.describe(service, await this.tasksOf(service.ID));
  }

  private async mustService(name: string): Promise<Service> {
    const service = await this.service(name);
    if (!service) throw new BridgeError('docker_failed', `service ${name} does not exist`);
    return service;
  }

  private async tasksOf(serviceId: string): Promise<Task[]> {
    try {
      return (await this.docker.listTasks({ filters: { service: [serviceId] } })) as Task[];
    } catch (err) {
      failSwarm(`tasks of ${serviceId}`, err);
    }
  }

  private async scale(name: string, replicas: number): Promise<void> {
    await this.updateSpec(name, (spec) => ({
      ...spec,
      Mode: { Replicated: { Replicas: replicas } },
    }));
  }

  /** read, change, write with the version read: a concurrent update makes Docker refuse, so retry */
  private async updateSpec(
    name: string,
    change: (spec: ServiceSpec) => ServiceSpec,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const service = await this.mustService(name);
      try {
        await this.docker.getService(service.ID).update({
          _query: { version: service.Version.Index },
          _body: change(service.Spec),
        } as unknown as Docker.ServiceSpec);
        return;
      } catch (err) {
        const outOfSequence = /update out of sequence/i.test((err as DockerApiError).message ?? '');
        if (!outOfSequence || attempt >= 5) failSwarm(`update ${name}`, err);
      }
    }
  }

  private async describe(service: Service, tasks: Task[]): Promise<ContainerInfo> {
    const replicas = service.Spec.Mode?.Replicated?.Replicas ?? 0;
    const running = tasks.find(
      (t) => t.DesiredState === 'running' && t.Status?.State === 'running',
    );
    const address = running?.NetworksAttachments?.find((a) => a.Network?.Spec?.Name !== 'ingress')
      ?.Addresses?.[0];
    let status: ContainerInfo['status'];
    if (running) status = 'running';
    else if (replicas > 0) status = 'restarting';
    else status = tasks.length ? 'exited' : 'created';
    return {
      id: service.ID,
      name: service.Spec.Name,
      status,
      ip: address ? address.split('/')[0] : undefined,
      labels: service.Spec.Labels ?? {},
      node: running?.NodeID ? await this.nodeName(running.NodeID) : undefined,
    };
  }

  private async nodeName(id: string): Promise<string> {
    const known = this.nodeNames.get(id);
    if (known) return known;
    try {
      const node = (await this.docker.getNode(id).inspect()) as {
        Description?: { Hostname?: string };
      };
      const name = node.Description?.Hostname ?? id;
      this.nodeNames.set(id, name);
      return name;
    } catch {
      return id;
    }
  }

  private async serviceSpec(spec: ContainerSpec): Promise<ServiceSpec> {
    return {
      Name: spec.name,
      Labels: spec.labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: spec.image,
          // the image's entrypoint stays; spec.cmd is its arguments, as Cmd is for a container
          Args: spec.cmd,
          Env: spec.env,
          Labels: spec.labels,
          Mounts: spec.binds.map(toMount),
          CapabilityDrop: ['ALL'],
          StopGracePeriod: 10e9,
        },
        Resources: resources(spec),
        RestartPolicy:
          spec.restart === 'no'
            ? { Condition: 'none' }
            : { Condition: 'any', Delay: 5e9, Window: 0 },
        Placement: { Constraints: await this.constraints(spec.labels[PLAN_NODE_LABEL]) },
        Networks: [{ Target: spec.network }],
        LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '3' } },
      },
      Mode: { Replicated: { Replicas: 0 } },
      // tasks are reached at their own overlay address (the bridge and Caddy route to it), not a VIP
      EndpointSpec: { Mode: 'dnsrr' },
    };
  }

  /**
   * Nodes labelled saas.plan=X are kept for plan X: its tenants go only there, when any exist, and
   * no other plan's tenant goes there.
   */
  private async constraints(plan: string | undefined): Promise<string[]> {
    let nodes: { Spec?: { Labels?: Record<string, string> } }[];
    try {
      nodes = (await this.docker.listNodes()) as typeof nodes;
    } catch (err) {
      failSwarm('list nodes', err);
    }
    const reserved = new Set(
      nodes.map((n) => n.Spec?.Labels?.[PLAN_NODE_LABEL]).filter((p): p is string => !!p),
    );
    if (plan && reserved.has(plan))
      return [NO_TENANTS_CONSTRAINT, `node.labels.${PLAN_NODE_LABEL}==${plan}`];
    return [
      NO_TENANTS_CONSTRAINT,
      ...[...reserved].sort().map((p) => `node.labels.${PLAN_NODE_LABEL}!=${p}`),
    ];
  }
}

const mib = (bytes: number) => Math.floor(bytes / 2 ** 20);

function reservationOf(spec: ServiceSpec): number {
  const resources = spec.TaskTemplate?.Resources as
    { Reservations?: { MemoryBytes?: number } } | undefined;
  return resources?.Reservations?.MemoryBytes ?? 0;
}

function constraintsOf(spec: ServiceSpec): string[] {
  const template = spec.TaskTemplate as { Placement?: { Constraints?: string[] } } | undefined;
  return template?.Placement?.Constraints ?? [];
}

function withConstraints(spec: ServiceSpec, constraints: string[]): ServiceSpec {
  const template = (spec.TaskTemplate ?? {}) as { Placement?: Record<string, unknown> };
  return {
    ...spec,
    TaskTemplate: {
      ...spec.TaskTemplate,
      Placement: { ...template.Placement, Constraints: constraints },
    },
  };
}

function latestTask(tasks: Task[]): Task | undefined {
  return [...tasks].sort((a, b) => (a.CreatedAt ?? '').localeCompare(b.CreatedAt ?? '')).at(-1);
}

/** limits as on one host; the reservation is what the scheduler counts to place by capacity */
function resources(limits: ContainerLimits) {
  const memory = limits.memoryMb * 1024 * 1024;
  const cpus = Math.round(limits.cpus * 1e9);
  return {
    Limits: { MemoryBytes: memory, NanoCPUs: cpus, Pids: 512 },
    // CPU limits are ceilings shared by many tenants, so only memory is reserved
    Reservations: { MemoryBytes: (limits.reservedMemoryMb ?? limits.memoryMb) * 1024 * 1024 },
  };
}

/** host:container[:ro] as a bind mount: the path must exist on whichever node runs the task */
function toMount(bind: string) {
  const [source, target, mode] = bind.split(':');
  return { Type: 'bind', Source: source, Target: target, ReadOnly: mode === 'ro' };
}
