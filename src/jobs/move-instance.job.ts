import { BridgeError } from '../errors.js';
import type { MoveService } from '../services/move.service.js';
import { instanceJob, type InstanceJobDeps } from './instance-job.js';

/** An admin's "Move to node": the tenant restarts on the named Swarm node, its routes follow. */
export function moveInstanceJob(deps: InstanceJobDeps & { move: MoveService }) {
  return instanceJob(
    deps,
    'move-instance',
    (instanceId, { node }) => {
      if (!node) throw new BridgeError('bad_request', 'a move names no node', true);
      return deps.move.move(instanceId, node);
    },
    (data, err) => deps.move.recordFailure(data.instanceId, data.node, err),
  );
}
