# syntax=docker/dockerfile:1
# Traffic Map as a container: `traffic-map serve` by default, any other command as arguments
# (`docker run --rm -v "$PWD/manifests:/m:ro" IMAGE unprotected --fail /m`).
# Nothing builds this file in the project's own CI (no Docker engine there): keep it plain.
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. The dashboard: Vite builds client/ into dist/client (dev dependencies, no install scripts needed).
FROM ${NODE_IMAGE} AS client
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json vite.config.ts ./
COPY client ./client
COPY shared ./shared
RUN npm run build

# 2. Production dependencies only. better-sqlite3 is native: the tools build it where no
#    prebuilt binary fits, and stay in this stage.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The image: the TypeScript sources (tsx runs them), the built dashboard, no build tools, no
#    secrets, not root. It runs with a read-only root filesystem: tsx keeps no compile cache, and
#    the history goes to /data (mount a volume there to keep it; /tmp is for the simulated cluster).
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    TSX_DISABLE_CACHE=1 \
    XDG_DATA_HOME=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY server ./server
COPY shared ./shared
COPY --from=client /src/dist/client ./dist/client
# The `node` user of the base image, by number so that Kubernetes can check runAsNonRoot.
RUN mkdir -m 0700 /data && chown 1000:1000 /data
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TRAFFIC_MAP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=32", "bin/traffic-map.js"]
# Off loopback it needs a token: docker run -e TRAFFIC_MAP_TOKEN=... -p 127.0.0.1:8080:8080 IMAGE
CMD ["serve", "--host", "0.0.0.0"]
