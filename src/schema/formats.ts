// String formats checked without ajv-formats (not a dependency).

// RFC 3339 section 5.6 date-time: full-date "T" full-time, with "T" and "Z" case-insensitive.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for an RFC 3339 date-time such as 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.5+02:00. */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHour = m[7] === undefined ? 0 : Number(m[7]);
  const offsetMinute = m[8] === undefined ? 0 : Number(m[8]);
  return month >= 1 && month <= 12
    && day >= 1 && day <= daysInMonth(year, month)
    && hour <= 23 && minute <= 59
    && second <= 60 // a leap second
    && offsetHour <= 23 && offsetMinute <= 59;
}

/** The formats TsOcpp's validators check, as ajv format definitions (also what generated validators use). */
export const FORMATS = {
  'date-time': { type: 'string', validate: isDateTime },
} as const;
