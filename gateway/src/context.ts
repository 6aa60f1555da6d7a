import type { Viewer } from "@junggo/runtime";

/** The context of one gateway operation (HTTP request or subscription). */
export interface GatewayContext {
  viewer: Viewer | null;
  /** The signed identity forwarded to every subgraph fetch of this request (signed once). */
  forwardedIdentity?: Promise<string>;
  /** When the login behind a websocket expires (ms since epoch). */
  expiresAt?: number;
}
