// Every operation the client sends, with hand-written result and variable types.
import { gql, type TypedDocumentNode } from "@apollo/client";
import type { Account, Role } from "./auth.ts";

export type VehicleStatus = "AVAILABLE" | "RESERVED" | "SOLD";
export type PurchaseStatus = "PAID" | "DELIVERING" | "DELIVERED" | "CANCELLED";
export type PaymentStatus = "APPROVED" | "REFUNDED" | "VOIDED";
export type ConsignmentStatus = "REQUESTED" | "ASSIGNED" | "PICKED_UP" | "DELIVERED" | "CANCELLED";

export interface Vehicle {
  id: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  status: VehicleStatus;
  color: string | null;
  fuel: string | null;
}

export interface Person {
  id: string;
  name: string;
}

export interface Consignment {
  id: string;
  purchaseId: string | null;
  status: ConsignmentStatus;
  kind: string;
  eta: string | null;
  requestedAt: string | null;
  assignedAt: string | null;
  pickedUpAt: string | null;
  deliveredAt: string | null;
  driver: Person | null;
  vehicle: Pick<Vehicle, "id" | "make" | "model" | "year" | "color">;
}

export interface Purchase {
  id: string;
  status: PurchaseStatus;
  priceKrw: number;
  createdAt: string;
  cancelledAt: string | null;
  deliveredAt: string | null;
  buyer: Person;
  vehicle: Pick<Vehicle, "id" | "make" | "model" | "year" | "status">;
  payment: { id: string; status: PaymentStatus; amountKrw: number } | null;
  consignment: Pick<Consignment, "id" | "purchaseId" | "status" | "eta" | "driver"> | null;
}

export interface Notification {
  id: string;
  message: string;
  purchaseId: string | null;
  createdAt: string;
  read: boolean;
}

export interface VehicleFilter {
  make?: string;
  model?: string;
  minYear?: number;
  maxYear?: number;
  minPriceKrw?: number;
  maxPriceKrw?: number;
  maxMileageKm?: number;
  status?: VehicleStatus;
}

export interface RegisterVehicleInput {
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  color?: string;
  fuel?: string;
}

const VEHICLE_FIELDS = gql`
  fragment VehicleFields on Vehicle { id vin make model year mileageKm priceKrw status color fuel }
`;

const PURCHASE_FIELDS = gql`
  fragment PurchaseFields on Purchase {
    id status priceKrw createdAt cancelledAt deliveredAt
    buyer { id name }
    vehicle { id make model year status }
    payment { id status amountKrw }
    consignment { id purchaseId status eta driver { id name } }
  }
`;

const CONSIGNMENT_FIELDS = gql`
  fragment ConsignmentFields on Consignment {
    id purchaseId status kind eta requestedAt assignedAt pickedUpAt deliveredAt
    driver { id name }
    vehicle { id make model year color }
  }
`;

export const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token account { id email name role } } }`;
export const ME = `query Me { me { id email name role } }`;
export type LoginResult = { login: { token: string; account: Account & { role: Role } } };

export const VEHICLES: TypedDocumentNode<
  {
    vehicles: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: Vehicle }[];
    };
  },
  { filter: VehicleFilter; first: number; after?: string | null }
> = gql`
  query Vehicles($filter: VehicleFilter, $first: Int, $after: String) {
    vehicles(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...VehicleFields } }
    }
  }
  ${VEHICLE_FIELDS}
`;

export const VEHICLE: TypedDocumentNode<{ vehicle: Vehicle | null }, { id: string }> = gql`
  query Vehicle($id: ID!) { vehicle(id: $id) { ...VehicleFields } }
  ${VEHICLE_FIELDS}
`;

export const REQUEST_PURCHASE: TypedDocumentNode<{ requestPurchase: Purchase }, { vehicleId: string }> = gql`
  mutation RequestPurchase($vehicleId: ID!) { requestPurchase(input: { vehicleId: $vehicleId }) { ...PurchaseFields } }
  ${PURCHASE_FIELDS}
