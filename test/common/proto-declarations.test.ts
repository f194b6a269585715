// The message tree of .proto text (the order Confluent's message-index array counts) against protoc's own
// descriptor of the same file: map entry types where their fields are declared, proto2 groups, nested
// messages at every depth, and the things a token scan could mistake for a declaration (a field called
// `message`, braces in comments, strings and option values).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapEntryName } from '../../src/common/proto-declarations.js';
import { parseProtobufFile } from '../../src/common/protobuf-schema.js';
import { hasProtoc } from '../helpers/interop.js';
import { protocDescriptor } from '../helpers/protobuf.js';

const protoc = hasProtoc();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-proto-decl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  'shop.proto': `syntax = "proto3";
package acme.shop;
// message Commented { } in a comment is no message
message Order {
  map<string, int32> item_counts = 1;
  message Line {
    map<int32, Line> sub_lines = 1;
    message Note { string text = 1; }
    map<string, Note> notes_by__author = 2;
  }
  string message = 2;            // a field called message
  oneof payment { string card = 3; string iban = 4; }
  enum Status { PLACED = 0; SHIPPED = 1; }
  map<string, string> labels = 5;
  message Audit { message Entry { string who = 1; } }
  reserved 9, 10;
}
message Empty {}
message Tail { map<string, bytes> x_1 = 1; message After {} }
`,
  'legacy.proto': `syntax = "proto2";
message Search {
  optional string query = 1 [default = "a { message Fake {"];
  repeated group Result = 2 {
    optional string url = 3;
    map<string, int32> hits = 4;
    message Snippet { optional string text = 1; }
  }
  map<int64, string> by_id = 5;
  optional group Paging = 6 { optional int32 page = 7; }
  message Inner {}
}
`,
};

describe('the message tree of .proto text', () => {
  it.runIf(protoc)('is the tree of protoc’s descriptor of the same file, map entries and groups included', () => {
    for (const [name, text] of Object.entries(FILES)) {
      const fromText = parseProtobufFile(text, name).messageTree;
      const fromProtoc = parseProtobufFile(protocDescriptor(dir, name, text), name).messageTree;
      expect(fromText, name).toEqual(fromProtoc);
    }
    // what the comparison covers: entries between nested messages, at depth, and groups
    const shop = parseProtobufFile(FILES['shop.proto']).messageTree;
    expect(shop[0].nested.map((m) => m.name.replace('acme.shop.Order.', ''))).toEqual([
      'ItemCountsEntry',
      'Line',
      'LabelsEntry',
      'Audit',
    ]);
    expect(shop[0].nested[1].nested.map((m) => m.name.replace('acme.shop.Order.Line.', ''))).toEqual([
      'SubLinesEntry',
      'Note',
      'NotesByAuthorEntry',
    ]);
    const legacy = parseProtobufFile(FILES['legacy.proto']).messageTree;
    expect(legacy[0].nested.map((m) => m.name)).toEqual([
      'Search.Result',
      'Search.ByIdEntry',
      'Search.Paging',
      'Search.Inner',
    ]);
  });

  it('names a map entry type as protoc does', () => {
    expect(mapEntryName('counts')).toBe('CountsEntry');
    expect(mapEntryName('item_counts')).toBe('ItemCountsEntry');
    expect(mapEntryName('notes_by__author')).toBe('NotesByAuthorEntry');
    expect(mapEntryName('x_1')).toBe('X1Entry');
    expect(mapEntryName('already_Upper')).toBe('AlreadyUpperEntry');
  });
});
