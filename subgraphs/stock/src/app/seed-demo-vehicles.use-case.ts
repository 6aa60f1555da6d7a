import { DomainError, type Logger } from "@junggo/runtime";
import type { RegistrationInput } from "../domain/vehicle.ts";
import type { VehicleReader } from "./ports.ts";
import type { RegisterVehicle } from "./register-vehicle.use-case.ts";

// A plausible Korean used-car lot. VINs follow the makers' world manufacturer identifiers
// (KMH Hyundai, KM8 Hyundai SUV, KNA/KND Kia, KMT Genesis, KPT KG Mobility, KNM Renault Korea,
// KL7 GM Korea) and the model-year letter at position 10.
export const DEMO_VEHICLES: readonly RegistrationInput[] = [
  { vin: "KMHD341CBKU512734", make: "Hyundai", model: "Avante", year: 2019, mileageKm: 58_400, priceKrw: 13_900_000, color: "White", fuel: "Gasoline" },
  { vin: "KMHD441HXNU208815", make: "Hyundai", model: "Avante", year: 2022, mileageKm: 21_300, priceKrw: 22_500_000, color: "Gray", fuel: "Hybrid" },
  { vin: "KMHL341CBLA093127", make: "Hyundai", model: "Sonata", year: 2020, mileageKm: 47_200, priceKrw: 19_800_000, color: "Black", fuel: "Gasoline" },
  { vin: "KMHE341BBJA421906", make: "Hyundai", model: "Sonata", year: 2018, mileageKm: 112_500, priceKrw: 11_200_000, color: "White", fuel: "LPG" },
  { vin: "KMHF541JBMA117342", make: "Hyundai", model: "Grandeur", year: 2021, mileageKm: 38_900, priceKrw: 31_500_000, color: "Black", fuel: "Hybrid" },
  { vin: "KMHF341DBHA318755", make: "Hyundai", model: "Grandeur", year: 2017, mileageKm: 96_300, priceKrw: 15_900_000, color: "Silver", fuel: "Gasoline" },
  { vin: "KMHJ381CDMU270148", make: "Hyundai", model: "Tucson", year: 2021, mileageKm: 52_100, priceKrw: 24_700_000, color: "Blue", fuel: "Diesel" },
  { vin: "KMHS381CDLU455263", make: "Hyundai", model: "Santa Fe", year: 2020, mileageKm: 68_800, priceKrw: 27_900_000, color: "White", fuel: "Diesel" },
  { vin: "KMHSU81XDFU397284", make: "Hyundai", model: "Santa Fe", year: 2015, mileageKm: 148_000, priceKrw: 8_900_000, color: "Silver", fuel: "Diesel" },
  { vin: "KMHA151CBPU031579", make: "Hyundai", model: "Casper", year: 2023, mileageKm: 8_900, priceKrw: 15_600_000, color: "Yellow", fuel: "Gasoline" },
  { vin: "KM8KN4AE6NU081274", make: "Hyundai", model: "Ioniq 5", year: 2022, mileageKm: 34_500, priceKrw: 35_900_000, color: "Gray", fuel: "Electric" },
  { vin: "KNAB2512BLT604418", make: "Kia", model: "Morning", year: 2020, mileageKm: 41_200, priceKrw: 8_900_000, color: "Red", fuel: "Gasoline" },
  { vin: "KNAK2811BNT118036", make: "Kia", model: "Ray", year: 2022, mileageKm: 15_400, priceKrw: 13_800_000, color: "Beige", fuel: "Gasoline" },
  { vin: "KNAF4411BK5527841", make: "Kia", model: "K3", year: 2019, mileageKm: 63_500, priceKrw: 12_400_000, color: "Silver", fuel: "Gasoline" },
  { vin: "KNAG541CBM5086213", make: "Kia", model: "K5", year: 2021, mileageKm: 33_800, priceKrw: 23_900_000, color: "Gray", fuel: "Gasoline" },
  { vin: "KNAGU411BG5781560", make: "Kia", model: "K5", year: 2016, mileageKm: 138_000, priceKrw: 9_400_000, color: "White", fuel: "LPG" },
  { vin: "KNAL541JBN5041927", make: "Kia", model: "K8", year: 2022, mileageKm: 27_600, priceKrw: 36_500_000, color: "Black", fuel: "Hybrid" },
  { vin: "KNAPU81HBP7039284", make: "Kia", model: "Sportage", year: 2023, mileageKm: 12_800, priceKrw: 31_900_000, color: "Green", fuel: "Hybrid" },
  { vin: "KNARH81CDL7612045", make: "Kia", model: "Sorento", year: 2020, mileageKm: 71_400, priceKrw: 28_400_000, color: "Black", fuel: "Diesel" },
  { vin: "KNAMG81BDM6250731", make: "Kia", model: "Carnival", year: 2021, mileageKm: 64_900, priceKrw: 33_800_000, color: "White", fuel: "Diesel" },
  { vin: "KNDC3DLC8P5093517", make: "Kia", model: "EV6", year: 2023, mileageKm: 21_000, priceKrw: 42_500_000, color: "Blue", fuel: "Electric" },
  { vin: "KMTG341ABKU040512", make: "Genesis", model: "G70", year: 2019, mileageKm: 55_200, priceKrw: 27_500_000, color: "Blue", fuel: "Gasoline" },
  { vin: "KMTGB41CBMU117638", make: "Genesis", model: "G80", year: 2021, mileageKm: 41_700, priceKrw: 45_900_000, color: "Black", fuel: "Gasoline" },
  { vin: "KMTHA81DBNU072941", make: "Genesis", model: "GV70", year: 2022, mileageKm: 29_300, priceKrw: 49_800_000, color: "Gray", fuel: "Diesel" },
  { vin: "KMTJB81CBPU021853", make: "Genesis", model: "GV80", year: 2023, mileageKm: 17_600, priceKrw: 68_000_000, color: "White", fuel: "Gasoline" },
  { vin: "KPTA0B1FSPP130674", make: "KG Mobility", model: "Torres", year: 2023, mileageKm: 14_800, priceKrw: 28_700_000, color: "Green", fuel: "Gasoline" },
  { vin: "KPTA0B1SSJP288419", make: "KG Mobility", model: "Tivoli", year: 2018, mileageKm: 69_500, priceKrw: 10_500_000, color: "Orange", fuel: "Gasoline" },
  { vin: "KNMHAR1BSLP504962", make: "Renault Korea", model: "QM6", year: 2020, mileageKm: 59_300, priceKrw: 17_900_000, color: "Silver", fuel: "LPG" },
  { vin: "KNMKBR4BSMP217385", make: "Renault Korea", model: "XM3", year: 2021, mileageKm: 36_400, priceKrw: 16_400_000, color: "Red", fuel: "Gasoline" },
  { vin: "KL77LHE24RC102948", make: "Chevrolet", model: "Trax", year: 2024, mileageKm: 6_200, priceKrw: 24_300_000, color: "Blue", fuel: "Gasoline" },
  { vin: "KL79MPS28NB075316", make: "Chevrolet", model: "Trailblazer", year: 2022, mileageKm: 26_800, priceKrw: 21_600_000, color: "White", fuel: "Gasoline" },
];

/**
 * Idempotent by VIN. Goes through the register use case so every seeded car announces itself with
 * VehicleRegistered, like one registered by staff.
 */
export async function seedDemoVehicles(deps: { vehicles: VehicleReader; register: RegisterVehicle; log: Logger }): Promise<number> {
  let created = 0;
  for (const input of DEMO_VEHICLES) {
    if (await deps.vehicles.findByVin(input.vin)) continue;
    try {
      await deps.register(input);
      created++;
    } catch (err) {
      // Another replica seeded the same car in the meantime.
      if (!(err instanceof DomainError && err.code === "DUPLICATE_VIN")) throw err;
    }
  }
  deps.log.info("demo vehicles", { created, existing: DEMO_VEHICLES.length - created });
  return created;
}
