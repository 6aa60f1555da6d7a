// Accounts and cars for a run, made through the gateway's public API: buyers sign up
// (signUp, role BUYER), staff registers the cars (registerVehicle), the seeded driver and staff log in.
import { performance } from "node:perf_hooks";
import { EVENT_STREAM } from "@junggo/events";
import { DEMO_PASSWORD, type TestSystem } from "../gateway/test/support/harness.ts";
import { randomVin } from "../gateway/test/support/junggo.ts";
import type { GqlClient } from "./http.ts";
import type { Buyer } from "./load.ts";
import { metrics, serviceUrl } from "../gateway/test/support/live.ts";
import { mapLimit, sleep } from "./stats.ts";

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const REGISTER_VEHICLE = `mutation ($input: RegisterVehicleInput!) { registerVehicle(input: $input) { id status } }`;

const MAKES = [
  ["Hyundai", "Avante"],
  ["Kia", "K5"],
  ["Genesis", "G80"],
  ["Hyundai", "Sonata"],
  ["Kia", "Sorento"],
] as const;

export async function login(client: GqlClient, email: string): Promise<string> {
  return (
    await client.ok<{ login: { token: string } }>(`login ${email}`, LOGIN, { email, password: DEMO_PASSWORD })
  ).login.token;
}

export async function signUpBuyers(client: GqlClient, n: number): Promise<Buyer[]> {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return mapLimit(
    Array.from({ length: n }, (_, i) => i),
    4,
    async (i) => {
      const email = `bench-buyer-${run}-${i}@junggo.test`;
      const d = await client.ok<{ signUp: { token: string } }>(`signUp ${email}`, SIGN_UP, {
        input: {
          email,
          password: `bench-password-${i}`,
          name: `Bench Buyer ${i}`,
          role: "BUYER",
          locale: "en",
        },
      });
      return { email, token: d.signUp.token };
    },
  );
}

export async function registerCars(
  client: GqlClient,
  staffToken: string,
  n: number,
  progress?: (done: number) => void,
): Promise<string[]> {
  let done = 0;
  return mapLimit(
    Array.from({ length: n }, (_, i) => i),
    8,
    async (i) => {
      const [make, model] = MAKES[i % MAKES.length]!;
      for (let attempt = 0; ; attempt++) {
        const a = await client.request<{ registerVehicle: { id: string } }>(
          REGISTER_VEHICLE,
          {
            input: {
              vin: randomVin(),
              make,
              model,
              year: 2015 + (i % 10),
              mileageKm: 10_000 + ((i * 7919) % 150_000),
              priceKrw: 9_000_000 + (i % 50) * 100_000,
              color: "white",
              fuel: "gasoline",
            },
          },
          staffToken,
        );
        const id = a.data?.registerVehicle?.id;
        if (id) {
          if (++done % 250 === 0) progress?.(done);
          return id;
        }
        // A random VIN can collide; anything else is a real failure.
        if (a.errors?.[0]?.extensions?.code !== "DUPLICATE_VIN" || attempt > 5)
          throw new Error(`registerVehicle failed: ${JSON.stringify(a.errors)}`);
      }
    },
  );
}

/**
 * Waits until the system is quiet: every context's outbox is empty (junggo_outbox_pending on
 * /metrics) and every durable consumer has handled and acknowledged everything in the stream.
 * Returns false at the deadline (performance.now()) instead of throwing.
 */
export async function waitQuiet(
  sys: TestSystem,
  deadline: number,
  extra: () => boolean = () => true,
): Promise<boolean> {
  const jsm = await sys.nc.jetstreamManager();
  for (;;) {
    if (extra()) {
      const services = [...sys.stack.services.keys()].filter((n) => n !== "gateway");
      const outboxes = await Promise.all(
        services.map(async (n) => (await metrics(serviceUrl(sys, n))).junggo_outbox_pending),
      );
      if (outboxes.every((p) => p === 0)) {
        const consumers = await jsm.consumers.list(EVENT_STREAM).next();
        if (consumers.every((c) => c.num_pending === 0 && c.num_ack_pending === 0)) return true;
      }
    }
    if (performance.now() >= deadline) return false;
    await sleep(250);
  }
}
