// The value codec a format names. Avro's (and avsc) is loaded only when Avro is asked for.

import { autoCodec, CodecError, jsonCodec, stringCodec, type ValueCodec, type ValueFormat } from './value-codec.js';

export async function createValueCodec(
  format: ValueFormat,
  options: { schemaFile?: string } = {},
): Promise<ValueCodec> {
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
  }
}
