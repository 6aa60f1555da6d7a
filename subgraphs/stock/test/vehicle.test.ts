import { describe, expect, it } from "vitest";
import { refusalOf } from "@junggo/runtime/testing";
import {
  completeRepair,
  registerIntake,
  sendToRepair,
  takeBack,
  withdraw,
  leaveLot,
  parseRegistration,
  registerVehicle,
  release,
  reserve,
  type RegistrationInput,
  type Vehicle,
  type VehicleStatus,
} from "../src/domain/vehicle.ts";

const NOW = new Date("2025-06-01T00:00:00Z");
const valid: RegistrationInput = {
  vin: "KMHD341CBKU512734",
  make: "Hyundai",
  model: "Avante",
  year: 2019,
  mileageKm: 58_400,
  priceKrw: 13_900_000,
  color: "White",
  fuel: "Gasoline",
};
const P1 = "11111111-1111-4111-8111-111111111111";
const P2 = "22222222-2222-4222-8222-222222222222";

const vehicle = (status: VehicleStatus, purchaseId: string | null): Vehicle => ({
  ...registerVehicle("0b5c7a4e-5b2f-4d59-9f55-6d3d5a1c2b10", valid, NOW).vehicle,
  status,
  purchaseId,
});

describe("vehicle registration rules", () => {
  it("accepts a valid vehicle and normalises VIN and text", () => {
    expect(
      parseRegistration(
        { ...valid, vin: "  kmhd341cbku512734 ", make: " Hyundai ", color: "  ", fuel: undefined },
        NOW,
      ),
    ).toEqual({
      ...valid,
      vin: "KMHD341CBKU512734",
      make: "Hyundai",
      color: null,
      fuel: null,
    });
  });

  it("VIN: exactly 17 letters/digits without I, O, Q", () => {
    for (const vin of [
      "KMHD341CBKU51273",
      "KMHD341CBKU5127345",
      "KMHD341CBKU51273I",
      "KMHD341CBKU51273O",
      "KMHD341CBKU51273Q",
      "KMHD341CBKU5127-4",
      "KMHD341CBKU5127 4",
      "",
    ]) {
      expect(refusalOf(() => parseRegistration({ ...valid, vin }, NOW))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "vin",
      });
    }
    expect(parseRegistration({ ...valid, vin: "12345678901234567" }, NOW).vin).toBe("12345678901234567");
  });

  it("make and model: 1 to 40 characters after trimming", () => {
    for (const field of ["make", "model"] as const) {
      expect(parseRegistration({ ...valid, [field]: "x".repeat(40) }, NOW)[field]).toBe("x".repeat(40));
      expect(parseRegistration({ ...valid, [field]: "기" }, NOW)[field]).toBe("기");
      for (const bad of ["", "   ", "x".repeat(41)])
        expect(refusalOf(() => parseRegistration({ ...valid, [field]: bad }, NOW))).toMatchObject({
          code: "BAD_USER_INPUT",
          field,
        });
    }
  });

  it("year: 1980 to next year", () => {
    expect(parseRegistration({ ...valid, year: 1980 }, NOW).year).toBe(1980);
    expect(parseRegistration({ ...valid, year: 2026 }, NOW).year).toBe(2026);
    for (const year of [1979, 2027, 2019.5])
      expect(refusalOf(() => parseRegistration({ ...valid, year }, NOW))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "year",
      });
  });

  it("mileageKm: 0 to 2,000,000", () => {
    expect(parseRegistration({ ...valid, mileageKm: 0 }, NOW).mileageKm).toBe(0);
    expect(parseRegistration({ ...valid, mileageKm: 2_000_000 }, NOW).mileageKm).toBe(2_000_000);
    for (const mileageKm of [-1, 2_000_001])
      expect(refusalOf(() => parseRegistration({ ...valid, mileageKm }, NOW))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "mileageKm",
      });
  });

  it("priceKrw: 100,000 to 2,000,000,000", () => {
    expect(parseRegistration({ ...valid, priceKrw: 100_000 }, NOW).priceKrw).toBe(100_000);
    expect(parseRegistration({ ...valid, priceKrw: 2_000_000_000 }, NOW).priceKrw).toBe(2_000_000_000);
    for (const priceKrw of [99_999, 2_000_000_001, 0])
      expect(refusalOf(() => parseRegistration({ ...valid, priceKrw }, NOW))).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "priceKrw",
      });
  });

  it("color and fuel: optional, at most 30 characters", () => {
    for (const field of ["color", "fuel"] as const) {
      expect(parseRegistration({ ...valid, [field]: null }, NOW)[field]).toBeNull();
      expect(parseRegistration({ ...valid, [field]: "y".repeat(30) }, NOW)[field]).toBe("y".repeat(30));
      expect(refusalOf(() => parseRegistration({ ...valid, [field]: "y".repeat(31) }, NOW))).toMatchObject({
        code: "BAD_USER_INPUT",
        field,
      });
    }
  });

  it("registerVehicle creates an AVAILABLE vehicle held by nobody and a VehicleRegistered event", () => {
    const { vehicle: v, events } = registerVehicle(
      "0b5c7a4e-5b2f-4d59-9f55-6d3d5a1c2b10",
      { ...valid, vin: "kmhd341cbku512734" },
      NOW,
    );
    expect(v).toMatchObject({
      status: "AVAILABLE",
      purchaseId: null,
      vin: "KMHD341CBKU512734",
      registeredAt: NOW,
    });
    expect(events).toEqual([
      {
        type: "VehicleRegistered",
        payload: {
          vehicleId: v.id,
          vin: "KMHD341CBKU512734",
          make: "Hyundai",
          model: "Avante",
          year: 2019,
          mileageKm: 58_400,
          priceKrw: 13_900_000,
          status: "AVAILABLE",
        },
      },
    ]);
  });
});

