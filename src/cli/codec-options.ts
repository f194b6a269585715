// A command's --value-format and --schema as a value codec.

import { createValueCodec } from '../codec/create-codec.js';
import { CodecError, type ValueCodec, type ValueFormat } from '../codec/value-codec.js';
import { usageError } from './errors.js';

/** `createValueCodec` for a command's options: a codec that cannot be made (no or bad schema) is a usage error. */
export async function valueCodecForOptions(format: ValueFormat, schemaFile: string | undefined): Promise<ValueCodec> {
  try {
    return await createValueCodec(format, { schemaFile });
  } catch (err) {
    if (err instanceof CodecError) {
      throw usageError(err.message);
    }
    throw err;
  }
}
