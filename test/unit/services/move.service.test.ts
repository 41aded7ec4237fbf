import { describe, expect, it } from 'vitest';
import { moveInstanceJob } from '../../../src/jobs/move-instance.job.js';
import { Metrics } from '../../../src/observability/metrics.js';
import { BridgeError } from '../../../src/errors.js';
import { jobContext, worldMove } from '../../support/jobs.js';
import { namesOf, worldWithInstance } from '../../support/world.js';

const HOST = 'acme.saas.example.com';
const NAME = namesOf(1).container;

describe('MoveService', () => {
  it('restarts the tenant on the named node, routes it there and shows the node in the master', async () => {
    const world = await worldWithInstance({}, true);
    world.docker.containers.get(NAME)!.node = 'node-1';
    const before = world.docker.containers.get(NAME)!.ip;
    expect(await worldMove(world).move(1, 'node-2')).toBe('moved');
    const after = world.docker.containers.get(NAME)!;
    expect(after).toMatchObject({ node: 'node-2', status: 'running' });
    expect(after.ip).not.toBe(before);
    expect(world.proxy.routes.get(HOST)).toMatchObject({ upstream: `${after.ip}:8069` });
    expect(world.odoo.instance(1)).toMatchObject({
      node: 'node-2',
      directUrl: `http://${after.ip}:8069`,
    });
    expect(world.odoo.notes.at(-1)?.body).toMatch(
      /^Moved from node-1 to node-2: answering again after/,
    );
  });

  it('refuses on one host, saying what it needs, and changes nothing', async () => {
    const world = await worldWithInstance({}, true);
    const plain = Object.assign(Object.create(Object.getPrototypeOf(world.docker)), world.docker, {
      moveTo: undefined,
    });
    const err = await worldMove(world, plain)
      .move(1, 'node-2')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).permanent).toBe(true);
    expect((err as Error).message).toMatch(/needs DOCKER_MODE=swarm/);
    expect(world.docker.containers.get(NAME)?.node).toBeUndefined();
  });

  it('leaves an instance that is not running where it is', async () => {
    const world = await worldWithInstance({}, true);
    await world.odoo.updateInstance(1, { state: 'suspended' });
    expect(await worldMove(world).move(1, 'node-2')).toBe('nothing to move (suspended)');
    expect(world.docker.containers.get(NAME)?.node).toBeUndefined();
  });

  it('as a job: needs a node, and notes a move that failed for good on the instance', async () => {
    const world = await worldWithInstance({}, true);
    const move = worldMove(world);
    const job = moveInstanceJob({ locks: world.locks, metrics: new Metrics(), move });
    const data = {
      instanceId: 1,
      action: 'move-instance',
      eventId: 'e1',
      eventType: 'instance.move',
    };
    await expect(job.handler(data, jobContext())).rejects.toThrow(/names no node/);
    await job.onFinalFailure?.({ ...data, node: 'node-9' }, new Error('no node can take it'));
    expect(world.odoo.notes.at(-1)?.body).toBe('Move to node-9 failed: no node can take it');
  });
});
