# syntax=docker/dockerfile:1
# hubcast node image (docs/deploy.md). Not built in this repository's CI (no Docker there):
# keep it plain. Build from the repository root:  docker build -t hubcast .

# ---- build: every package compiled, native addons (better-sqlite3, bufferutil) built here,
# where node:20-bookworm has python3, make and g++ for when no prebuilt binary fits.
FROM node:20-bookworm AS build
WORKDIR /src
# Everything at once: `npm ci` runs the root `prepare` (tsc -b), which needs the sources.
# .npmrc comes along, as it names the packages whose install scripts may run.
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx tsc -b
# Development tools out; the compiled addons stay in node_modules for the runtime stage.
RUN npm prune --omit=dev --no-audit --no-fund

# ---- runtime: Node and the compiled node only, no compiler, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HUBCAST_DATA_DIR=/data
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages/protocol/package.json packages/protocol/
COPY --from=build /src/packages/protocol/dist packages/protocol/dist
COPY --from=build /src/packages/client/package.json packages/client/
COPY --from=build /src/packages/client/dist packages/client/dist
COPY --from=build /src/packages/server/package.json packages/server/
COPY --from=build /src/packages/server/dist packages/server/dist
COPY --from=build /src/packages/server/bin packages/server/bin
COPY --from=build /src/packages/server/web packages/server/web
# The SQLite log and store of an embedded node; a cluster node (Redis, PostgreSQL) keeps
# nothing here. The node user (uid 1000, from the base image) owns it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080

# Liveness only: /healthz answers while the process is alive, even when draining or when an
# engine is away. Readiness (/readyz) is the load balancer's business (deploy/haproxy.cfg).
# Plain HTTP on HUBCAST_PORT (8080): with --tls-cert, check from outside instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HUBCAST_PORT ?? '8080') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself, exec form: SIGTERM reaches hubcast, which drains (reconnect pushes, 4000
# closes) before it exits. Never `npx hubcast` (nor `npm start`): the npm of Node 20.3+ does
# not pass SIGTERM on (npm/cli#6547), so the node would be killed at the end of the grace
# period instead of draining.
# Flags given to `docker run` / compose `command` are appended.
ENTRYPOINT ["node", "packages/server/bin/hubcast.js", "serve", "--host", "0.0.0.0"]
