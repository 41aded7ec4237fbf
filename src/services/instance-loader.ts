import { BridgeError } from '../errors.js';
import type { InstanceRecord, OdooPort } from '../ports/odoo.port.js';

/** The instance as the master holds it; a missing one is a permanent error (no retry brings it back). */
export async function loadInstance(
  odoo: Pick<OdooPort, 'getInstance'>,
  instanceId: number,
): Promise<InstanceRecord> {
  const instance = await odoo.getInstance(instanceId);
  if (!instance) {
    throw new BridgeError(
      'instance_not_found',
      `instance ${instanceId} does not exist in the master`,
      true,
    );
  }
  return instance;
}
