import { PeriodicTask, type ContextModule, type Infra, type SettingsOf } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/consignment";
import type { consignmentSettings } from "../consignment.config.ts";
import type { ConsignmentDeps } from "../app/ports.ts";
import { makeAcceptConsignment } from "../app/accept-consignment.use-case.ts";
import { makePickUpConsignment } from "../app/pick-up-consignment.use-case.ts";
import { makeCompleteConsignment } from "../app/complete-consignment.use-case.ts";
import { makeRequestDelivery } from "../app/request-delivery.use-case.ts";
import { makeCancelDelivery } from "../app/cancel-delivery.use-case.ts";
import { makeRequestReturnPickup, makeRequestSellerPickup } from "../app/open-job.use-case.ts";
import { makeCancelSaleJobs } from "../app/cancel-sale-jobs.use-case.ts";
import { makeConsignmentQueries } from "../app/consignments.query.ts";
import { makeEscalateOverdueConsignments } from "../app/escalate-overdue-consignments.use-case.ts";
import { prismaConsignmentRepository } from "./consignment.repository.ts";
import { consignmentResolvers } from "./graphql.resolvers.ts";
import { consignmentHandlers } from "./event.handlers.ts";
import { consignmentLiveResolvers } from "./live.resolvers.ts";

type Tx = Prisma.TransactionClient;

/** Wires the consignment context: repository, use cases, GraphQL resolvers and event handlers. */
export function buildConsignmentModule(
  infra: Infra<PrismaClient, Tx>,
  settings: SettingsOf<typeof consignmentSettings>,
): ContextModule<Tx> {
  const etaMinutes = settings.deliveryEtaMinutes;

  const deps: ConsignmentDeps<Tx> = {
    repo: prismaConsignmentRepository,
    transact: infra.transact,
    clock: () => new Date(),
    log: infra.log,
    etaMinutes,
  };
  const dispatchTimeoutMinutes = settings.dispatchTimeoutMinutes;
  // Jobs nobody accepts in time are escalated and offered again (never a silent stall).
  const sweep = new PeriodicTask({
    name: "dispatch sweep",
    periodMs: settings.dispatchSweepMs,
    periodSetting: "DISPATCH_SWEEP_MS",
    pass: makeEscalateOverdueConsignments(deps, dispatchTimeoutMinutes * 60_000),
    log: infra.log,
  });

  const commands = {
    accept: makeAcceptConsignment(deps),
    pickUp: makePickUpConsignment(deps),
    complete: makeCompleteConsignment(deps),
  };
  return {
    resolvers: {
      ...consignmentResolvers(makeConsignmentQueries(prismaConsignmentRepository, infra.prisma), commands),
      Subscription: consignmentLiveResolvers(infra.live, prismaConsignmentRepository, infra.prisma),
    },
    handlers: consignmentHandlers({
      requestDelivery: makeRequestDelivery(deps),
      cancelDelivery: makeCancelDelivery(deps),
      requestReturnPickup: makeRequestReturnPickup(deps),
      requestSellerPickup: makeRequestSellerPickup(deps),
      cancelSaleJobs: makeCancelSaleJobs(deps),
    }),
    // The handlers' repository calls are plain SQL (consignment.repository.ts): no Prisma client per event.
    rawHandlers: true,
    health: () => ({ deliveryEtaMinutes: etaMinutes, dispatchTimeoutMinutes }),
    start: () => {
      sweep.start();
    },
    stop: async () => {
      await sweep.stop();
    },
  };
}
