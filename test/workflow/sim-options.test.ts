// The flags of `evt simulate`: every accepted form, and for bad input a usage error (exit 2) on one line
// that names the flag and shows a form that works.

import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../../src/cli/errors.js';
import {
  DEFAULT_KILL_FOR_MS,
  parseChaos,
  parseFraction,
  parseInstances,
  parseLatency,
  parseRate,
} from '../../src/workflow/sim-options.js';

/** The usage error `run` throws, checked for the exit code the CLI gives it and a single line. */
function usage(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(exitCodeFor(e)).toBe(ExitCode.USAGE);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('no error thrown');
}

describe('parseRate', () => {
  it('reads orders per second, per minute or per hour', () => {
    expect(parseRate('50/s')).toBe(50);
    expect(parseRate('50')).toBe(50);
    expect(parseRate(' 2.5 ')).toBe(2.5);
    expect(parseRate('3000/m')).toBe(50);
    expect(parseRate('7200/h')).toBe(2);
  });

  it('refuses zero, negatives, unknown units and words', () => {
    for (const bad of ['0', '0/s', '-5', '50/d', 'fast', '', '50/']) {
      const message = usage(() => parseRate(bad));
      expect(message).toContain('--rate');
      expect(message).toContain(`"${bad}"`);
      expect(message).toContain('50/s');
    }
  });
});

describe('parseFraction', () => {
  it('reads a share as a decimal or a percentage', () => {
    expect(parseFraction('--decline-rate', '0.05')).toBe(0.05);
    expect(parseFraction('--decline-rate', '0')).toBe(0);
    expect(parseFraction('--decline-rate', '1')).toBe(1);
    expect(parseFraction('--poison-rate', '5%')).toBeCloseTo(0.05);
  });

  it('refuses anything outside 0..1, naming the flag', () => {
    for (const bad of ['1.5', '-0.1', '150%', 'half', '']) {
      expect(usage(() => parseFraction('--poison-rate', bad))).toMatch(
        /^--poison-rate: ".*" is not a fraction from 0 to 1 \(e\.g\. --poison-rate 0\.05/,
      );
    }
  });
});

describe('parseLatency', () => {
  it('reads a range or a single value per service', () => {
    expect(parseLatency('payments=20ms..200ms,fraud=5ms')).toEqual({
      payments: { minMs: 20, maxMs: 200 },
      fraud: { minMs: 5, maxMs: 5 },
    });
    expect(parseLatency('inventory=1s..2.5s')).toEqual({ inventory: { minMs: 1000, maxMs: 2500 } });
    expect(parseLatency(' shipping = 0 .. 1m ')).toEqual({ shipping: { minMs: 0, maxMs: 60_000 } });
  });

  it('names the services when one is unknown', () => {
    const message = usage(() => parseLatency('payment=20ms'));
    expect(message).toContain('--latency: "payment" is not a service');
    expect(message).toContain('basket, orders, inventory, payments, fraud, shipping');
    expect(message).toContain('payments=20ms..200ms');
  });

  it('refuses bad durations, reversed ranges, missing values and repeats', () => {
    expect(usage(() => parseLatency('payments=fast'))).toContain(
      '--latency: "fast" in "payments=fast" is not a duration',
    );
    expect(usage(() => parseLatency('payments=-1'))).toContain('is not a duration');
    expect(usage(() => parseLatency('payments=200ms..20ms'))).toContain('ends before it starts');
    expect(usage(() => parseLatency('payments=1ms..2ms..3ms'))).toContain('more than one ".."');
    expect(usage(() => parseLatency('payments'))).toContain('"payments" is not <service>=<value>');
    expect(usage(() => parseLatency('payments='))).toContain('is not <service>=<value>');
    expect(usage(() => parseLatency('fraud=1ms,fraud=2ms'))).toContain('fraud is given twice');
  });
});

describe('parseInstances', () => {
  it('reads instances per service', () => {
    expect(parseInstances('orders=2,payments=3')).toEqual({ orders: 2, payments: 3 });
    expect(parseInstances('shipping=16')).toEqual({ shipping: 16 });
  });

  it('refuses counts outside 1..16 and unknown services', () => {
    for (const bad of ['orders=0', 'orders=17', 'orders=two', 'orders=1.5']) {
      const message = usage(() => parseInstances(bad));
      expect(message).toMatch(/^--instances orders: ".*" is not a whole number from 1 to 16/);
      expect(message).toContain('orders=2,payments=3');
    }
    expect(usage(() => parseInstances('warehouse=2'))).toContain('"warehouse" is not a service');
  });
});

describe('parseChaos', () => {
  it('reads stops and kills, sorted by when they happen', () => {
    expect(parseChaos('kill orders at 20s for 2s; stop payments at 10s for 5s')).toEqual([
      { kind: 'stop', service: 'payments', atMs: 10_000, forMs: 5_000 },
      { kind: 'kill', service: 'orders', atMs: 20_000, forMs: 2_000 },
    ]);
    expect(parseChaos('kill inventory at 1500ms')).toEqual([
      { kind: 'kill', service: 'inventory', atMs: 1500, forMs: DEFAULT_KILL_FOR_MS },
    ]);
    expect(parseChaos('  stop fraud   at 2m for 30s ;')).toEqual([
      { kind: 'stop', service: 'fraud', atMs: 120_000, forMs: 30_000 },
    ]);
  });

  it('keeps actions at the same time in the order written', () => {
    expect(parseChaos('stop fraud at 1s for 1s; kill orders at 1s').map((a) => a.service)).toEqual(['fraud', 'orders']);
  });

  it('says what is wrong with an action, with an example', () => {
    const cases: [string, string][] = [
      ['', 'no action given'],
      ['pause payments at 1s for 1s', 'does not start with stop or kill'],
      ['stop', 'names no service'],
      [
        'stop payment at 1s for 1s',
        'names no known service (services: basket, orders, inventory, payments, fraud, shipping)',
      ],
      ['stop payments for 1s', 'says not when'],
      ['stop payments at 1s', 'says not for how long'],
      ['kill orders at 1s during 2s', 'other than "for <duration>"'],
      ['kill orders at 1s for', 'other than "for <duration>"'],
      ['stop payments at soon for 1s', '"soon" in "stop payments at soon for 1s" is not a duration'],
      ['stop payments at 1s for 0s', 'is down for no time'],
    ];
    for (const [spec, why] of cases) {
      const message = usage(() => parseChaos(spec));
      expect(message).toMatch(/^--chaos: /);
      expect(message).toContain(why);
      expect(message).toContain('stop payments at 10s for 5s');
    }
  });
});
