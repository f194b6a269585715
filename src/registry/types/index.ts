// The schema types the registry serves, by the API's `schemaType` name.

import { avroProvider } from './avro.js';
import { jsonSchemaProvider } from './json-schema.js';
import type { SchemaProvider, SchemaType } from './provider.js';
import { protobufProvider } from './protobuf.js';

export const PROVIDERS: Record<SchemaType, SchemaProvider> = {
  AVRO: avroProvider,
  PROTOBUF: protobufProvider,
  JSON: jsonSchemaProvider,
};

export {
  SCHEMA_TYPES,
  isSchemaType,
  type SchemaType,
  type SchemaReference,
  type ResolvedReference,
  type ParsedSchema,
} from './provider.js';
