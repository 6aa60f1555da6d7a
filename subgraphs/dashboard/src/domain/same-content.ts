const sameInstant = (a: Date | null, b: Date | null) =>
  a === null || b === null ? a === b : a.getTime() === b.getTime();

/** Two rows of a read model hold the same facts (`updatedAt` aside): folding the event changed nothing. */
export function sameContent<T extends { updatedAt: Date }>(a: T, b: T): boolean {
  return (Object.keys(a) as (keyof T)[]).every((k) => {
    if (k === "updatedAt") return true;
    const x = a[k];
    const y = b[k];
    return x instanceof Date || y instanceof Date ? sameInstant(x as Date | null, y as Date | null) : x === y;
  });
}
