/** Every queue and every job name lives here; main.ts checks each has exactly one handler at start. */
export const QUEUES = {
  instances: 'instances',
  mail: 'mail',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  instances: ['provision', 'paid', 'suspend', 'reactivate', 'terminate'],
  mail: ['welcome'],
  maintenance: ['reconcile', 'warm-templates'],
} as const satisfies Record<QueueName, readonly string[]>;
