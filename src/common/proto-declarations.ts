// The messages a .proto file declares, nested ones included, in the order protoc's descriptor lists them: a
// map field makes a nested entry type (`map<string, int32> item_counts` makes `ItemCountsEntry`) at the place
// the field is declared, and a proto2 group a nested type of its own name. Confluent's message-index array
// counts in that order, and protobufjs' reflection keeps neither the entry types nor where a map field sat
// among the nested messages, so the order is read from the file's tokens (protobufjs' own tokenizer: comments
// and string literals are handled there).

import protobuf from 'protobufjs';

export interface DeclaredMessage {
  /** full name, no leading dot */
  name: string;
  /** a map field's entry type, which protoc makes and protobufjs does not */
  mapEntry: boolean;
  nested: DeclaredMessage[];
}

/** protoc's name for a map field's entry type: `item_counts` -> `ItemCountsEntry` (MapEntryName in its parser). */
export function mapEntryName(fieldName: string): string {
  return fieldName.replace(/(?:^|_+)([a-z]?)/g, (_, c: string) => c.toUpperCase()) + 'Entry';
}

const IDENTIFIER = /^[A-Za-z_][\w]*$/;

/**
 * The top-level messages of `text` with what they nest, in declaration order. Only the shape is read: a file
 * that does not parse gives whatever its tokens suggest, so the caller checks the result against the parse.
 */
export function declaredMessages(text: string): DeclaredMessage[] {
  const tokens = protobuf.tokenize(text, false);
  const top: DeclaredMessage[] = [];
  let pkg = '';
  /** what each open brace opened: a message (its node) or anything else (enum, oneof, service, an option's value) */
  const open: (DeclaredMessage | null)[] = [];
  let opening: DeclaredMessage | null = null;
  const enclosing = () => {
    for (let i = open.length - 1; i >= 0; i--) if (open[i]) return open[i];
    return null;
  };
  const declare = (name: string, mapEntry: boolean): DeclaredMessage => {
    const parent = enclosing();
    const prefix = parent ? `${parent.name}.` : pkg ? `${pkg}.` : '';
    const node = { name: prefix + name, mapEntry, nested: [] };
    (parent ? parent.nested : top).push(node);
    return node;
  };
  for (let token = tokens.next(); token !== null; token = tokens.next()) {
    if (token === '{') {
      open.push(opening);
      opening = null;
    } else if (token === '}') {
      open.pop();
    } else if (token === 'package' && open.length === 0) {
      for (let part = tokens.next(); part !== null && part !== ';'; part = tokens.next()) pkg += part;
    } else if (token === 'message' || token === 'group') {
      // a declaration is the keyword, a name and then a brace (a group: its label, number and options first);
      // anything else is a field or a type that happens to be called so
      const name = tokens.peek();
      if (name === null || !IDENTIFIER.test(name)) continue;
      tokens.next();
      if (token === 'message' ? tokens.peek() === '{' : tokens.peek() === '=') opening = declare(name, false);
    } else if (token === 'map' && tokens.peek() === '<' && enclosing()) {
      let t = tokens.next();
      while (t !== null && t !== '>') t = tokens.next();
      const field = tokens.next();
      if (field !== null && IDENTIFIER.test(field)) declare(mapEntryName(field), true);
    }
  }
  return top;
}
