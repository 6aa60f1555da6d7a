import { describe, expect, it } from "vitest";
import type { Role } from "@junggo/runtime";
import { canSeeConsignment } from "../src/domain/visibility.ts";
import type { ConsignmentStatus } from "../src/domain/consignment.ts";

const BUYER = "44444444-4444-4444-8444-444444444444";
const DRIVER = "55555555-5555-4555-8555-555555555555";
const job = (
  status: ConsignmentStatus,
  driverId: string | null = status === "REQUESTED" ? null : DRIVER,
) => ({ status, buyerId: BUYER, driverId });
const who = (id: string, role: Role) => ({ id, role });
const ALL: ConsignmentStatus[] = ["REQUESTED", "ASSIGNED", "PICKED_UP", "DELIVERED", "CANCELLED"];

describe("canSeeConsignment", () => {
  it("nobody anonymous sees anything", () => {
    for (const s of ALL) expect(canSeeConsignment(job(s), null)).toBe(false);
  });

  it("staff see every job", () => {
    for (const s of ALL)
      expect(canSeeConsignment(job(s), who("aaaaaaaa-0000-4000-8000-000000000000", "STAFF"))).toBe(true);
  });

  it("the buyer sees the delivery to them in every state", () => {
    for (const s of ALL) expect(canSeeConsignment(job(s), who(BUYER, "BUYER"))).toBe(true);
  });

  it("another buyer or a seller sees nothing, not even open jobs", () => {
    for (const s of ALL) {
      expect(canSeeConsignment(job(s), who("bbbbbbbb-0000-4000-8000-000000000000", "BUYER"))).toBe(false);
      expect(canSeeConsignment(job(s), who("cccccccc-0000-4000-8000-000000000000", "SELLER"))).toBe(false);
    }
  });

  it("the assigned driver sees their job in every state", () => {
    for (const s of ALL.filter((x) => x !== "REQUESTED"))
      expect(canSeeConsignment(job(s), who(DRIVER, "DRIVER"))).toBe(true);
  });

  it("any driver sees a job only while it is open", () => {
    const other = who("dddddddd-0000-4000-8000-000000000000", "DRIVER");
    expect(ALL.filter((s) => canSeeConsignment(job(s), other))).toEqual(["REQUESTED"]);
  });
});