describe("vehicle state machine", () => {
  it("reserve: AVAILABLE → RESERVED held by the purchase, emits VehicleReserved", () => {
    const { vehicle: v, events } = reserve(vehicle("AVAILABLE", null), P1);
    expect([v.status, v.purchaseId]).toEqual(["RESERVED", P1]);
    expect(events).toEqual([{ type: "VehicleReserved", payload: { vehicleId: v.id, purchaseId: P1 } }]);
  });

  it("reserve is refused when RESERVED or SOLD (by anyone, the same purchase included)", () => {
    for (const status of ["RESERVED", "SOLD"] as const) {
      expect(refusalOf(() => reserve(vehicle(status, P1), P2)).code).toBe("VEHICLE_NOT_AVAILABLE");
      expect(refusalOf(() => reserve(vehicle(status, P1), P1)).code).toBe("VEHICLE_NOT_AVAILABLE");
    }
  });

  it("leaveLot: RESERVED → SOLD for the holding purchase, emits VehicleSold", () => {
    const { vehicle: v, events } = leaveLot(vehicle("RESERVED", P1), P1);
    expect([v.status, v.purchaseId]).toEqual(["SOLD", P1]);
    expect(events).toEqual([{ type: "VehicleSold", payload: { vehicleId: v.id, purchaseId: P1 } }]);
  });

  it("leaveLot is refused for another purchase, and unless RESERVED", () => {
    expect(refusalOf(() => leaveLot(vehicle("RESERVED", P1), P2)).code).toBe(
      "VEHICLE_HELD_BY_OTHER_PURCHASE",
    );
    expect(refusalOf(() => leaveLot(vehicle("AVAILABLE", null), P1)).code).toBe("VEHICLE_NOT_RESERVED");
    expect(refusalOf(() => leaveLot(vehicle("SOLD", P1), P1)).code).toBe("VEHICLE_NOT_RESERVED");
  });

  it("release: RESERVED → AVAILABLE (cancel before pickup), emits VehicleReleased", () => {
    const { vehicle: v, events } = release(vehicle("RESERVED", P1), P1);
    expect([v.status, v.purchaseId]).toEqual(["AVAILABLE", null]);
    expect(events).toEqual([{ type: "VehicleReleased", payload: { vehicleId: v.id, purchaseId: P1 } }]);
  });

  it("release: SOLD → AVAILABLE (cancel after pickup, the car comes back)", () => {
    const { vehicle: v, events } = release(vehicle("SOLD", P1), P1);
    expect([v.status, v.purchaseId]).toEqual(["AVAILABLE", null]);
    expect(events[0]?.type).toBe("VehicleReleased");
  });

  it("release is refused for another purchase and when already AVAILABLE", () => {
    expect(refusalOf(() => release(vehicle("RESERVED", P1), P2)).code).toBe("VEHICLE_HELD_BY_OTHER_PURCHASE");
    expect(refusalOf(() => release(vehicle("SOLD", P1), P2)).code).toBe("VEHICLE_HELD_BY_OTHER_PURCHASE");
    expect(refusalOf(() => release(vehicle("AVAILABLE", null), P1)).code).toBe("VEHICLE_NOT_HELD");
  });

  it("a late cancel of an old purchase cannot free the car a new purchase holds", () => {
    const first = reserve(vehicle("AVAILABLE", null), P1).vehicle;
    const freed = release(first, P1).vehicle;
    const second = reserve(freed, P2).vehicle;
    expect(refusalOf(() => release(second, P1)).code).toBe("VEHICLE_HELD_BY_OTHER_PURCHASE");
    expect(refusalOf(() => leaveLot(second, P1)).code).toBe("VEHICLE_HELD_BY_OTHER_PURCHASE");
    expect(leaveLot(second, P2).vehicle.status).toBe("SOLD");
  });

  it("transitions do not mutate the input", () => {
    const before = vehicle("AVAILABLE", null);
    reserve(before, P1);
    expect(before.status).toBe("AVAILABLE");
  });
});

