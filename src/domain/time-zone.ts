/** IANA time-zone names, checked against the zones this runtime's ICU knows. */
const known = new Set(Intl.supportedValuesOf('timeZone'));

export function isValidTimeZone(zone: string): boolean {
  if (known.has(zone) || zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
