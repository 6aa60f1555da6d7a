import { env, intEnv, PeriodicTask, type ContextModule, type Infra } from "@junggo/runtime";
import type { PrismaClient, Prisma } from "@junggo/prisma/notification";
import type { NotificationDeps } from "../app/ports.ts";
import { makeNotify, makeRecordRecipient } from "../app/notify.use-case.ts";
import { makeInbox } from "../app/notifications.query.ts";
import { makeDeliverEmails } from "../app/deliver-emails.use-case.ts";
import { prismaNotificationRepository, prismaProjectionStore } from "./notification.repository.ts";
import { notificationHandlers } from "./event.handlers.ts";
import { notificationResolvers } from "./graphql.resolvers.ts";
import { notificationLiveResolvers } from "./live.resolvers.ts";
import { DEFAULT_MAIL_FROM, smtpMailer } from "./smtp.mailer.ts";

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

  let mailerTask: PeriodicTask | null = null;
  const email = { sent: 0, failed: 0 };
  let mailer: ReturnType<typeof smtpMailer> | null = null;
  if (smtpUrl) {
    mailer = smtpMailer(smtpUrl, env("MAIL_FROM", DEFAULT_MAIL_FROM));
    const deliverEmails = makeDeliverEmails({
      repo: prismaNotificationRepository,
      db: infra.prisma,
      mailer,
      clock,
      log: infra.log,
      retryBaseMs: intEnv("MAIL_RETRY_BASE_MS", 30_000),
      leaseMs: 60_000,
    });
    // Pending emails live in the database, so a restart loses nothing; `stop` lets the email in hand finish.
    mailerTask = new PeriodicTask({
      name: "mailer pass",
      periodMs: intEnv("MAIL_POLL_MS", 1000),
      periodSetting: "MAIL_POLL_MS",
      log: infra.log,
      pass: async () => {
        const r = await deliverEmails();
        email.sent += r.sent;
        email.failed += r.failed;
      },
    }).start();
  } else {
    infra.log.info("SMTP_URL not set: notifications are in-app only (emailStatus SKIPPED)");
  }

  return {
    resolvers: {
      ...notificationResolvers(inbox),
      Subscription: notificationLiveResolvers(infra.live, inbox),
    },
    handlers: notificationHandlers({ recordRecipient: makeRecordRecipient(deps), notify: makeNotify(deps) }),
    // The handlers' repository calls are plain SQL (notification.repository.ts): no Prisma client per event.
    rawHandlers: true,
    health: () => ({ email: mailerTask ? { ...email } : "disabled" }),
    stop: async () => {
      await mailerTask?.stop();
      mailer?.close();
    },
  };
}
