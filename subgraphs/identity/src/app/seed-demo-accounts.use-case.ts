import { DomainError, type Logger } from "@junggo/runtime";
import type { RegisterAccount, RegisterAccountInput } from "./register-account.use-case.ts";

const DEMO_PASSWORD = "junggo-demo";

export const DEMO_ACCOUNTS: readonly RegisterAccountInput[] = [
  { email: "buyer@junggo.test", name: "Kim Minjun", role: "BUYER", password: DEMO_PASSWORD },
  { email: "buyer2@junggo.test", name: "Lee Seoyeon", role: "BUYER", password: DEMO_PASSWORD },
  { email: "seller@junggo.test", name: "Park Jihoon", role: "SELLER", password: DEMO_PASSWORD },
  { email: "seller2@junggo.test", name: "Yoon Hana", role: "SELLER", password: DEMO_PASSWORD },
  { email: "staff@junggo.test", name: "Choi Yuna", role: "STAFF", password: DEMO_PASSWORD },
  { email: "driver@junggo.test", name: "Jung Hyunwoo", role: "DRIVER", password: DEMO_PASSWORD },
  { email: "driver2@junggo.test", name: "Kang Doyun", role: "DRIVER", password: DEMO_PASSWORD },
];

/** Idempotent: an existing email is left as it is (its password is not reset). */
export async function seedDemoAccounts(register: RegisterAccount, log: Logger): Promise<number> {
  let created = 0;
  for (const input of DEMO_ACCOUNTS) {
    try {
      await register(input);
      created++;
    } catch (err) {
      if (!(err instanceof DomainError && err.code === "EMAIL_TAKEN")) throw err;
    }
  }
  log.info("demo accounts", { created, existing: DEMO_ACCOUNTS.length - created });
  return created;
}
