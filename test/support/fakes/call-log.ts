/**
 * Records every port call of a fake world in order, and injects faults: a "crash" before the
 * call has any effect, or a "lost answer" after it took effect (the caller still sees an error).
 */
export type FaultMode = 'before' | 'after';

export class InjectedFault extends Error {
  override name = 'InjectedFault';
}

export class CallLog {
  readonly calls: string[] = [];
  private fault: { at: number; mode: FaultMode } | undefined;
  private readonly failing = new Map<string, Error>();

  /** the call with this index (counted from the start of the log) fails once */
  crashAt(index: number, mode: FaultMode = 'before'): void {
    this.fault = { at: index, mode };
  }

  /** every call of `name` (e.g. `docker.createContainer`) fails until cleared */
  failAlways(name: string, error: Error = new InjectedFault(`${name} fails`)): void {
    this.failing.set(name, error);
  }

  clearFailures(): void {
    this.failing.clear();
    this.fault = undefined;
  }

  count(name: string): number {
    return this.calls.filter((c) => c === name).length;
  }

  /** records the call and answers whether it must fail before or after its effect */
  enter(name: string): FaultMode | undefined {
    this.calls.push(name);
    if (this.failing.has(name)) return 'before';
    if (this.fault && this.fault.at === this.calls.length - 1) {
      const { mode } = this.fault;
      this.fault = undefined;
      return mode;
    }
    return undefined;
  }

  errorFor(name: string): Error {
    return (
      this.failing.get(name) ??
      new InjectedFault(`injected fault at ${name} (call ${this.calls.length - 1})`)
    );
  }
}

/**
 * Wraps a fake so each async method call is logged under `<prefix>.<method>` and may fail as
 * the log says. Synchronous methods (e.g. FilestorePort.dataDirOf) pass through unlogged.
 */
export function instrument<T extends object>(target: T, prefix: string, log: CallLog): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value: unknown = Reflect.get(obj, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      if (value.constructor.name !== 'AsyncFunction') return value.bind(obj);
      const name = `${prefix}.${key}`;
      return async (...args: unknown[]) => {
        const fault = log.enter(name);
        if (fault === 'before') throw log.errorFor(name);
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(
          obj,
          args,
        );
        if (fault === 'after') throw log.errorFor(name);
        return result;
      };
    },
  });
}
