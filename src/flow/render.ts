// `evt flow show`: a flow as people read it (its topics, who reacts to what with what, what is final), or as a
// Mermaid flowchart of its event types with the groups on the edges.

import { formatDuration } from '../common/time.js';
import { formatIdLocation, type Flow } from './model.js';

export function flowText(flow: Flow): string[] {
  const lines = [
    `flow ${flow.name}: ${flow.entity}s (${flow.source})${flow.prefix ? `, prefix ${flow.prefix}` : ''}`,
    '',
    'topics',
  ];
  const width = Math.max(...flow.topics.map((t) => t.name.length), 5);
  for (const t of flow.topics) {
    const where = t.deadLetter
      ? 'dead letters'
      : t.idAt.length
        ? `id at ${t.idAt.map(formatIdLocation).join(' or ')}`
        : 'id anywhere';
    const type = t.typeAt ? `; type at ${formatIdLocation(t.typeAt)}` : '';
    lines.push(`  ${t.name.padEnd(width)}  ${where}${type}${t.types.length ? `; ${t.types.join(', ')}` : ''}`);
  }
  lines.push('', 'reactions');
  if (!flow.reactions.length)
    lines.push('  none: nothing says what should follow what (verdicts can only say where the newest event stands)');
  for (const r of flow.reactions) {
    // a join names its triggers twice (any of them triggers it, all of them are required): said once
    const join = r.on.length > 1 && r.on.every((t) => r.requires.some((x) => x.length === 1 && x[0] === t));
    const on = join ? `all of ${r.on.join(', ')}` : r.on.join(' or ');
    const rest = join ? r.requires.filter((x) => !(x.length === 1 && r.on.includes(x[0]))) : r.requires;
    const requires = rest.length ? ` once ${rest.map((x) => x.join(' or ')).join(' and ')}` : '';
    const unless = r.unless.length ? ` unless ${r.unless.join(' or ')}` : '';
    const how = r.timer ? 'after a timer of its own' : 'on consuming it';
    const group =
      r.groups.length === 1
        ? r.service !== r.groups[0]
          ? `${r.service} (group ${r.groups[0]})`
          : r.groups[0]
        : `one of ${r.groups.join(', ')}`;
    const within = r.withinMs !== null ? ` within ${formatDuration(r.withinMs, 'exact')}` : '';
    lines.push(
      `  ${on}${requires}${unless} -> ${group} ${how} -> ${r.answers.join(' or ')}${within}${r.followUp ? ' (owed even when final)' : ''}`,
    );
  }
  lines.push('', `final: ${flow.final.join(', ') || 'none declared'}`);
  const states = Object.entries(flow.states);
  if (states.length) lines.push(`states: ${states.map(([t, s]) => `${t}=${s}`).join(', ')}`);
  const reasons = Object.entries(flow.reasons);
  if (reasons.length) lines.push(`reasons: ${reasons.map(([t, p]) => `${t} at ${p.text}`).join(', ')}`);
  if (flow.notes.length) lines.push('', 'notes', ...flow.notes.map((n) => `  ${n}`));
  return lines;
}

/** A Mermaid flowchart: event types as nodes (final ones doubled), reactions as edges labelled with the group. */
export function flowMermaid(flow: Flow): string[] {
  const ids = new Map<string, string>();
  const node = (type: string) => {
    let id = ids.get(type);
    if (!id) ids.set(type, (id = `t${ids.size}`));
    return id;
  };
  const label = (s: string) => s.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  const types = [...new Set([...flow.reactions.flatMap((r) => [...r.on, ...r.answers]), ...flow.final])];
  for (const t of types)
    lines.push(flow.final.includes(t) ? `  ${node(t)}(["${label(t)}"])` : `  ${node(t)}["${label(t)}"]`);
  for (const r of flow.reactions) {
    const by = `${r.groups.length === 1 ? r.service : r.groups.join(' / ')}${r.timer ? ' (timer)' : ''}${r.withinMs !== null ? `, ${formatDuration(r.withinMs, 'exact')}` : ''}`;
    for (const on of r.on) for (const a of r.answers) lines.push(`  ${node(on)} -->|"${label(by)}"| ${node(a)}`);
  }
  return lines;
}
