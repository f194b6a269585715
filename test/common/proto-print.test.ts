// .proto text printed from a descriptor (what `evt schema get` shows for a schema registered as base64) is the
// same file to protoc: compiled, printed and compiled again, the two FileDescriptorProtos are equal, field by
// field, nested types in the same order (so message indexes hold), for files unlike each other in every way
// the printer has a branch for.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import descriptor from 'protobufjs/ext/descriptor.js';
import { afterAll, describe, expect, it } from 'vitest';
import { printProto } from '../../src/common/proto-print.js';
import { isSerializedDescriptor } from '../../src/common/protobuf-schema.js';
import { hasProtoc } from '../helpers/interop.js';
import { protocDescriptor } from '../helpers/protobuf.js';

const protoc = hasProtoc();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evt-proto-print-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  'money.proto': `syntax = "proto3";
package acme.common;
message Money { string currency = 1; int64 units = 2; }
enum Unit { UNIT_UNSPECIFIED = 0; PIECE = 1; }
`,
  'shop.proto': `syntax = "proto3";
package acme.shop;
import "money.proto";
import public "google/protobuf/timestamp.proto";
option java_package = "com.acme.shop";
option java_multiple_files = true;
option optimize_for = SPEED;
option go_package = "acme/shop;shop";

message Order {
  option deprecated = true;
  string order_id = 1;
  map<string, int32> item_counts = 2;
  message Line {
    map<int32, Line> sub_lines = 1;
    message Note { string text = 1 [deprecated = true]; }
    acme.common.Money price = 2;
    repeated int32 codes = 3 [packed = false];
  }
  repeated Line lines = 3;
  oneof payment {
    string card = 4;
    string iban = 5 [json_name = "IBAN"];
    Line first_line = 11;
  }
  optional string coupon = 6;
  google.protobuf.Timestamp placed_at = 7;
  enum Status {
    option allow_alias = true;
    STATUS_UNSPECIFIED = 0;
    PLACED = 1;
    OPEN = 1 [deprecated = true];
    reserved 5 to 9, 20;
    reserved "OLD";
  }
  Status status = 8;
  map<string, acme.common.Money> totals = 9;
  message Audit { message Entry { string who = 1; } repeated Entry entries = 1; }
  int64 big = 10 [jstype = JS_STRING];
  reserved 12, 15 to 17, 1000 to max;
  reserved "legacy", "old_total";
}

message Empty {}

service Orders {
  rpc Place (Order) returns (Order);
  rpc Watch (Order) returns (stream Order) { option deprecated = true; }
  rpc Upload (stream Order.Line) returns (Empty);
}
`,
  'legacy.proto': `syntax = "proto2";
package legacy;
message Search {
  required string query = 1 [default = "a \\"quoted\\" { brace"];
  optional int32 page = 2 [default = -3];
  optional double ratio = 3 [default = inf];
  optional bytes magic = 4 [default = "\\001\\377x"];
  optional Kind kind = 5 [default = FULL];
  optional bool exact = 6 [default = true];
  repeated group Result = 7 {
    optional string url = 8;
    map<string, int32> hits = 9;
    message Snippet { optional string text = 1; }
  }
  map<int64, string> by_id = 10;
  optional group Paging = 11 { optional int32 size = 12; }
  oneof scope {
    string site = 13;
    group Region = 14 { optional string code = 15; }
  }
  enum Kind { FULL = 1; BRIEF = 2; }
  extensions 100 to 199, 1000 to max;
  extend Search { optional string note = 100; }
}
extend Search {
  optional int32 priority = 101;
  repeated string labels = 102;
}
message Plain { optional uint64 n = 1; optional sint32 s = 2; optional fixed64 f = 3; optional sfixed32 g = 4; }
`,
};

/** The descriptor as plain fields, for a comparison that names the field that differs. */
const fields = (base64: string) =>
  descriptor.FileDescriptorProto.toObject(descriptor.FileDescriptorProto.decode(Buffer.from(base64, 'base64')));

describe('printProto', () => {
  it.runIf(protoc)('prints what protoc compiles back to the same descriptor', () => {
    for (const [name, text] of Object.entries(FILES)) {
      const compiled = protocDescriptor(dir, name, text);
      const printed = printProto(compiled)!;
      const again = protocDescriptor(dir, name, printed);
      expect(fields(again), `${name} printed as:\n${printed}`).toEqual(fields(compiled));
    }
  });

  it.runIf(protoc)('prints a map where its field is, a group in its place and one file as a reader expects', () => {
    const printed = printProto(protocDescriptor(dir, 'legacy.proto', FILES['legacy.proto']))!;
    expect(printed).toContain(
      '  repeated group Result = 7 {\n    optional string url = 8;\n    map<string, int32> hits = 9;',
    );
    expect(printed).toContain('  oneof scope {\n    string site = 13;\n    group Region = 14 {');
    expect(printed).toContain('required string query = 1 [default = "a \\"quoted\\" { brace"];');
    expect(printed).toContain('extensions 100 to 199;\n  extensions 1000 to max;');
    expect(printed).not.toContain('ResultEntry');
    expect(printed).not.toContain('HitsEntry');
  });

  it('tells a serialized descriptor from .proto text', () => {
    expect(isSerializedDescriptor('CgVhLnByb3RvEgFh')).toBe(true);
    expect(isSerializedDescriptor('syntax = "proto3";\nmessage A {}')).toBe(false);
  });
});
