import type { InstanceRecord } from '../../ports/odoo.port.js';
import type { ProvisioningDeps } from './context.js';

/**
 * Removes what a failed first provisioning of this instance made, and only that: a container with its
 * instance label and our owner, a database with its marker (or no marker and no container: a clone
 * interrupted half-way). Resources of another instance or another owner under the name stay.
 */
export async function cleanUpFailed(
  deps: ProvisioningDeps,
  instance: InstanceRecord,
): Promise<void> {
  const { db: pg, docker, filestore, proxy, identity } = deps;
  const names = identity.namesOf(instance);
  const container = await docker.findContainer(names.container);
  if (container && identity.ownsContainer(container, instance))
    await docker.removeContainer(names.container);
  const verdict = identity.judgeMarker(await pg.databaseMarker(names.db), instance.id);
  if (verdict === 'ours' || verdict === 'ours-unowned' || (verdict === 'none' && !container)) {
    await proxy.removeRoute(names.host).catch(() => undefined);
    await pg.dropDatabase(names.db);
    await pg.dropRole(names.db);
    await filestore.remove(names.db);
  }
}
