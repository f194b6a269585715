// TypeScript types of Kafka messages, derived from the message descriptions themselves (messages/*.ts), so that
// a field renamed, removed or made nullable there changes the type every handler and client call is checked
// against. Nothing here exists at run time.
//
// Two forms of each message, because the codec treats absent fields differently on the way in and out:
//
// - Decoded (DecodedRequest / DecodedResponse): every described field is present. The decoder fills a field the
//   version does not carry with its description's `default`, or null when nullable in that version, or the type's
//   zero ('', 0, false, [], empty bytes); tagged fields likewise until their tag arrives. This is what a handler
//   receives and what a client is answered with, and what code building a complete message returns.
// - Encodable (EncodableRequest / EncodableResponse): what a client may hand the encoder as a request and a
//   handler as a response. A field may be left out exactly when the description says what to write instead: it
//   has a `default`, or it is tagged (an absent tagged field is simply not written). Every other field is
//   required, in every version, even one whose versions do not include it: the encoder would otherwise write the
//   type's zero, which is rarely what a field means (generation 0, a topic named ''), and one message object
//   serves whichever version the connection negotiates.
//
// Scalars are typed as the decoder produces them: int64 as a number (the reader refuses values beyond 2^53),
// bytes and uuid as Buffers, records as a Buffer or null (a record set is read as nullable in every version).
// A field is `| null` when its nullableVersions meet the versions the API is served in (minVersion-maxVersion):
// a field nullable only in later versions is never null here, and becomes so the day maxVersion reaches them.
//
// A spec known only as `ApiSpec` (a registry lookup by API key) says nothing about its fields: its messages
// are the codec's generic Struct. Broker and client code always name the spec, e.g. `conn.request(HEARTBEAT, ...)`.

import type { ApiSpec, Field, Scalar, Struct } from './schema.js';

// ------------------------------------------------------------------------------------- version ranges

/** A tuple of N elements: small numbers compared by length (API versions stay below a few dozen). */
type TupleOf<N extends number, Acc extends unknown[] = []> = Acc['length'] extends N
  ? Acc
  : TupleOf<N, [...Acc, unknown]>;

type AtMost<A extends number, B extends number> = TupleOf<B> extends [...TupleOf<A>, ...unknown[]] ? true : false;

/** Whether a version range ("0+", "3-5", "2", "none") includes a version between Min and Max. */
type RangeMeets<Range, Min extends number, Max extends number> = Range extends `${infer From extends number}+`
  ? AtMost<From, Max>
  : Range extends `${infer From extends number}-${infer To extends number}`
    ? [AtMost<From, Max>, AtMost<Min, To>] extends [true, true]
      ? true
      : false
    : Range extends `${infer Only extends number}`
      ? [AtMost<Only, Max>, AtMost<Min, Only>] extends [true, true]
        ? true
        : false
      : false;

// -------------------------------------------------------------------------------------------- values

interface ScalarValues {
  int8: number;
  int16: number;
  uint16: number;
  int32: number;
  uint32: number;
  int64: number;
  float64: number;
  bool: boolean;
  string: string;
  bytes: Buffer;
  records: Buffer | null;
  uuid: Buffer;
}

type Form = 'decoded' | 'encodable';

/** The versions an API is served in, which decide whether a field can be null. */
interface ServedVersions {
  min: number;
  max: number;
}

type SubFields<F> = F extends { fields: infer Sub extends readonly Field[] } ? Sub : [];

type NullIfNullable<F, V extends ServedVersions> = F extends { nullableVersions: infer Range }
  ? RangeMeets<Range, V['min'], V['max']> extends true
    ? null
    : never
  : never;

type ValueOf<F extends Field, V extends ServedVersions, As extends Form> =
  | (F['type'] extends '{}'
      ? MessageOf<SubFields<F>, V, As>
      : F['type'] extends '[]'
        ? MessageOf<SubFields<F>, V, As>[]
        : F['type'] extends `[]${infer Item extends Scalar}`
          ? ScalarValues[Item][]
          : F['type'] extends Scalar
            ? ScalarValues[F['type']]
            : never)
  | NullIfNullable<F, V>;

/** Fields the encoder can do without: it writes the description's default, or nothing for a tagged field. */
type Omittable<F> = F extends { default: unknown } ? true : F extends { tag: number } ? true : false;

type RequiredFields<Fields extends readonly Field[], V extends ServedVersions, As extends Form> = {
  [
    F in Fields[number] as As extends 'encodable' ? (Omittable<F> extends true ? never : F['name']) : F['name']
  ]: ValueOf<F, V, As>;
};

type OptionalFields<Fields extends readonly Field[], V extends ServedVersions, As extends Form> = {
  [F in Fields[number] as As extends 'encodable' ? (Omittable<F> extends true ? F['name'] : never) : never]?: ValueOf<
    F,
    V,
    As
  >;
};

/** Flattens an intersection of mapped types into one object type (for readable errors and hovers). */
type Flat<T> = { [K in keyof T]: T[K] };

/** The value of a struct with these fields; a field list not known at compile time is a generic Struct. */
type MessageOf<
  Fields extends readonly Field[],
  V extends ServedVersions,
  As extends Form,
> = number extends Fields['length'] ? Struct : Flat<RequiredFields<Fields, V, As> & OptionalFields<Fields, V, As>>;

type ServedBy<S extends ApiSpec> = { min: S['minVersion']; max: S['maxVersion'] };

// ------------------------------------------------------------------------------------------ messages

export type Direction = 'request' | 'response';

export type DecodedMessage<S extends ApiSpec, D extends Direction> = MessageOf<S[D], ServedBy<S>, 'decoded'>;
export type EncodableMessage<S extends ApiSpec, D extends Direction> = MessageOf<S[D], ServedBy<S>, 'encodable'>;

/** A request of the API `S` as decoded: every field present. What a broker handler receives. */
export type DecodedRequest<S extends ApiSpec> = DecodedMessage<S, 'request'>;
/** A response of the API `S` as decoded: every field present. What a client is answered with. */
export type DecodedResponse<S extends ApiSpec> = DecodedMessage<S, 'response'>;
/** A request of the API `S` as a client writes it: fields with a default or a tag may be left out. */
export type EncodableRequest<S extends ApiSpec> = EncodableMessage<S, 'request'>;
/** A response of the API `S` as a handler writes it: fields with a default or a tag may be left out. */
export type EncodableResponse<S extends ApiSpec> = EncodableMessage<S, 'response'>;
