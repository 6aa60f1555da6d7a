/** The description of a car as a plain-SQL row carries it (a stock vehicle, an expected intake). */
export const carOf = (r: Record<"vin" | "make" | "model" | "year" | "mileageKm", unknown>) => ({
  vin: r.vin as string,
  make: r.make as string,
  model: r.model as string,
  year: Number(r.year),
  mileageKm: Number(r.mileageKm),
});
