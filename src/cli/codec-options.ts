// A command's --value-format, --schema (and --message) as a value codec.

import { createValueCodec } from '../codec/create-codec.js';
import { CodecError, type ValueCodec, type ValueFormat } from '../codec/value-codec.js';
import { usageError } from './errors.js';

/** `createValueCodec` for a command's options: a codec that cannot be made (no or bad schema) is a usage error. */
export async function valueCodecForOptions(
  format: ValueFormat,
  schemaFile: string | undefined,
  message?: string,
): Promise<ValueCodec> {
  try {
    return await createValueCodec(format, { schemaFile, message });
  } catch (err) {
    if (err instanceof CodecError) {
      throw usageError(err.message);
    }
    throw err;
  }
}
