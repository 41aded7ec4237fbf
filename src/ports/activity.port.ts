/** What a tenant's visitors did lately, as the bridge can see it from outside its Odoo. */
export interface TenantActivity {
  /** when the container last started; undefined when it does not run */
  startedAt: Date | undefined;
  /** the newest visitor request the tenant served at or after the `since` asked for */
  lastRequestAt: Date | undefined;
}

export interface ActivityPort {
  /** undefined when there is no such container */
  activity(container: string, since: Date): Promise<TenantActivity | undefined>;
}
