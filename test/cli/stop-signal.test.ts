// The stop signal that tail and produce race their reads against: values pass through, a fire settles
// every race in flight with null, and a settled race leaves nothing behind on the signal (a long-lived
// Promise.race kept every value a tail -f ever read).

import { describe, expect, it } from 'vitest';
import { StopSignal } from '../../src/cli/stop-signal.js';

describe('StopSignal', () => {
  it('passes values and failures through and keeps nothing once they settle', async () => {
    const signal = new StopSignal();
    for (let i = 0; i < 1000; i++) expect(await signal.race(Promise.resolve({ chunk: i }))).toEqual({ chunk: i });
    await expect(signal.race(Promise.reject(new Error('broken pipe')))).rejects.toThrow('broken pipe');
    expect(signal.inFlight).toBe(0);
  });

  it('settles the races in flight with null when fired, and later ones at once', async () => {
    const signal = new StopSignal();
    let fail!: (err: Error) => void;
    const never = new Promise<string>(() => {});
    const failsLater = new Promise<string>((_, reject) => (fail = reject));
    const races = [signal.race(never), signal.race(failsLater)];
    expect(signal.inFlight).toBe(2);
    signal.fire();
    expect(await Promise.all(races)).toEqual([null, null]);
    expect(signal.inFlight).toBe(0);
    // the abandoned read failing afterwards is nobody's unhandled rejection
    fail(new Error('input closed'));
    expect(await signal.race(Promise.resolve('late'))).toBeNull();
    expect(signal.stopped).toBe(true);
  });
});
