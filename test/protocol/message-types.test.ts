// The message types derived from the descriptions (src/protocol/message-types.ts) say what the codec does:
// checked by the compiler (`npx tsc -p tsconfig.check.json`), the assertions below are no-ops at run time.
// That decoded values are what these types promise (numbers for int64, Buffers for bytes, every field present,
// defaults for absent fields) is checked at run time by roundtrip.test.ts and the byte fixtures.

import { describe, expectTypeOf, it } from 'vitest';
import type {
  DecodedRequest,
  DecodedResponse,
  EncodableRequest,
  EncodableResponse,
} from '../../src/protocol/message-types.js';
import * as messages from '../../src/protocol/messages/index.js';
import type {
  API_VERSIONS,
  ApiVersionsResponse,
  CreatePartitionsRequest,
  DeleteTopicsResponse,
  FetchRequest,
  FetchResponse,
  HeartbeatRequest,
  JoinGroupResponse,
  LEAVE_GROUP,
  LIST_GROUPS,
  ListOffsetsResponse,
  METADATA,
  MetadataRequest,
  MetadataResponse,
  PRODUCE,
  ProduceRequest,
  SyncGroupRequest,
} from '../../src/protocol/messages/index.js';
import type { ApiSpec, Struct } from '../../src/protocol/schema.js';
import type { SASL_AUTHENTICATE, SASL_HANDSHAKE } from '../../src/client/wire/sasl-messages.js';

type Partition<T extends { partitions: unknown[] }> = T['partitions'][number];

describe('scalars are typed as the decoder produces them', () => {
  it('maps ints, int64, bool, string, bytes and records', () => {
    expectTypeOf<HeartbeatRequest>().toEqualTypeOf<{
      groupId: string;
      generationId: number;
      memberId: string;
      groupInstanceId: string | null;
    }>();
    // int64 is a number: the reader refuses values beyond 2^53
    expectTypeOf<ListOffsetsResponse['topics'][number]['partitions'][number]['offset']>().toEqualTypeOf<number>();
    expectTypeOf<MetadataRequest['allowAutoTopicCreation']>().toEqualTypeOf<boolean>();
    expectTypeOf<SyncGroupRequest['assignments'][number]['assignment']>().toEqualTypeOf<Buffer>();
    // a record set is read as nullable in every version
    expectTypeOf<Partition<FetchResponse['responses'][number]>['records']>().toEqualTypeOf<Buffer | null>();
    expectTypeOf<ProduceRequest['topicData'][number]['partitionData'][number]>().toEqualTypeOf<{
      index: number;
      records: Buffer | null;
    }>();
  });

  it('maps arrays of scalars, arrays of structs and nullable arrays', () => {
    expectTypeOf<ListOffsetsResponse['topics'][number]['partitions'][number]['oldStyleOffsets']>().toEqualTypeOf<
      number[]
    >();
    expectTypeOf<FetchRequest['forgottenTopicsData']>().toEqualTypeOf<
      Array<{ topic: string; topicId: Buffer; partitions: number[] }>
    >();
    expectTypeOf<CreatePartitionsRequest['topics'][number]['assignments']>().toEqualTypeOf<Array<{
      brokerIds: number[];
    }> | null>();
    expectTypeOf<Partition<FetchResponse['responses'][number]>['abortedTransactions']>().toEqualTypeOf<Array<{
      producerId: number;
      firstOffset: number;
    }> | null>();
  });
});

