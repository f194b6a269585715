// `evt flow infer|check|show`: what an event system is expected to do, drafted from the cluster, held against
// it, or shown.

import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode, usageError } from '../src/cli/errors.js';
import { printJson, printLine, type CommandContext, type GlobalOptions, type Io } from '../src/cli/io.js';

interface InferFlags {
  topics?: string;
  pattern?: string;
  since: string;
  perPartition: string;
  output?: string;
  name?: string;
  force: boolean;
}

export function registerFlow(program: Command, { io, globals }: CommandContext): void {
  const flow = program
    .command('flow')
    .description(
      'what an event system is expected to do: infer a flow from the cluster, check one against it, show one',
    )
    .addHelpText(
      'after',
      `
A flow says, per topic, where the entity id lives ($key, $headers.<name> or a value path such as
$.parcel.id) and which event types the topic carries; which consumer group reacts to which type with
which answer (and within how long); and which types are final. evt trace, trace --stuck, replay
entities and the dashboard judge a system by it. evt reads its own flow files (JSON or YAML; flows/shop.json
is the bundled workflow's, the worked example) and AsyncAPI 2.x/3.x documents (channels or operations,
the Kafka bindings' groupId, messages' correlationId).

Examples:
  $ evt flow infer --output parcels.flow.json          a draft from the last hour of the cluster
  $ evt flow check parcels.flow.json                   exit 5 with what does not match the cluster
  $ evt flow show parcels.flow.json --format mermaid
  $ evt flow show shop                                 the bundled workflow's flow`,
    );

  flow
    .command('infer')
    .description(
      'sample the cluster and write a draft flow: ids that recur across topics, types, groups, steps, final types',
    )
    .option('--topics <list>', 'comma-separated topics to learn from (default: every topic)')
    .option('--pattern <regex>', 'the topics whose names match')
    .option('--since <time>', 'the window sampled: records from this time (ISO, epoch ms, -1h)', '-1h')
    .option('--per-partition <n>', 'records per partition at most (the most recent of the window)', '5000')
    .option('--name <name>', "the flow's name", 'inferred')
    .option('-o, --output <file>', 'write the flow file here (else print it on stdout)')
    .option('--force', 'overwrite --output if it exists', false)
    .addHelpText(
      'after',
      `
Values that recur across topics (keys, header values, JSON and Avro fields) are taken for the entity id,
where they span the most topics; types come from the conventions (ce_type, __TypeId__, a type field, the
Avro record name...); a consumer group's topics from its committed offsets; the steps from the order of
each entity's events and their delays; final types are those after which entities mostly end. The draft
gives verdicts as it is; its "notes" say what it is based on, to check and correct by hand.

Examples:
  $ evt flow infer --output flow.json
  $ evt flow infer --pattern '^logistics\\.' --since -6h --name parcels --output parcels.flow.json`,
    )
    .action(async (flags: InferFlags) => {
      await runInfer(flags, io, globals());
    });

  flow
    .command('check')
    .argument('<flow>', 'a flow file, AsyncAPI document or directory, or a bundled flow (shop)')
    .description('hold a flow against the cluster: exit 5 with what does not match')
    .option('--since <time>', 'the window sampled', '-1h')
    .option('--prefix <prefix>', "replace the flow's prefix of topic names and group ids")
    .addHelpText(
      'after',
      `
Mismatches (exit 5): a topic that does not exist, sampled records that mostly lack the id where the flow
says it is, a reaction's trigger type that no sampled record has, a group the cluster does not know or
that has committed nothing on a topic it is expected to react to. Warnings (exit 0): undeclared types, a
dead-letter topic not created yet, a topic with nothing in the window.

Examples:
  $ evt flow check parcels.flow.json
  $ evt flow check asyncapi/ --json | jq '.findings[] | select(.level == "mismatch")'`,
    )
    .action(async (spec: string, flags: { since: string; prefix?: string }) => {
      await runCheck(spec, flags, io, globals());
    });

  flow
    .command('show')
    .argument('<flow>', 'a flow file, AsyncAPI document or directory, or a bundled flow (shop)')
    .description(
      'print a flow: its topics, reactions and final types, as text, a Mermaid flowchart or an evt flow file',
    )
    .option('--format <format>', 'text, mermaid or json (an evt flow file; --json too)', 'text')
    .option('--prefix <prefix>', "replace the flow's prefix of topic names and group ids")
    .addHelpText(
      'after',
      `
Examples:
  $ evt flow show shop
  $ evt flow show asyncapi/ --format json > flow.json      AsyncAPI documents as an evt flow file
  $ evt flow show parcels.flow.json --format mermaid`,
    )
    .action(async (spec: string, flags: { format: string; prefix?: string }) => {
      await runShow(spec, flags, io, globals());
    });
}

async function load(spec: string, prefix?: string) {
  const { loadFlow } = await import('../src/flow/load.js');
  const { FlowError } = await import('../src/flow/model.js');
  try {
    return await loadFlow(spec, { prefix });
  } catch (err) {
    if (err instanceof FlowError) throw usageError(err.message);
    throw err;
  }
}

