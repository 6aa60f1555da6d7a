// Every operation the client sends is in operations.graphql; `npm run codegen` checks them against the
// gateway's API schema and generates their typed documents (generated/operations.ts). Here they get
// the names the views use, and the shapes the views pass around get names too.
import {
  AcceptJobDocument,
  CancelPurchaseDocument,
  CompleteJobDocument,
  DeliveryChangedDocument,
  LoginDocument,
  MarkAllReadDocument,
  MarkReadDocument,
  MeDocument,
  MyJobsDocument,
  MyPurchasesDocument,
  NotificationReceivedDocument,
  NotificationsDocument,
  OpenJobsDocument,
  PickUpJobDocument,
  PurchaseChangedDocument,
  RegisterVehicleDocument,
  RequestPurchaseDocument,
  StockSummaryDocument,
  VehicleDocument,
  VehiclesDocument,
} from "./generated/operations.ts";

export type {
  ConsignmentFieldsFragment as Consignment,
  PurchaseFieldsFragment as Purchase,
  RegisterVehicleInput,
  VehicleFieldsFragment as Vehicle,
  VehicleFilter,
} from "./generated/operations.ts";

export const LOGIN = LoginDocument;
export const ME = MeDocument;
export const VEHICLES = VehiclesDocument;
export const VEHICLE = VehicleDocument;
export const REQUEST_PURCHASE = RequestPurchaseDocument;
export const CANCEL_PURCHASE = CancelPurchaseDocument;
export const MY_PURCHASES = MyPurchasesDocument;
export const PURCHASE_CHANGED = PurchaseChangedDocument;
export const DELIVERY_CHANGED = DeliveryChangedDocument;
export const OPEN_JOBS = OpenJobsDocument;
export const MY_JOBS = MyJobsDocument;
export const ACCEPT_JOB = AcceptJobDocument;
export const PICK_UP_JOB = PickUpJobDocument;
export const COMPLETE_JOB = CompleteJobDocument;
export const STOCK_SUMMARY = StockSummaryDocument;
export const REGISTER_VEHICLE = RegisterVehicleDocument;
export const NOTIFICATIONS = NotificationsDocument;
export const NOTIFICATION_RECEIVED = NotificationReceivedDocument;
export const MARK_READ = MarkReadDocument;
export const MARK_ALL_READ = MarkAllReadDocument;
