// The program registers only the command a run invokes when the words make it certain (start-up), and every
// command otherwise, so that help, suggestions and completion see the whole tree.

import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../commands/program.js';
import { testIo } from '../helpers/cli.js';

const registered = (argv?: string[]) => buildProgram(testIo(), argv).commands.map((c) => c.name());
const everyCommand = registered();

describe('buildProgram', () => {
  it('registers every command without argv, in help order', () => {
    expect(everyCommand.slice(0, 4)).toEqual(['produce', 'tail', 'topics', 'groups']);
    expect(everyCommand).toContain('dashboard');
    expect(everyCommand.length).toBeGreaterThanOrEqual(17);
  });

  it('registers only the invoked command, past global options and their values', () => {
    expect(registered(['tail', 'orders', '-n', '1'])).toEqual(['tail']);
    expect(registered(['-b', 'kafka:9092', '--json', 'topics', 'list'])).toEqual(['topics']);
    expect(registered(['--brokers=kafka:9092', '--timeout', '2s', 'groups', 'list'])).toEqual(['groups']);
    // the value of a global option is no command, even when it is spelled like one
    expect(registered(['--profile', 'tail', 'produce', 't', 'v'])).toEqual(['produce']);
  });

  it('registers every command when the words leave it open', () => {
    for (const argv of [
      [],
      ['--help'],
      ['-V'],
      ['tial'],
      ['help', 'tail'],
      ['completion', 'bash'],
      ['--bogus', 'tail'],
    ]) {
      expect(registered(argv), argv.join(' ')).toEqual(everyCommand);
    }
  });
});
