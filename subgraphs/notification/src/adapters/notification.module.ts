import { env, intEnv, type ContextModule, type Infra } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/notification";
import type { NotificationDeps } from "../app/ports.ts";
import { makeNotify, makeRecordRecipient } from "../app/notify.use-case.ts";
import { makeInbox } from "../app/read-notifications.use-case.ts";
import { makeDeliverEmails } from "../app/deliver-emails.use-case.ts";
import { prismaNotificationRepository, prismaProjectionStore } from "./notification.repository.ts";
import { notificationHandlers } from "./event.handlers.ts";
import { notificationResolvers } from "./graphql.resolvers.ts";
import { notificationLiveResolvers } from "./live.resolvers.ts";
import { DEFAULT_MAIL_FROM, smtpMailer } from "./smtp.mailer.ts";
import { MailerWorker } from "./mailer.worker.ts";

type Tx = Prisma.TransactionClient;

/** Wires the notification context: projections, inbox, live feed and (with SMTP_URL) the mailer. */
export function buildNotificationModule(infra: Infra<PrismaClient, Tx>): ContextModule<Tx> {
  const smtpUrl = process.env.SMTP_URL || undefined;
  const clock = () => new Date();
  const deps: NotificationDeps<Tx> = {
    projections: prismaProjectionStore,
    notifications: prismaNotificationRepository,
    clock,
    log: infra.log,
    emailEnabled: !!smtpUrl,
  };
  const inbox = makeInbox(prismaNotificationRepository, infra.prisma, clock);

  let worker: MailerWorker | null = null;
  let mailer: ReturnType<typeof smtpMailer> | null = null;
  if (smtpUrl) {
    mailer = smtpMailer(smtpUrl, env("MAIL_FROM", DEFAULT_MAIL_FROM));
    worker = new MailerWorker({
      pass: makeDeliverEmails({
        repo: prismaNotificationRepository,
        db: infra.prisma,
        mailer,
        clock,
        log: infra.log,
        retryBaseMs: intEnv("MAIL_RETRY_BASE_MS", 30_000),
        leaseMs: 60_000,
      }),
      pollMs: intEnv("MAIL_POLL_MS", 1000),
      log: infra.log,
    });
    worker.start();
  } else {
    infra.log.info("SMTP_URL not set: notifications are in-app only (emailStatus SKIPPED)");
  }

  return {
    resolvers: {
      ...notificationResolvers(inbox),
      Subscription: notificationLiveResolvers(infra.live, inbox),
    },
    handlers: notificationHandlers({ recordRecipient: makeRecordRecipient(deps), notify: makeNotify(deps) }),
    health: () => ({ email: worker ? { sent: worker.sent, failed: worker.failed } : "disabled" }),
    stop: async () => {
      await worker?.stop();
      mailer?.close();
    },
  };
}
