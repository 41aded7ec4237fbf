export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerInfo {
  id: string;
  name: string;
  status: ContainerStatus;
  /** address on the tenant network, when running */
  ip: string | undefined;
  labels: Record<string, string>;
  /** the Swarm node running it (DOCKER_MODE=swarm); undefined on one host */
  node?: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  cmd: string[];
  labels: Record<string, string>;
  env?: string[];
  memoryMb: number;
  cpus: number;
  /** what a Swarm scheduler counts against a node (the plan's expected footprint); memoryMb when unset */
  reservedMemoryMb?: number;
  /** host:container[:ro] bind mounts */
  binds: string[];
  network: string;
  /** restart policy; one-shot containers use 'no' */
  restart: 'unless-stopped' | 'no';
}

/** what a plan sets on its tenants' containers */
export interface ContainerLimits {
  memoryMb: number;
  cpus: number;
  reservedMemoryMb?: number;
}

/** one node of a Swarm, as the scheduler sees it (DOCKER_MODE=swarm) */
export interface NodeUse {
  name: string;
  /** the node answers its heartbeats */
  ready: boolean;
  /** it may be given new tasks (availability active, not labelled saas.tenants=no) */
  takesTenants: boolean;
  memoryBytes: number;
  /** memory reserved by the tenant tasks that should run there */
  reservedMemoryBytes: number;
  cpus: number;
  tenants: number;
}

export interface DockerPort {
  ping(): Promise<void>;
  /** the image's id (changes when it is rebuilt), or undefined when it is not on the engine */
  imageId(image: string): Promise<string | undefined>;
  /** creates the network when missing; returns its gateway address */
  ensureNetwork(name: string, subnet: string): Promise<{ gateway: string }>;
  findContainer(name: string): Promise<ContainerInfo | undefined>;
  /** containers carrying the given label (any value) */
  listContainers(label: string): Promise<ContainerInfo[]>;
  createContainer(spec: ContainerSpec): Promise<ContainerInfo>;
  startContainer(name: string): Promise<ContainerInfo>;
  stopContainer(name: string): Promise<void>;
  removeContainer(name: string): Promise<void>;
  /**
   * new memory/CPU limits on an existing container: live where the engine allows it ('live'),
   * else stopped, updated and started again ('restarted'; a stopped one is not started)
   */
  updateLimits(name: string, limits: ContainerLimits): Promise<'live' | 'restarted'>;
  /** the last `lines` lines the container wrote (stdout and stderr), oldest first */
  logTail(name: string, lines: number): Promise<string>;
  /** the Swarm's nodes and what tenants hold of each; absent on one host (the capacity check covers it) */
  nodes?(): Promise<NodeUse[]>;
  /** Swarm: pins a tenant to the named node and returns it running there (down for its boot) */
  moveTo?(name: string, node: string): Promise<ContainerInfo>;
  /** runs a one-shot container to its end and removes it; logs are the last lines of its output */
  runToCompletion(
    spec: ContainerSpec,
    timeoutMs: number,
  ): Promise<{ exitCode: number; logs: string }>;
}
