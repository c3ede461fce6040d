// emr's partial dates ("2019", "2019-05", "2019-05-02", "2019-05-02T09:00:00+02:00") for display:
// shown as precise as recorded, the calendar date as written (no time-zone shift).

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2019" → "2019", "2019-05" → "May 2019", "2019-05-02…" → "2 May 2019"; "" when absent. */
export function formatDate(partial) {
  if (!partial) return "";
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(partial);
  if (!m) return partial;
  const [, year, month, day] = m;
  if (!month) return year;
  const name = MONTHS[Number(month) - 1] ?? month;
  return day ? `${Number(day)} ${name} ${year}` : `${name} ${year}`;
}

/** Milliseconds since 1970 of the start of a partial date, for placing it on a time axis. */
export function timeValue(partial) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(partial ?? "");
  if (!m) return NaN;
  const full = Date.parse(partial);
  return Number.isNaN(full) ? Date.UTC(Number(m[1]), Number(m[2] ?? 1) - 1, Number(m[3] ?? 1)) : full;
}
