import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SwarmWatchService } from '../../../src/services/swarm-watch.service.js';
import { namesOf, worldWithInstance } from '../../support/world.js';

const HOST = 'acme.saas.example.com';
const NAME = namesOf(1).container;

async function setup() {
  const world = await worldWithInstance({}, true);
  let passes = 0;
  const watch = new SwarmWatchService({
    docker: world.docker,
    reconcileNow: async () => {
      passes++;
      await world.reconcile.reconcile();
    },
    logger: pino({ level: 'silent' }),
  });
  return { world, watch, passes: () => passes };
}

describe('SwarmWatchService', () => {
  it('re-routes a tenant Swarm started elsewhere at once, and asks nothing while addresses stay', async () => {
    const { world, watch, passes } = await setup();
    expect(await watch.pass()).toEqual({ moved: [] }); // the first pass only learns
    expect(await watch.pass()).toEqual({ moved: [] });
    expect(passes()).toBe(0);

    const container = world.docker.containers.get(NAME)!;
    container.ip = '10.232.16.40';
    container.node = 'node-2';
    expect(await watch.pass()).toEqual({ moved: [NAME] });
    expect(passes()).toBe(1);
    expect(world.proxy.routes.get(HOST)).toMatchObject({ upstream: '10.232.16.40:8069' });
    expect(world.odoo.instance(1).node).toBe('node-2');
    expect(await watch.pass()).toEqual({ moved: [] });
  });

  it('sees a move that went through a pass without a running task', async () => {
    const { world, watch } = await setup();
    await watch.pass();
    const container = world.docker.containers.get(NAME)!;
    // the node died: the task is being rescheduled, no address yet
    container.status = 'restarting';
    container.ip = undefined;
    expect(await watch.pass()).toEqual({ moved: [] });
    container.status = 'running';
    container.ip = '10.232.16.41';
    expect(await watch.pass()).toEqual({ moved: [NAME] });
  });
});
