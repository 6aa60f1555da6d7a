import type { Logger, SqlTx } from "@junggo/runtime";
import type { EmailOutcome, Notification } from "../domain/notification.ts";
import type { Locale } from "../domain/messages.ts";

export interface Recipient {
  accountId: string;
  email: string;
  name: string;
  role: string;
  locale: Locale;
}

/**
 * The notification context's own projections of other contexts' events (open architecture: it
 * never asks them). `Db` is a transaction or the plain client.
 */
export interface ProjectionStore<Db> {
  /** Inserts or refreshes an account (AccountRegistered). */
  saveRecipient(db: Db, r: Recipient): Promise<void>;
  recipients(db: Db, accountIds: readonly string[]): Promise<Recipient[]>;
  staffIds(db: Db): Promise<string[]>;
  /** What PurchasePaid said about the purchase, for the events after it. */
  savePurchase(
    db: Db,
    p: { purchaseId: string; buyerId: string; vehicleName: string; priceKrw: number },
  ): Promise<void>;
  vehicleNameOf(db: Db, purchaseId: string): Promise<string | null>;
  /** What SellRequestSubmitted/Accepted said about a sell request, for the events after them. */
  saveSellRequest(
    db: Db,
    s: { sellRequestId: string; sellerId: string; vehicleName: string; offerKrw: number },
  ): Promise<void>;
  sellRequestVehicleNameOf(db: Db, sellRequestId: string): Promise<string | null>;
  /** Who accepted a job (ConsignmentAssigned): ConsignmentPickedUp/Cancelled do not name them. */
  saveDriver(db: Db, d: { consignmentId: string; driverId: string; driverName: string }): Promise<void>;
  driverOf(db: Db, consignmentId: string): Promise<{ id: string; name: string } | null>;
}

export interface NotificationRepository<Db> {
  /** False when this event already notified this person (unique sourceEventId + recipientId). */
  insertIfAbsent(db: Db, n: Notification): Promise<boolean>;
  findById(db: Db, id: string): Promise<Notification | null>;
  /** Newest first. */
  listForRecipient(db: Db, recipientId: string, first: number): Promise<Notification[]>;
  countUnread(db: Db, recipientId: string): Promise<number>;
  saveReadAt(db: Db, id: string, readAt: Date): Promise<void>;
  /** Marks every unread notification of the recipient read; returns how many. */
  markAllRead(db: Db, recipientId: string, now: Date): Promise<number>;
  /** PENDING emails whose next attempt is due, oldest first. */
  dueEmails(db: Db, now: Date, first: number): Promise<Notification[]>;
  /**
   * Takes one send attempt: counts it and hides the notification from other senders until
   * `leaseUntil`, only if nobody took it since it was read (`attemptsRead`). False when someone did.
   */
  claimEmail(db: Db, id: string, attemptsRead: number, leaseUntil: Date): Promise<boolean>;
  /** Records the result of attempt number `attempt`, unless another sender has taken over since. */
  recordEmailOutcome(db: Db, id: string, attempt: number, outcome: EmailOutcome): Promise<boolean>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Stable Message-ID (the notification's id): a receiving system can drop a repeat. */
  messageId: string;
}

/** Sends one email; resolves once the SMTP server accepted it, rejects otherwise. */
export interface Mailer {
  send(m: OutgoingEmail): Promise<void>;
}

export interface NotificationDeps<Tx extends SqlTx> {
  projections: ProjectionStore<Tx>;
  notifications: NotificationRepository<Tx>;
  clock(): Date;
  log: Logger;
  /** Whether new notifications are queued for email (SMTP_URL is set). */
  emailEnabled: boolean;
}
