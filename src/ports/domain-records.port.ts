/** What a domain check found wrong, in words the master turns into the customer's language. */
export type DomainProblem = 'no_record' | 'elsewhere' | 'not_running';

/** The master's saas.instance.domain records, as the bridge reports on them. */
export interface DomainRecordsPort {
  /** a check's outcome: verified, or the problem with what was seen (e.g. the addresses) */
  reportCheck(
    domainId: number,
    outcome: { verified: true } | { verified: false; problem: DomainProblem; detail: string },
  ): Promise<void>;
}