describe('a field is nullable when its nullableVersions meet the served versions', () => {
  it('nullable in served versions: | null', () => {
    // topics "1+", name "10+", served 0-12
    expectTypeOf<MetadataRequest['topics']>().toEqualTypeOf<Array<{ topicId: Buffer; name: string | null }> | null>();
    expectTypeOf<MetadataResponse['clusterId']>().toEqualTypeOf<string | null>();
    expectTypeOf<MetadataResponse['topics'][number]['name']>().toEqualTypeOf<string | null>(); // "12+"
    expectTypeOf<JoinGroupResponse['protocolName']>().toEqualTypeOf<string | null>(); // "7+", served 0-9
  });

  it('nullable only in versions above the max served: never null', () => {
    // DeleteTopics' answer names are nullable from v6: served up to v3 they would be plain strings
    type DeleteTopicsUpToV3 = Omit<typeof messages.DELETE_TOPICS, 'maxVersion'> & { maxVersion: 3 };
    expectTypeOf<DecodedResponse<DeleteTopicsUpToV3>['responses'][number]['name']>().toEqualTypeOf<string>();
    expectTypeOf<DeleteTopicsResponse['responses'][number]['name']>().toEqualTypeOf<string | null>(); // served 0-6
  });
});

describe('decoded messages have every field; encodable ones may leave out defaulted and tagged fields', () => {
  it('a field with a default is required decoded, optional to encode', () => {
    expectTypeOf<MetadataRequest>().toHaveProperty('allowAutoTopicCreation').toEqualTypeOf<boolean>();
    expectTypeOf<EncodableRequest<typeof METADATA>>().toEqualTypeOf<{
      topics: Array<{ topicId?: Buffer; name: string | null }> | null;
      allowAutoTopicCreation?: boolean;
      includeClusterAuthorizedOperations?: boolean;
      includeTopicAuthorizedOperations?: boolean;
    }>();
    expectTypeOf<EncodableRequest<typeof PRODUCE>['transactionalId']>().toEqualTypeOf<string | null | undefined>();
  });

  it('tagged fields are required decoded, optional to encode', () => {
    expectTypeOf<ApiVersionsResponse['supportedFeatures']>().toEqualTypeOf<
      Array<{ name: string; minVersion: number; maxVersion: number }>
    >();
    expectTypeOf<ApiVersionsResponse['zkMigrationReady']>().toEqualTypeOf<boolean>();
    expectTypeOf<EncodableResponse<typeof API_VERSIONS>>().toEqualTypeOf<{
      errorCode: number;
      apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
      throttleTimeMs: number;
      supportedFeatures?: Array<{ name: string; minVersion: number; maxVersion: number }>;
      finalizedFeaturesEpoch?: number;
      finalizedFeatures?: Array<{ name: string; maxVersionLevel: number; minVersionLevel: number }>;
      zkMigrationReady?: boolean;
    }>();
  });

  it('a field without a default is required even where its versions do not reach', () => {
    // LeaveGroup: memberId is v0-2 only, members v3+; one request serves whichever version is negotiated
    expectTypeOf<EncodableRequest<typeof LEAVE_GROUP>>().toEqualTypeOf<{
      groupId: string;
      memberId: string;
      members: Array<{ memberId: string; groupInstanceId?: string | null; reason?: string | null }>;
    }>();
  });

  it('refuses fields the description does not have', () => {
    // @ts-expect-error -- no such field in Metadata
    const request: EncodableRequest<typeof METADATA> = { topics: null, includeTopicNames: true };
    expectTypeOf(request).toBeObject();
    expectTypeOf<DecodedRequest<typeof LIST_GROUPS>>().toEqualTypeOf<{
      statesFilter: string[];
      typesFilter: string[];
    }>();
  });
});

describe('every description keeps its literal types', () => {
  it('no served or client-side API falls back to the generic Struct', () => {
    type Described =
      Extract<(typeof messages)[keyof typeof messages], ApiSpec> | typeof SASL_HANDSHAKE | typeof SASL_AUTHENTICATE;
    /** the names of the APIs whose field lists are not known at compile time (declared `: ApiSpec` instead of with defineApi) */
    type Untyped<S> = S extends ApiSpec
      ? number extends S['request']['length'] | S['response']['length']
        ? S['name']
        : never
      : never;
    expectTypeOf<Untyped<Described>>().toBeNever();
    expectTypeOf<Described['name']>().not.toEqualTypeOf<string>();
  });

  it('a spec known only as ApiSpec has generic messages', () => {
    expectTypeOf<DecodedResponse<ApiSpec>>().toEqualTypeOf<Struct>();
  });
});
