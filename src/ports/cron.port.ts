/** When a tenant's scheduled actions are due, read from its database (no Odoo running needed). */
export interface CronSchedulePort {
  /** the earliest `nextcall` of its active scheduled actions, or undefined when it has none */
  nextCronAt(db: string): Promise<Date | undefined>;
}
