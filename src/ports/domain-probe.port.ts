/** What a fetch of a path through a domain's own DNS found. */
export type ProbeResult =
  | { kind: 'no-record' }
  | { kind: 'unreachable'; addresses: string[]; reason: string }
  | { kind: 'answered'; addresses: string[]; status: number; body: string };

/** Resolves a customer's domain the way the internet does and GETs a path from what it points at. */
export interface DomainProbePort {
  probe(domain: string, port: number, path: string): Promise<ProbeResult>;
}
