// Where connection settings come from: flags > environment > project file > user profiles > default, as
// `evt config show` reports it and as commands really connect; profiles written by `evt config set`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker/broker.js';
import { startTestBroker } from '../helpers/broker.js';
import { evt, json, sandbox } from '../helpers/admin.js';
import { unusedPort } from '../helpers/ports.js';

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startTestBroker({ inMemory: true });
});
afterAll(async () => {
  await broker?.close();
});

type Shown = {
  profile: { name: string; selectedBy: string; used: boolean } | null;
  settings: Record<string, { value: string; source: string }>;
  notes: string[];
};

describe('evt config', () => {
  it('uses the default 127.0.0.1:9092 when nothing is configured', async () => {
    const sb = sandbox();
    const r = await evt(['config', 'show', '--json'], { sb });
    expect(r.code).toBe(0);
    const shown = json<Shown>(r);
    expect(shown.profile).toBeNull();
    expect(shown.settings.brokers).toEqual({ value: '127.0.0.1:9092', source: 'default' });
    expect(shown.settings.timeout).toEqual({ value: '10s', source: 'default' });
  });

  it('set writes the user file (XDG_CONFIG_HOME, mode 0600) and the first profile becomes the default', async () => {
    const sb = sandbox();
    const r = await evt(['config', 'set', 'local', '--brokers', '10.0.0.1:9092,10.0.0.2:9092', '--client-id', 'me'], {
      sb,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created profile local');
    expect(fs.statSync(sb.userFile).mode & 0o777).toBe(0o600);
    const file = JSON.parse(fs.readFileSync(sb.userFile, 'utf8'));
    expect(file).toEqual({
      profile: 'local',
      profiles: { local: { brokers: ['10.0.0.1:9092', '10.0.0.2:9092'], clientId: 'me' } },
    });
    // no temporary files left behind
    expect(fs.readdirSync(path.dirname(sb.userFile))).toEqual(['config.json']);

    const shown = json<Shown>(await evt(['config', 'show', '--json'], { sb }));
    expect(shown.profile).toMatchObject({ name: 'local', used: true });
    expect(shown.settings.brokers.value).toBe('10.0.0.1:9092,10.0.0.2:9092');
    expect(shown.settings.brokers.source).toMatch(/^profile local \(.*config\.json\)$/);
    expect(shown.settings.clientId).toMatchObject({ value: 'me' });

    // an update changes only what it names
    expect((await evt(['config', 'set', 'local', '--timeout', '30s'], { sb })).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(sb.userFile, 'utf8')).profiles.local).toEqual({
      brokers: ['10.0.0.1:9092', '10.0.0.2:9092'],
      clientId: 'me',
      timeout: '30s',
    });
  });

  it('follows the precedence flag > environment > project file > user profile', async () => {
    const sb = sandbox();
    expect((await evt(['config', 'set', 'user-p', '--brokers', 'user:1'], { sb })).code).toBe(0);
    const brokersOf = async (args: string[], env: NodeJS.ProcessEnv = {}, cwd = sb.cwd) =>
      json<Shown>(await evt([...args, 'config', 'show', '--json'], { sb, env, cwd })).settings.brokers;

    expect(await brokersOf([])).toMatchObject({ value: 'user:1', source: expect.stringMatching(/^profile user-p/) });

    // a project file in a parent directory beats the user file
    const project = path.join(sb.cwd, 'project');
    const sub = path.join(project, 'src', 'deep');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(
      path.join(project, 'evt.config.json'),
      JSON.stringify({ profile: 'proj', profiles: { proj: { brokers: ['project:2'] } } }),
    );
    expect(await brokersOf([], {}, sub)).toMatchObject({
      value: 'project:2',
      source: expect.stringMatching(/^profile proj \(.*evt\.config\.json\)$/),
    });

    // the environment beats the project file; the flag beats the environment
    expect(await brokersOf([], { EVT_BROKERS: 'env:3' }, sub)).toEqual({ value: 'env:3', source: 'EVT_BROKERS' });
    expect(await brokersOf(['--brokers', 'flag:4'], { EVT_BROKERS: 'env:3' }, sub)).toEqual({
      value: 'flag:4',
      source: '--brokers',
    });

    // --profile and EVT_PROFILE pick another profile (the user one, from inside the project)
    expect(await brokersOf(['--profile', 'user-p'], {}, sub)).toMatchObject({ value: 'user:1' });
    expect(await brokersOf([], { EVT_PROFILE: 'user-p' }, sub)).toMatchObject({ value: 'user:1' });

    // timeouts: flag > env > profile > default
    await evt(['config', 'set', 'user-p', '--timeout', '25s'], { sb });
    const timeoutOf = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
      json<Shown>(await evt([...args, 'config', 'show', '--json'], { sb, env })).settings.timeout;
    expect(await timeoutOf([])).toMatchObject({ value: '25s', source: expect.stringMatching(/^profile user-p/) });
    expect(await timeoutOf([], { EVT_TIMEOUT: '7s' })).toEqual({ value: '7s', source: 'EVT_TIMEOUT' });
    expect(await timeoutOf(['--timeout', '3s'], { EVT_TIMEOUT: '7s' })).toEqual({ value: '3s', source: '--timeout' });
  });

  it('sets a default profile aside when the brokers come from the environment, unless it is asked for', async () => {
    const sb = sandbox();
    await evt(
      [
        'config',
        'set',
        'prod',
        '--brokers',
        'prod:9093',
        '--sasl-mechanism',
        'scram-sha-512',
        '--sasl-username',
        'ops',
        '--sasl-password',
        'env:PROD_PW',
      ],
      { sb },
    );
    const plain = json<Shown>(await evt(['config', 'show', '--json'], { sb, env: { EVT_BROKERS: 'local:9092' } }));
    expect(plain.profile).toMatchObject({ name: 'prod', used: false });
    expect(plain.settings['sasl.mechanism']).toBeUndefined();
    expect(plain.notes.join(' ')).toContain('not used');

    const asked = json<Shown>(
      await evt(['--profile', 'prod', 'config', 'show', '--json'], { sb, env: { EVT_BROKERS: 'local:9092' } }),
    );
    expect(asked.settings.brokers).toEqual({ value: 'local:9092', source: 'EVT_BROKERS' });
    expect(asked.settings['sasl.mechanism']).toMatchObject({ value: 'scram-sha-512' });
  });

  it('never prints secrets: passwords are masked, env references name the variable only', async () => {
    const sb = sandbox();
    const set = await evt(
      [
        'config',
        'set',
        'lit',
        '--brokers',
        'h:1',
        '--sasl-mechanism',
        'plain',
        '--sasl-username',
        'alice',
        '--sasl-password',
        's3cret-literal',
      ],
      { sb },
    );
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('plain text');
    await evt(
      [
        'config',
        'set',
        'ref',
        '--brokers',
        'h:2',
        '--sasl-mechanism',
        'scram-sha-256',
        '--sasl-username',
        'bob',
        '--sasl-password',
        'env:BOB_PW',
      ],
      { sb },
    );

    for (const args of [
      ['config', 'show', 'lit'],
      ['config', 'show', 'lit', '--json'],
      ['config', 'list'],
      ['config', 'list', '--json'],
    ]) {
      const r = await evt(args, { sb });
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('s3cret-literal');
    }
    const human = await evt(['config', 'show', 'lit'], { sb });
    expect(human.stdout).toMatch(/sasl\.password\s+\*\*\*\*\s+profile lit/);

    const withEnv = json<Shown>(await evt(['config', 'show', 'ref', '--json'], { sb, env: { BOB_PW: 'hunter2' } }));
    expect(withEnv.settings['sasl.password']).toEqual({
      value: '****',
      source: expect.stringMatching(/^profile ref .* via \$BOB_PW$/),
    });
    const fromEnv = await evt(['config', 'show', '--json'], {
      sb,
      env: { EVT_SASL_PASSWORD: 'topsecret', EVT_SASL_USERNAME: 'x', EVT_SASL_MECHANISM: 'plain' },
    });
    expect(fromEnv.stdout).not.toContain('topsecret');
    expect(json<Shown>(fromEnv).settings['sasl.password']).toEqual({ value: '****', source: 'EVT_SASL_PASSWORD' });
  });

  it('list marks the profile in use; use switches the default; unknown profiles are usage errors', async () => {
    const sb = sandbox();
    await evt(['config', 'set', 'a', '--brokers', 'a:1'], { sb });
    await evt(['config', 'set', 'b', '--brokers', 'b:1', '--tls'], { sb });
    let list = await evt(['config', 'list'], { sb });
    expect(list.stdout).toMatch(/^\*\s+a\s+a:1/m);
    expect(list.stdout).toMatch(/^\s+b\s+b:1\s+tls/m);

    const use = await evt(['config', 'use', 'b'], { sb });
    expect(use.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(sb.userFile, 'utf8')).profile).toBe('b');
    list = await evt(['config', 'list', '--json'], { sb });
    expect(json(list).active).toBe('b');

    const bad = await evt(['config', 'use', 'nope'], { sb });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^evt: profile "nope" does not exist \(known: a, b\)\n$/);
    const badFlag = await evt(['--profile', 'nope', 'topics', 'list'], { sb });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^evt: profile "nope" \(from --profile\) does not exist; known profiles: a, b\n$/);
  });

  it('set --project writes evt.config.json in the working directory', async () => {
    const sb = sandbox();
    const r = await evt(['config', 'set', 'team', '--project', '--brokers', 'team:9092', '--tls-ca', 'certs/ca.pem'], {
      sb,
    });
    expect(r.code).toBe(0);
    const file = JSON.parse(fs.readFileSync(path.join(sb.cwd, 'evt.config.json'), 'utf8'));
    expect(file).toEqual({
      profile: 'team',
      profiles: { team: { brokers: ['team:9092'], tls: { ca: path.join('certs', 'ca.pem') } } },
    });
    expect(fs.existsSync(sb.userFile)).toBe(false);
    const shown = json<Shown>(await evt(['config', 'show', '--json'], { sb }));
    expect(shown.settings['tls.ca'].value).toBe(path.join('certs', 'ca.pem'));
  });

  it('commands connect with the resolved settings: profile, then environment over profile', async () => {
    const sb = sandbox();
    await evt(['config', 'set', 'test', '--brokers', broker.bootstrap], { sb });
    const viaProfile = await evt(['status', '--json'], { sb });
    expect(viaProfile.code).toBe(0);
    expect(json(viaProfile).brokers[0].port).toBe(broker.port);

    // a profile pointing nowhere loses to EVT_BROKERS
    await evt(['config', 'set', 'test', '--brokers', `127.0.0.1:${await unusedPort()}`], { sb });
    const viaEnv = await evt(['status', '--json'], { sb, env: { EVT_BROKERS: broker.bootstrap } });
    expect(viaEnv.code).toBe(0);
    const dead = await evt(['--timeout', '1s', 'status'], { sb });
    expect(dead.code).toBe(3);
    expect(dead.stderr).toMatch(
      /^evt: cannot connect to 127\.0\.0\.1:\d+ \(from profile test\): connection refused \(tried for 1s\)\n$/,
    );
  });

  it('a password read from an unset variable is a usage error naming the variable', async () => {
    const sb = sandbox();
    await evt(
      [
        'config',
        'set',
        'p',
        '--brokers',
        broker.bootstrap,
        '--sasl-mechanism',
        'plain',
        '--sasl-username',
        'u',
        '--sasl-password',
        'env:MISSING_PW',
      ],
      { sb },
    );
    const r = await evt(['topics', 'list'], { sb });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\$MISSING_PW, which is not set/);
  });

  it('SASL settings reach the broker: one that offers no SASL is an authentication failure (exit 1), not a hang', async () => {
    const sb = sandbox();
    const r = await evt(['--brokers', broker.bootstrap, '--timeout', '2s', 'status'], {
      sb,
      env: { EVT_SASL_MECHANISM: 'scram-sha-256', EVT_SASL_USERNAME: 'ops', EVT_SASL_PASSWORD: 'pw-not-printed' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `evt: authentication to ${broker.bootstrap} (from --brokers) failed (SASL SCRAM-SHA-256 as ops): the broker does not offer SASL on this listener\n`,
    );
  });

  it('a broken config file is named in a one-line usage error', async () => {
    const sb = sandbox();
    fs.mkdirSync(path.dirname(sb.userFile), { recursive: true });
    fs.writeFileSync(sb.userFile, '{ not json');
    const r = await evt(['config', 'show'], { sb });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evt: .*config\.json: not valid JSON .*\n$/);
  });
});
