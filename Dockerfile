# Handoff server image. Runs the compiled server (dist/main.js), built in the image by esbuild, a regular
# dependency (tsx is built on it), so `npm ci --omit=dev` is all it needs: no TypeScript compiler in the image.

# better-sqlite3 (the embedded store) is a native module: it is built, when no prebuilt binary
# fits, with the tools this stage has and the final image does not.
FROM node:20-slim AS dependencies
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The dashboard (served at /) is built with the dev dependencies (Vite, React...), which the final image does not need:
# only the built files are copied over. No install scripts: nothing native is needed for a Vite build.
FROM node:20-slim AS dashboard
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY dashboard ./dashboard
RUN npm run dashboard:build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json package-lock.json ./

COPY tsconfig.json ./
COPY src ./src
COPY scripts/build-server.ts scripts/source-hash.ts ./scripts/
RUN node --import tsx scripts/build-server.ts
COPY --from=dashboard /app/dashboard/dist ./dashboard/dist

# The embedded store (used when MONGODB_URL is not set) writes here; the server runs as `node`.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

ENV HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/app/data
EXPOSE 4000

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# What `npm start` runs, as PID 1 itself: Docker's SIGTERM reaches the server directly (no npm or sh
# process in between), which then shuts down gracefully (finishes requests, closes the store, exits 0).
CMD ["node", "--max-semi-space-size=64", "dist/main.js"]
