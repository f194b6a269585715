// Config values as Kafka's ConfigDef checks them: a type (BOOLEAN, STRING, INT, LONG, DOUBLE, LIST), then a
// validator (a range, a set of strings), with Kafka's error messages ("Invalid value X for configuration Y:
// Value must be at least 1") so that a client shows what Kafka would. Values come back in canonical form,
// the form DescribeConfigs then reports (Kafka describes the parsed value, not the string it was given).

import { ErrorCode, KafkaError } from '../../protocol/error-codes.js';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

/** DescribeConfigs v3+ ConfigType ids (Kafka's DescribeConfigsResponse.ConfigType). */
export const CONFIG_TYPE_IDS: Record<ConfigType, number> = {
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
};

/** Checks a parsed value (its canonical string); throws through `invalid`. */
export type Validator = (name: string, value: string) => void;

const INT_RANGE: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const LONG_RANGE: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];

/** Kafka's ConfigException text, as an INVALID_CONFIG error. */
export function invalidConfig(name: string, value: string, why: string): never {
  throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${name}: ${why}`);
}

/** Parses `value` as `type` (Kafka's ConfigDef.parseType) and returns its canonical string. */
export function parseConfigValue(type: ConfigType, name: string, value: string): string {
  const v = value.trim();
  switch (type) {
    case 'BOOLEAN':
      if (/^(true|false)$/i.test(v)) return v.toLowerCase();
      return invalidConfig(name, value, 'Expected value to be either true or false');
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      const [min, max] = type === 'LONG' ? LONG_RANGE : INT_RANGE;
      if (!/^[-+]?\d+$/.test(v) || BigInt(v) < min || BigInt(v) > max)
        return invalidConfig(name, value, `Not a number of type ${type}`);
      return BigInt(v).toString();
    }
    case 'DOUBLE': {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) return invalidConfig(name, value, 'Not a number of type DOUBLE');
      // Java's Double.toString writes integral values with ".0"
      return Number.isInteger(n) ? n.toFixed(1) : String(n);
    }
    case 'LIST':
      return v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .join(',');
    default:
      return v;
  }
}

/** The items of a LIST value. */
export function listItems(value: string): string[] {
  return value === '' ? [] : value.split(',');
}

/** Kafka's Range.atLeast. */
export function atLeast(min: number): Validator {
  // the minimums are small, so a long's value compares correctly as a double
  return (name, value) => {
    if (Number(value) < min) invalidConfig(name, value, `Value must be at least ${min}`);
  };
}

/** Kafka's Range.between. */
export function between(min: number, max: number): Validator {
  return (name, value) => {
    const n = Number(value);
    if (n < min) invalidConfig(name, value, `Value must be at least ${min}`);
    if (n > max) invalidConfig(name, value, `Value must be no more than ${max}`);
  };
}

/** Kafka's ValidString.in. */
export function oneOf(...allowed: string[]): Validator {
  return (name, value) => {
    if (!allowed.includes(value)) invalidConfig(name, value, `String must be one of: ${allowed.join(', ')}`);
  };
}

/** Kafka's ValidList.in: every item one of `allowed` (the message names the offending item). */
export function eachOneOf(...allowed: string[]): Validator {
  const item = oneOf(...allowed);
  return (name, value) => {
    for (const v of listItems(value)) item(name, v);
  };
}
