// The value codec a format names. Avro's (avsc), Protobuf's (protobufjs) and JSON Schema's (Ajv) libraries
// are loaded only when that format is asked for.

import { autoCodec, CodecError, jsonCodec, stringCodec, type ValueCodec, type ValueFormat } from './value-codec.js';

export interface CodecOptions {
  schemaFile?: string;
  /** --message: the Protobuf message (default: the file's first) */
  message?: string;
}

export async function createValueCodec(format: ValueFormat, options: CodecOptions = {}): Promise<ValueCodec> {
  switch (format) {
    case 'auto':
      return autoCodec;
    case 'string':
      return stringCodec;
    case 'json':
      return jsonCodec;
    case 'avro': {
      if (!options.schemaFile) throw new CodecError('--value-format avro needs --schema <file.avsc>');
      const { avroCodecFromFile } = await import('./avro.js');
      return avroCodecFromFile(options.schemaFile);
    }
    case 'protobuf': {
      if (!options.schemaFile) throw new CodecError('--value-format protobuf needs --schema <file.proto>');
      const [{ readProtoFiles }, { buildProtobufSchema }, { messageOf, protobufCodec }] = await Promise.all([
        import('./schema-files.js'),
        import('./protobuf-schema.js'),
        import('./protobuf-codec.js'),
      ]);
      const files = readProtoFiles(options.schemaFile);
      const schema = buildProtobufSchema(files.main, files.imports, options.schemaFile);
      const { type, path } = messageOf(schema, options.message, options.schemaFile);
      return protobufCodec(schema, type, path);
    }
    case 'json-schema': {
      if (!options.schemaFile) throw new CodecError('--value-format json-schema needs --schema <file.json>');
      const [{ readText }, { compileJsonSchema, jsonSchemaCodec }] = await Promise.all([
        import('./schema-files.js'),
        import('./json-schema-codec.js'),
      ]);
      const text = readText(options.schemaFile, 'JSON Schema');
      return jsonSchemaCodec(compileJsonSchema(text, new Map(), options.schemaFile));
    }
  }
}