const SR = "44444444-4444-4444-8444-444444444444";
const R1 = "55555555-5555-4555-8555-555555555555";
const R2 = "66666666-6666-4666-8666-666666666666";
const VID = "77777777-7777-4777-8777-777777777777";
const intake = {
  sellRequestId: SR,
  vehicleId: VID,
  vin: "knad341cbku512799",
  make: "Kia",
  model: "K5",
  year: 2020,
  mileageKm: 41_000,
  listPriceKrw: 19_500_000,
};
const bought = (over: Partial<Vehicle> = {}): Vehicle => ({
  ...registerIntake(intake, NOW).vehicle,
  ...over,
});

describe("cars bought from sellers, repairs and withdrawals", () => {
  it("registerIntake: IN_REPAIR under the allocated id at the list price, VehicleRegistered names the sell request", () => {
    const { vehicle: v, events } = registerIntake(intake, NOW);
    expect(v).toMatchObject({
      id: VID,
      vin: "KNAD341CBKU512799",
      priceKrw: 19_500_000,
      status: "IN_REPAIR",
      sellRequestId: SR,
      repairOrderId: null,
      purchaseId: null,
    });
    expect(events).toEqual([
      {
        type: "VehicleRegistered",
        payload: {
          vehicleId: VID,
          vin: "KNAD341CBKU512799",
          make: "Kia",
          model: "K5",
          year: 2020,
          mileageKm: 41_000,
          priceKrw: 19_500_000,
          status: "IN_REPAIR",
          sellRequestId: SR,
        },
      },
    ]);
  });

  it("an IN_REPAIR car cannot be reserved by a buyer", () => {
    expect(refusalOf(() => reserve(bought(), P1)).code).toBe("VEHICLE_NOT_AVAILABLE");
  });

  it("INSPECTION of the bought car: already IN_REPAIR, the order is recorded without any event", () => {
    const { vehicle: v, events } = sendToRepair(bought(), { repairOrderId: R1, kind: "INSPECTION" });
    expect([v.status, v.repairOrderId, events]).toEqual(["IN_REPAIR", R1, []]);
    // The same order again changes nothing; another inspection order is refused.
    expect(sendToRepair(v, { repairOrderId: R1, kind: "INSPECTION" }).events).toEqual([]);
    expect(refusalOf(() => sendToRepair(v, { repairOrderId: R2, kind: "INSPECTION" })).code).toBe(
      "VEHICLE_TRANSITION_REFUSED",
    );
    // A late inspection (the car was listed meanwhile) or one of the dealer's own car moves nothing.
    for (const car of [bought({ status: "AVAILABLE" }), vehicle("AVAILABLE", null)])
      expect(refusalOf(() => sendToRepair(car, { repairOrderId: R1, kind: "INSPECTION" })).code).toBe(
        "VEHICLE_TRANSITION_REFUSED",
      );
  });

  it("REPAIR: AVAILABLE → IN_REPAIR with VehicleSentToRepair; refused for a car that is not AVAILABLE", () => {
    const { vehicle: v, events } = sendToRepair(vehicle("AVAILABLE", null), {
      repairOrderId: R1,
      kind: "REPAIR",
    });
    expect([v.status, v.repairOrderId]).toEqual(["IN_REPAIR", R1]);
    expect(events).toEqual([
      { type: "VehicleSentToRepair", payload: { vehicleId: v.id, repairOrderId: R1, kind: "REPAIR" } },
    ]);
    for (const status of ["RESERVED", "SOLD", "IN_REPAIR", "WITHDRAWN"] as const)
      expect(
        refusalOf(() => sendToRepair(vehicle(status, null), { repairOrderId: R2, kind: "REPAIR" })).code,
      ).toBe("VEHICLE_NOT_AVAILABLE");
  });

  it("completeRepair: IN_REPAIR → AVAILABLE with VehicleRepaired, only for the order holding the car", () => {
    const inRepair = sendToRepair(vehicle("AVAILABLE", null), { repairOrderId: R1, kind: "REPAIR" }).vehicle;
    expect(refusalOf(() => completeRepair(inRepair, { repairOrderId: R2, kind: "REPAIR" })).code).toBe(
      "VEHICLE_TRANSITION_REFUSED",
    );
    const { vehicle: v, events } = completeRepair(inRepair, { repairOrderId: R1, kind: "REPAIR" });
    expect([v.status, v.repairOrderId]).toEqual(["AVAILABLE", null]);
    expect(events).toEqual([
      { type: "VehicleRepaired", payload: { vehicleId: v.id, repairOrderId: R1, kind: "REPAIR" } },
    ]);
    // Completing again (a duplicate) is refused: the car is AVAILABLE.
    expect(refusalOf(() => completeRepair(v, { repairOrderId: R1, kind: "REPAIR" })).code).toBe(
      "VEHICLE_TRANSITION_REFUSED",
    );
    // An inspection completed before stock heard of its opening still lists the bought car.
    expect(completeRepair(bought(), { repairOrderId: R1, kind: "INSPECTION" }).vehicle.status).toBe(
      "AVAILABLE",
    );
  });

  it("withdraw: IN_REPAIR or AVAILABLE → WITHDRAWN (terminal) for the car's own sell request only", () => {
    for (const status of ["IN_REPAIR", "AVAILABLE"] as const) {
      const { vehicle: v, events } = withdraw(bought({ status, repairOrderId: R1 }), SR);
      expect([v.status, v.repairOrderId]).toEqual(["WITHDRAWN", null]);
      expect(events).toEqual([{ type: "VehicleWithdrawn", payload: { vehicleId: VID, sellRequestId: SR } }]);
      // Nothing moves a withdrawn car any more.
      expect(refusalOf(() => withdraw(v, SR)).code).toBe("VEHICLE_TRANSITION_REFUSED");
      expect(refusalOf(() => reserve(v, P1)).code).toBe("VEHICLE_NOT_AVAILABLE");
      expect(refusalOf(() => sendToRepair(v, { repairOrderId: R2, kind: "REPAIR" })).code).toBe(
        "VEHICLE_NOT_AVAILABLE",
      );
      expect(refusalOf(() => completeRepair(v, { repairOrderId: R1, kind: "REPAIR" })).code).toBe(
        "VEHICLE_TRANSITION_REFUSED",
      );
    }
    expect(refusalOf(() => withdraw(bought({ status: "RESERVED", purchaseId: P1 }), SR)).code).toBe(
      "VEHICLE_TRANSITION_REFUSED",
    );
    expect(refusalOf(() => withdraw(bought(), P1)).code).toBe("VEHICLE_TRANSITION_REFUSED");
    expect(refusalOf(() => withdraw(vehicle("AVAILABLE", null), SR)).code).toBe("VEHICLE_TRANSITION_REFUSED");
  });

  it("takeBack: a returned SOLD car is AVAILABLE again with VehicleReleased, for its own purchase only", () => {
    const { vehicle: v, events } = takeBack(vehicle("SOLD", P1), P1);
    expect([v.status, v.purchaseId]).toEqual(["AVAILABLE", null]);
    expect(events).toEqual([{ type: "VehicleReleased", payload: { vehicleId: v.id, purchaseId: P1 } }]);
    expect(refusalOf(() => takeBack(vehicle("SOLD", P1), P2)).code).toBe("VEHICLE_HELD_BY_OTHER_PURCHASE");
    for (const status of ["AVAILABLE", "RESERVED", "IN_REPAIR", "WITHDRAWN"] as const)
      expect(refusalOf(() => takeBack(vehicle(status, P1), P1)).code).toBe("VEHICLE_TRANSITION_REFUSED");
  });

  it("release refuses cars no purchase holds (IN_REPAIR, WITHDRAWN)", () => {
    for (const status of ["IN_REPAIR", "WITHDRAWN"] as const)
      expect(refusalOf(() => release(vehicle(status, null), P1)).code).toBe("VEHICLE_NOT_HELD");
  });
});
