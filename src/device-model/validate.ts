// Checks a value against a variable's characteristics before it is stored.
// Rules follow libocpp's DeviceModel validate_value (lib/everest/ocpp/lib/ocpp/v2/device_model.cpp) and the
// OCPP 2.0.1 Part 2 definitions of DataEnumType and VariableCharacteristicsType.
import type { Characteristics } from './types.js';

/** OCPP 2.0.1 JSON schema: SetVariableDataType.attributeValue has maxLength 1000. */
export const MAX_VALUE_LENGTH = 1000;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
// RFC 3339 section 5.6 date-time; 'T' and 'Z' may be lower case (section 5.6, note).
const DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export type ValidationFailure = 'too_long' | 'data_type' | 'below_min' | 'above_max' | 'not_in_values_list';

/** Returns undefined when the value is acceptable, else why not (never contains the value). */
export function validateValue(ch: Characteristics, value: string): ValidationFailure | undefined {
  if (value.length > MAX_VALUE_LENGTH) return 'too_long';
  switch (ch.data_type) {
    case 'string':
      // libocpp: for strings, minLimit/maxLimit bound the length.
      if (ch.min_limit !== undefined && value.length < ch.min_limit) return 'below_min';
      if (ch.max_limit !== undefined && value.length > ch.max_limit) return 'above_max';
      return undefined;
    case 'integer': {
      if (!INTEGER.test(value)) return 'data_type';
      const n = Number(value);
      // libocpp parses with std::stoi: anything outside int32 is rejected.
      if (n < INT32_MIN || n > INT32_MAX) return 'data_type';
      return checkLimits(ch, n);
    }
    case 'decimal': {
      if (!DECIMAL.test(value)) return 'data_type';
      const n = Number(value);
      if (!Number.isFinite(n)) return 'data_type';
      return checkLimits(ch, n);
    }
    case 'boolean':
      // libocpp: exactly "true" or "false".
      return value === 'true' || value === 'false' ? undefined : 'data_type';
    case 'dateTime':
      return isRfc3339(value) ? undefined : 'data_type';
    case 'OptionList': {
      // OptionList: the value must be a single member of the CSV valuesList.
      if (ch.values_list === undefined) return undefined;
      return splitList(ch.values_list).includes(value) ? undefined : 'not_in_values_list';
    }
    case 'SequenceList':
    case 'MemberList': {
      // MemberList: an unordered subset of valuesList; SequenceList: an ordered subset. Each member must be
      // listed. An empty value is the empty subset (libocpp's split of "" yields no members).
      if (ch.values_list === undefined || value === '') return undefined;
      const allowed = new Set(splitList(ch.values_list));
      const members = value.split(',');
      if (new Set(members).size !== members.length) return 'not_in_values_list';
      return members.every((m) => allowed.has(m)) ? undefined : 'not_in_values_list';
    }
  }
}

function checkLimits(ch: Characteristics, n: number): ValidationFailure | undefined {
  if (ch.min_limit !== undefined && n < ch.min_limit) return 'below_min';
  if (ch.max_limit !== undefined && n > ch.max_limit) return 'above_max';
  return undefined;
}

export function splitList(csv: string): string[] {
  return csv.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function isRfc3339(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Reject calendar dates that do not exist (e.g. 2023-02-30).
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}
