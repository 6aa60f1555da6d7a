# One image for every Junggo service; docker-compose.yml picks the entry point per service.
# Services run as compiled JavaScript (packages/devstack/build.mjs), built here once.
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm i -g pnpm@10
COPY . .
RUN pnpm install --frozen-lockfile && node prisma/generate.mjs && node packages/devstack/build.mjs && pnpm --filter @junggo/web build
ENV NODE_ENV=production HOST=0.0.0.0 MALLOC_ARENA_MAX=2
# uid/gid 1000: mounted secrets (the signing key file) must be readable by it (docs/deployment.md).
USER node
