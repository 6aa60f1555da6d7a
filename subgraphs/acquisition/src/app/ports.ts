import type { Logger, SqlReader, SqlTx } from "@junggo/runtime";
import type { Quote } from "../domain/quote.ts";
import type { Comparable } from "../domain/quote-estimator.ts";
import type { SellRequest, SellRequestStatus } from "../domain/sell-request.ts";

/** A car as stock last described it (acquisition's own projection of stock's events). */
export interface MarketCar {
  vehicleId: string;
  vin: string;
  make: string;
  model: string;
  year: number;
  mileageKm: number;
  priceKrw: number;
  /** AVAILABLE, RESERVED, SOLD, IN_REPAIR or WITHDRAWN. */
  status: string;
  listedAt: Date;
  soldAt: Date | null;
}

export interface AcquisitionRepository {
  insertQuote(tx: SqlTx, q: Quote): Promise<void>;
  quoteById(db: SqlReader, id: string): Promise<Quote | null>;

  /** False when the quote already has a sell request (one sell request per quote). */
  insertSellRequest(tx: SqlTx, s: SellRequest): Promise<boolean>;
  /** Loads for a change and locks the row until the transaction ends. */
  lockSellRequest(tx: SqlTx, id: string): Promise<SellRequest | null>;
  saveSellRequest(tx: SqlTx, s: SellRequest): Promise<void>;
  sellRequestById(db: SqlReader, id: string): Promise<SellRequest | null>;
  /** The sell request that allocated this stock vehicle, if any. */
  sellRequestIdByVehicle(db: SqlReader, vehicleId: string): Promise<string | null>;
  /** Newest first. */
  listSellRequests(
    db: SqlReader,
    filter: { sellerId?: string; status?: SellRequestStatus },
    first: number,
  ): Promise<SellRequest[]>;

  /** Claims the VIN for a live sell request; false when another live request holds it. */
  claimVin(tx: SqlTx, vin: string, sellRequestId: string): Promise<boolean>;
  releaseVin(tx: SqlTx, sellRequestId: string): Promise<void>;

  /** Listings and sales of one make and model within [yearFrom, yearTo], case-insensitive. */
  comparables(
    db: SqlReader,
    make: string,
    model: string,
    yearFrom: number,
    yearTo: number,
  ): Promise<Comparable[]>;
  marketCarByVin(db: SqlReader, vin: string): Promise<MarketCar | null>;
  marketCarById(db: SqlReader, vehicleId: string): Promise<MarketCar | null>;
  upsertMarketCar(tx: SqlTx, car: MarketCar): Promise<void>;
  /** Sets the status (and soldAt when given); false when the car is unknown. */
  setMarketStatus(tx: SqlTx, vehicleId: string, status: string, soldAt?: Date): Promise<boolean>;
}

export interface QuotePolicySettings {
  /** ACQUISITION_DEALER_MARGIN: share of the market value the dealer keeps. */
  dealerMargin: number;
  /** ACQUISITION_FALLBACK_NEW_PRICE_KRW: the reference new price when no comparable exists. */
  fallbackNewPriceKrw: number;
}

export interface AcquisitionDeps {
  repo: AcquisitionRepository;
  /** One transaction for state and outbox. */
  transact<R>(fn: (tx: SqlTx) => Promise<R>): Promise<R>;
  /** Reads outside any transaction. */
  reader: SqlReader;
  clock(): Date;
  newId(): string;
  log: Logger;
  policy: QuotePolicySettings;
}
