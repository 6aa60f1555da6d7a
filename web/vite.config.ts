import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `pnpm --filter @junggo/web dev` serves the client with hot reload and forwards /graphql (HTTP and
// graphql-ws) to the gateway of `npm run up`. `build` writes web/dist, which the gateway serves.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/graphql": {
        target: process.env.JUNGGO_GATEWAY ?? "http://127.0.0.1:4000",
        ws: true,
        changeOrigin: true,
      },
    },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
});
