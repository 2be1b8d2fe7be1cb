/**
 * An instant written as `Date.prototype.toISOString` writes it, e.g.
 * 2026-03-27T17:00:00.000Z, by arithmetic: a year's conflict detection writes tens of
 * thousands of instants, and the engine's own formatter costs about a microsecond each
 * through its date cache (bench: calendar; ADR 2400-1). Instants outside years
 * 1970–9999, or not whole milliseconds, are left to `toISOString`.
 */
const DAY = 86_400_000;
const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const ZERO = 48;

export function instantText(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > LAST) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY);
  let rest = ms - days * DAY;
  // Civil date from a day count (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  // One flat string from its character codes, not a chain of concatenations.
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000),
    ZERO + (Math.floor(year / 100) % 10),
    ZERO + (Math.floor(year / 10) % 10),
    ZERO + (year % 10),
    0x2d, // -
    ZERO + Math.floor(month / 10),
    ZERO + (month % 10),
    0x2d,
    ZERO + Math.floor(day / 10),
    ZERO + (day % 10),
    0x54, // T
    ZERO + Math.floor(hour / 10),
    ZERO + (hour % 10),
    0x3a, // :
    ZERO + Math.floor(minute / 10),
    ZERO + (minute % 10),
    0x3a,
    ZERO + Math.floor(second / 10),
    ZERO + (second % 10),
    0x2e, // .
    ZERO + Math.floor(milli / 100),
    ZERO + (Math.floor(milli / 10) % 10),
    ZERO + (milli % 10),
    0x5a, // Z
  );
}