async function runShow(
  spec: string,
  flags: { format: string; prefix?: string },
  io: Io,
  g: GlobalOptions,
): Promise<void> {
  const format = g.json ? 'json' : flags.format;
  if (!['text', 'mermaid', 'json'].includes(format))
    throw usageError(`--format must be text, mermaid or json, not ${flags.format}`);
  const flow = await load(spec, flags.prefix);
  if (format === 'json') {
    const { flowToFile, flowJson } = await import('../src/flow/model.js');
    return printLine(io.stdout, flowJson(flowToFile(flow)));
  }
  const { flowText, flowMermaid } = await import('../src/flow/render.js');
  for (const line of format === 'mermaid' ? flowMermaid(flow) : flowText(flow)) printLine(io.stdout, line);
}

async function runInfer(flags: InferFlags, io: Io, g: GlobalOptions): Promise<void> {
  const { parseTime } = await import('../src/cli/time-spec.js');
  const { parseInteger } = await import('../src/common/parse.js');
  const since = parseTime(flags.since, Date.now(), '--since');
  const perPartition = parseInteger(flags.perPartition, '--per-partition', { min: 1, max: 1_000_000 });
  if (flags.topics !== undefined && flags.pattern !== undefined)
    throw usageError('give --topics or --pattern, not both');
  let pattern: RegExp | undefined;
  if (flags.pattern !== undefined) {
    try {
      pattern = new RegExp(flags.pattern);
    } catch (err) {
      throw usageError(`--pattern: ${(err as Error).message}`);
    }
  }
  const output = flags.output ? path.resolve(flags.output) : null;
  if (output && fs.existsSync(output) && !flags.force)
    throw usageError(`${flags.output} exists: give --force to overwrite it, or another --output`);
  const { openSession, toCliError } = await import('../src/cli/session.js');
  const session = await openSession(io, g);
  try {
    const { isInternalTopic } = await import('../src/flow/conventions.js');
    const existing = await session.cluster.topicNames();
    const topics = flags.topics
      ? flags.topics
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : existing.filter((t) => !isInternalTopic(t) && (!pattern || pattern.test(t)));
    const missing = topics.filter((t) => !existing.includes(t));
    if (missing.length) throw new CliError(`no such topic: ${missing.join(', ')}`, ExitCode.NOT_FOUND);
    if (topics.length === 0)
      throw new CliError(
        pattern ? `no topic matches ${flags.pattern}` : 'the cluster has no topics to learn from',
        ExitCode.NOT_FOUND,
      );
    const { autoDecoder } = await import('../src/codec/registry-codec.js');
    const { inferFlow } = await import('../src/flow/infer.js');
    const report = await inferFlow({
      cluster: session.cluster,
      codec: await autoDecoder(io.env, g, io.cwd),
      topics,
      since,
      perPartition,
      name: flags.name,
    });
    const { flowToFile, flowJson } = await import('../src/flow/model.js');
    const text = flowJson(flowToFile(report.flow)) + '\n';
    const sampled = Object.values(report.sampled).reduce((n, x) => n + x, 0);
    const summary = `flow ${report.flow.name}: ${report.flow.topics.length} topics, ${report.flow.reactions.length} reactions, final ${report.flow.final.join(', ') || 'none'}; from ${sampled} records, ${report.entities} ${report.flow.entity}s followed`;
    if (output) {
      // written whole or not at all
      const tmp = `${output}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, output);
      if (g.json)
        printJson(io, {
          file: output,
          flow: flowToFile(report.flow),
          sampled: report.sampled,
          entities: report.entities,
        });
      else
        printLine(
          io.stderr,
          `evt flow infer: ${summary}; written to ${flags.output} (check its notes, then: evt flow check ${flags.output})`,
        );
    } else {
      io.stdout.write(text);
      printLine(io.stderr, `evt flow infer: ${summary}`);
    }
  } catch (err) {
    throw toCliError(err, session.settings);
  } finally {
    session.cluster.close();
  }
}

async function runCheck(
  spec: string,
  flags: { since: string; prefix?: string },
  io: Io,
  g: GlobalOptions,
): Promise<void> {
  const { parseTime } = await import('../src/cli/time-spec.js');
  const since = parseTime(flags.since, Date.now(), '--since');
  const flow = await load(spec, flags.prefix);
  const { openSession, toCliError } = await import('../src/cli/session.js');
  const session = await openSession(io, g);
  try {
    const { autoDecoder } = await import('../src/codec/registry-codec.js');
    const { checkFlow } = await import('../src/flow/check.js');
    const report = await checkFlow({
      cluster: session.cluster,
      codec: await autoDecoder(io.env, g, io.cwd),
      flow,
      since,
    });
    if (g.json) printJson(io, report);
    else {
      for (const f of report.findings)
        printLine(io.stdout, `${f.level === 'mismatch' ? 'MISMATCH' : 'warning '}  ${f.subject}: ${f.message}`);
      if (report.ok)
        printLine(
          io.stderr,
          `evt flow check: ${flow.name} matches the cluster${report.findings.length ? ` (${report.findings.length} warning${report.findings.length === 1 ? '' : 's'})` : ''}`,
        );
    }
    const mismatches = report.findings.filter((f) => f.level === 'mismatch').length;
    if (!report.ok)
      throw new CliError(
        `flow ${flow.name} does not match the cluster: ${mismatches} mismatch${mismatches === 1 ? '' : 'es'}`,
        ExitCode.EXPECTATION,
      );
  } catch (err) {
    throw toCliError(err, session.settings);
  } finally {
    session.cluster.close();
  }
}