`;

export const CANCEL_PURCHASE: TypedDocumentNode<
  { cancelPurchase: Purchase },
  { id: string; reason?: string }
> = gql`
  mutation CancelPurchase($id: ID!, $reason: String) { cancelPurchase(id: $id, reason: $reason) { ...PurchaseFields } }
  ${PURCHASE_FIELDS}
`;

export const MY_PURCHASES: TypedDocumentNode<{ myPurchases: Purchase[] }, Record<string, never>> = gql`
  query MyPurchases { myPurchases { ...PurchaseFields } }
  ${PURCHASE_FIELDS}
`;

export const PURCHASE_CHANGED: TypedDocumentNode<
  { purchaseStatusChanged: Purchase },
  { purchaseId?: string }
> = gql`
  subscription PurchaseChanged($purchaseId: ID) { purchaseStatusChanged(purchaseId: $purchaseId) { ...PurchaseFields } }
  ${PURCHASE_FIELDS}
`;

export const DELIVERY_CHANGED: TypedDocumentNode<
  { deliveryStatusChanged: Consignment },
  { purchaseId?: string }
> = gql`
  subscription DeliveryChanged($purchaseId: ID) { deliveryStatusChanged(purchaseId: $purchaseId) { ...ConsignmentFields } }
  ${CONSIGNMENT_FIELDS}
`;

export const OPEN_JOBS: TypedDocumentNode<{ openConsignments: Consignment[] }, Record<string, never>> = gql`
  query OpenJobs { openConsignments { ...ConsignmentFields } }
  ${CONSIGNMENT_FIELDS}
`;

export const MY_JOBS: TypedDocumentNode<{ myConsignments: Consignment[] }, Record<string, never>> = gql`
  query MyJobs { myConsignments { ...ConsignmentFields } }
  ${CONSIGNMENT_FIELDS}
`;

export const ACCEPT_JOB: TypedDocumentNode<{ acceptConsignment: Consignment }, { id: string }> = gql`
  mutation AcceptJob($id: ID!) { acceptConsignment(id: $id) { ...ConsignmentFields } }
  ${CONSIGNMENT_FIELDS}
`;

export const PICK_UP_JOB: TypedDocumentNode<{ pickUpConsignment: Consignment }, { id: string }> = gql`
  mutation PickUpJob($id: ID!) { pickUpConsignment(id: $id) { ...ConsignmentFields } }
  ${CONSIGNMENT_FIELDS}
`;

export const COMPLETE_JOB: TypedDocumentNode<{ completeConsignment: Consignment }, { id: string }> = gql`
  mutation CompleteJob($id: ID!) { completeConsignment(id: $id) { ...ConsignmentFields } }
  ${CONSIGNMENT_FIELDS}
`;

export const STOCK_SUMMARY: TypedDocumentNode<
  { stockSummary: { make: string; model: string; available: number; onLot: number }[] },
  Record<string, never>
> = gql`
  query StockSummary { stockSummary { make model available onLot } }
`;

export const REGISTER_VEHICLE: TypedDocumentNode<
  { registerVehicle: Vehicle },
  { input: RegisterVehicleInput }
> = gql`
  mutation RegisterVehicle($input: RegisterVehicleInput!) { registerVehicle(input: $input) { ...VehicleFields } }
  ${VEHICLE_FIELDS}
`;

export const NOTIFICATIONS: TypedDocumentNode<
  { unreadNotificationCount: number; myNotifications: Notification[] },
  Record<string, never>
> = gql`
  query Notifications { unreadNotificationCount myNotifications(first: 30) { id message purchaseId createdAt read } }
`;

export const NOTIFICATION_RECEIVED: TypedDocumentNode<
  { notificationReceived: Notification },
  Record<string, never>
> = gql`
  subscription NotificationReceived { notificationReceived { id message purchaseId createdAt read } }
`;

export const MARK_READ: TypedDocumentNode<
  { markNotificationRead: Pick<Notification, "id" | "read"> },
  { id: string }
> = gql`
  mutation MarkRead($id: ID!) { markNotificationRead(id: $id) { id read } }
`;

export const MARK_ALL_READ: TypedDocumentNode<
  { markAllNotificationsRead: number },
  Record<string, never>
> = gql`
  mutation MarkAllRead { markAllNotificationsRead }
`;
