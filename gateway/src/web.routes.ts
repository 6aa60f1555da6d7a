import express, { type Express } from "express";

/** The built web client at /, and its client-side routes (any other page a browser asks for). */
export function webRoutes(app: Express, webDir: string): void {
  app.use(
    express.static(webDir, {
      index: "index.html",
      maxAge: "1h",
      setHeaders: (res, path) => {
        if (path.endsWith(".html")) res.setHeader("cache-control", "no-cache");
      },
    }),
  );
  app.get(/^\/(?!graphql|healthz|readyz|metrics).*/, (req, res, next) =>
    req.accepts("html")
      ? res.sendFile("index.html", { root: webDir, headers: { "cache-control": "no-cache" } })
      : next(),
  );
}
