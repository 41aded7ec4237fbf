import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FILE, sameAsContract } from '../../src/contract.js';
import { INSTANCE_STATES } from '../../src/ports/odoo.port.js';
import { EVENT_DATA, EVENT_TYPES } from '../../src/schemas/event.schema.js';
import {
  RESERVED_SUBDOMAIN_PREFIXES,
  RESERVED_SUBDOMAINS,
  SUBDOMAIN_MAX_LENGTH,
  SUBDOMAIN_MIN_LENGTH,
  SUBDOMAIN_PATTERN,
} from '../../src/services/naming.js';

/** read here on its own, not through src/contract.ts: the test compares the code with the file */
const json = JSON.parse(readFileSync(CONTRACT_FILE, 'utf8')) as {
  subdomain: {
    pattern: string;
    min_length: number;
    max_length: number;
    reserved: string[];
    reserved_prefixes: string[];
  };
  instance_states: string[];
  event_types: Record<string, string[]>;
};

const sorted = (names: Iterable<string>) => [...names].sort();

describe('the bridge agrees with saas_contract.json (shared with saas_master)', () => {
  it('is the file inside the master addon, which the bridge image copies', () => {
    expect(CONTRACT_FILE).toMatch(/odoo-addons\/saas_master\/contract\/saas_contract\.json$/);
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const dockerignore = readFileSync(new URL('../../.dockerignore', import.meta.url), 'utf8');
    expect(dockerfile).toContain('odoo-addons/saas_master/contract');
    expect(dockerignore).toContain('!odoo-addons/saas_master/contract/');
  });

  it('has the subdomain rule', () => {
    expect(SUBDOMAIN_PATTERN.source).toBe(json.subdomain.pattern);
    expect(SUBDOMAIN_MIN_LENGTH).toBe(json.subdomain.min_length);
    expect(SUBDOMAIN_MAX_LENGTH).toBe(json.subdomain.max_length);
    expect(sorted(RESERVED_SUBDOMAINS)).toEqual(sorted(json.subdomain.reserved));
    expect(RESERVED_SUBDOMAIN_PREFIXES).toEqual(json.subdomain.reserved_prefixes);
  });

  it('has the instance states', () => {
    expect(sorted(INSTANCE_STATES)).toEqual(sorted(json.instance_states));
  });

  it('has the event types, each with the data keys the contract requires', () => {
    expect(sorted(EVENT_TYPES)).toEqual(sorted(Object.keys(json.event_types)));
    for (const type of EVENT_TYPES) {
      expect(sorted(Object.keys(EVENT_DATA[type].shape)), type).toEqual(
        sorted(json.event_types[type] ?? []),
      );
    }
  });

  it('stops the import of a list that differs from the contract, naming both', () => {
    expect(() => sameAsContract('instance states', ['draft', 'gone'], ['draft'])).toThrow(
      /instance states of the bridge \[draft, gone\] differ from .*saas_contract\.json \[draft\]/,
    );
    expect(sameAsContract('event types', ['b', 'a'], ['a', 'b'])).toEqual(['b', 'a']);
  });
});
