import Docker from 'dockerode';
import { BridgeError } from '../errors.js';
import type {
  ContainerInfo,
  ContainerLimits,
  ContainerSpec,
  ContainerStatus,
  DockerPort,
} from '../ports/docker.port.js';

export interface DockerApiError {
  statusCode?: number;
  message?: string;
}

export function statusOf(err: unknown): number | undefined {
  return (err as DockerApiError).statusCode;
}

/** a Docker API error as the bridge's docker_failed, naming what was tried */
export function fail(action: string, err: unknown): never {
  const message = (err as DockerApiError).message ?? String(err);
  throw new BridgeError('docker_failed', `docker ${action}: ${message.trim()}`, false, {
    cause: err,
  });
}

/** The only code that talks to the Docker engine. */
export class DockerAdapter implements DockerPort {
  private readonly docker: Docker;

  constructor(socketPath: string) {
    this.docker = new Docker({ socketPath });
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      fail('ping', err);
    }
  }

  async imageId(image: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(image).inspect()).Id;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      fail(`inspect image ${image}`, err);
    }
  }

  async ensureNetwork(name: string, subnet: string): Promise<{ gateway: string }> {
    const existing = await this.networkGateway(name);
    if (existing) return { gateway: existing };
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Config: [{ Subnet: subnet, Gateway: gatewayOf(subnet) }] },
        // tenants must not reach each other, only PostgreSQL on the gateway and their proxy
        Options: { 'com.docker.network.bridge.enable_icc': 'false' },
        Labels: { 'saas.managed': 'true' },
      });
    } catch (err) {
      if (statusOf(err) !== 409) fail(`create network ${name}`, err);
    }
    const gateway = await this.networkGateway(name);
    if (!gateway) throw new BridgeError('docker_failed', `network ${name} has no gateway address`);
    return { gateway };
  }

  private async networkGateway(name: string): Promise<string | undefined> {
    try {
      const info = await this.docker.getNetwork(name).inspect();
      return info.IPAM?.Config?.[0]?.Gateway as string | undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      fail(`inspect network ${name}`, err);
    }
  }

  async findContainer(name: string): Promise<ContainerInfo | undefined> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      const networks = info.NetworkSettings?.Networks ?? {};
      const ip = Object.values(networks).find((n) => n.IPAddress)?.IPAddress;
      return {
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        status: info.State.Status as ContainerStatus,
        ip: ip || undefined,
        labels: info.Config.Labels ?? {},
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      fail(`inspect ${name}`, err);
    }
  }

  async listContainers(label: string): Promise<ContainerInfo[]> {
    try {
      const rows = await this.docker.listContainers({ all: true, filters: { label: [label] } });
      return rows.map((row) => ({
        id: row.Id,
        name: (row.Names[0] ?? row.Id).replace(/^\//, ''),
        status: row.State as ContainerStatus,
        ip:
          Object.values(row.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress ||
          undefined,
        labels: row.Labels ?? {},
      }));
    } catch (err) {
      fail(`list containers with ${label}`, err);
    }
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    try {
      await this.docker.createContainer(toCreateOptions(spec));
    } catch (err) {
      // 409: a container of that name exists already (a retried step); use it
      if (statusOf(err) !== 409) fail(`create ${spec.name}`, err);
    }
    const info = await this.findContainer(spec.name);
    if (!info)
      throw new BridgeError('docker_failed', `container ${spec.name} vanished after creation`);
    return info;
  }

  async startContainer(name: string): Promise<ContainerInfo> {
    try {
      await this.docker.getContainer(name).start();
    } catch (err) {
      if (statusOf(err) !== 304) fail(`start ${name}`, err); // 304: already running
    }
    const info = await this.findContainer(name);
    if (!info) throw new BridgeError('docker_failed', `container ${name} vanished after start`);
    return info;
  }

  async stopContainer(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).stop({ t: 10 });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 304 && status !== 404) fail(`stop ${name}`, err);
    }
  }

  async removeContainer(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).remove({ force: true, v: false });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 404 && status !== 409) fail(`remove ${name}`, err);
    }
  }

  async updateLimits(name: string, limits: ContainerLimits): Promise<'live' | 'restarted'> {
    const container = this.docker.getContainer(name);
    try {
      await container.update(limitOptions(limits));
      return 'live';
    } catch (err) {
      if (statusOf(err) === 404) fail(`update ${name}`, err);
      // some engines refuse a live change (e.g. memory below what the container uses): stop first
      const wasRunning = (await this.findContainer(name))?.status === 'running';
      await this.stopContainer(name);
      try {
        await container.update(limitOptions(limits));
      } catch (retryErr) {
        if (wasRunning) await this.startContainer(name).catch(() => undefined);
        fail(`update ${name}`, retryErr);
      }
      if (wasRunning) await this.startContainer(name);
      return 'restarted';
    }
  }

  async logTail(name: string, lines: number): Promise<string> {
    try {
      const raw = await this.docker
        .getContainer(name)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false });
      return demuxLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    } catch (err) {
      fail(`logs of ${name}`, err);
    }
  }

  async runToCompletion(
    spec: ContainerSpec,
    timeoutMs: number,
  ): Promise<{ exitCode: number; logs: string }> {
    await this.removeContainer(spec.name);
    let container: Docker.Container;
    // output is read from an attached stream: the logs endpoint refuses containers that already died
    let output = '';
    try {
      container = await this.docker.createContainer({ ...toCreateOptions(spec), Tty: true });
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      stream.on('data', (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-16_000);
      });
      await container.start();
    } catch (err) {
      fail(`run ${spec.name}`, err);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new BridgeError(
                'docker_failed',
                `${spec.name} did not finish within ${timeoutMs / 1000} s`,
              ),
            ),
          timeoutMs,
        );
      });
      const result = (await Promise.race([container.wait(), timeout])) as { StatusCode: number };
      const logs = output.split(/\r?\n/).slice(-40).join('\n');
      return { exitCode: result.StatusCode, logs };
    } finally {
      clearTimeout(timer);
      await container.remove({ force: true }).catch(() => undefined);
    }
  }
}

/**
 * Docker's log stream of a container without a TTY: frames of an 8-byte header (stream type, 3
 * zero bytes, big-endian length) and the payload. Anything else is taken as plain text.
 */
export function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const kind = raw[at];
    if ((kind !== 0 && kind !== 1 && kind !== 2) || raw.readUIntBE(at + 1, 3) !== 0)
      return raw.toString('utf8');
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return at === 0 ? raw.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/** memory without extra swap, CPU in billionths of a core: the same as at creation */
function limitOptions(limits: ContainerLimits) {
  const bytes = limits.memoryMb * 1024 * 1024;
  return { Memory: bytes, MemorySwap: bytes, NanoCpus: Math.round(limits.cpus * 1e9) };
}

function toCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: spec.env,
    Labels: spec.labels,
    HostConfig: {
      Binds: spec.binds,
      Memory: spec.memoryMb * 1024 * 1024,
      MemorySwap: spec.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(spec.cpus * 1e9),
      PidsLimit: 512,
      RestartPolicy: { Name: spec.restart },
      NetworkMode: spec.network,
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      // one chatty tenant must not fill the host's disk: 3 files of 10 MB, then the oldest goes
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
  };
}

/** first host address of an IPv4 subnet, e.g. 172.30.0.0/24 -> 172.30.0.1 */
export function gatewayOf(subnet: string): string {
  const [address] = subnet.split('/');
  const parts = (address ?? '').split('.').map(Number);
  parts[3] = (parts[3] ?? 0) + 1;
  return parts.join('.');
}
