// Every operation the client sends is in operations.graphql; `npm run codegen` checks them against the
// gateway's API schema and generates their typed documents (generated/operations.ts). Here they get
// the names the views use, and the shapes the views pass around get names too.
import {
  AcceptJobDocument,
  AcceptSellRequestDocument,
  CancelSellRequestDocument,
  CompleteRepairOrderDocument,
  MySellRequestsDocument,
  OpenRepairOrderDocument,
  RejectSellRequestDocument,
  RepairOrdersDocument,
  RequestQuoteDocument,
  RequestReturnDocument,
  SellRequestChangedDocument,
  SellRequestsDocument,
  SubmitSellRequestDocument,
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
  QuoteFieldsFragment as Quote,
  RepairOrderFieldsFragment as RepairOrder,
  SellRequestFieldsFragment as SellRequest,
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
export const REQUEST_RETURN = RequestReturnDocument;
export const REQUEST_QUOTE = RequestQuoteDocument;
export const SUBMIT_SELL_REQUEST = SubmitSellRequestDocument;
export const MY_SELL_REQUESTS = MySellRequestsDocument;
export const SELL_REQUESTS = SellRequestsDocument;
export const ACCEPT_SELL_REQUEST = AcceptSellRequestDocument;
export const REJECT_SELL_REQUEST = RejectSellRequestDocument;
export const CANCEL_SELL_REQUEST = CancelSellRequestDocument;
export const SELL_REQUEST_CHANGED = SellRequestChangedDocument;
export const REPAIR_ORDERS = RepairOrdersDocument;
export const OPEN_REPAIR_ORDER = OpenRepairOrderDocument;
export const COMPLETE_REPAIR_ORDER = CompleteRepairOrderDocument;
