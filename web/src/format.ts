// Display helpers: prices in won, distances, times.
const won = new Intl.NumberFormat("ko-KR");
const km = new Intl.NumberFormat("en-US");

/** ₩25,900,000 */
export const formatKrw = (n: number): string => `₩${won.format(n)}`;

export const formatKm = (n: number): string => `${km.format(n)} km`;

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** "14:35 (in 88 min)" */
export function formatEta(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  const minutes = Math.round((d.getTime() - now) / 60_000);
  return minutes > 0 ? `${time} (in ${minutes} min)` : time;
}

export const vehicleName = (v: { year: number; make: string; model: string }): string =>
  `${v.year} ${v.make} ${v.model}`;

export const humanize = (s: string): string => s.charAt(0) + s.slice(1).toLowerCase().replace(/_/g, " ");
