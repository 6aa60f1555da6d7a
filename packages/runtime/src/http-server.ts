import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A process's HTTP server: created at once, listening when `listen` is called. */
export class HttpServer {
  readonly server: Server;
  private closed: Promise<void> | null = null;

  constructor(app: RequestListener) {
    this.server = createServer(app);
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Stops accepting connections and closes idle ones; resolves once every connection ended. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeIdleConnections();
    });
    return this.closed;
  }
}
