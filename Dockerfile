# One image for every 3T service; the command chooses which one runs, e.g.
#   docker run 3t node dist/inference.mjs
# `pnpm build` bundles each service (and the CLI and the deploy helpers) into dist/*.mjs with
# esbuild: production runs plain node, no TypeScript loader. Only production dependencies stay in
# the image: native dev-only addons (talib, the numeric test oracle) never reach it.
# Build with BuildKit (DOCKER_BUILDKIT=1 docker build .): the cache mounts keep pnpm's store.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: every dependency from the lockfile, then the bundles -----------------------------
FROM ${NODE_IMAGE} AS build
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@12 && pnpm --version
WORKDIR /app
# The lockfile, workspace file and patches are enough to download every package (cached layer).
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --ignore-scripts
COPY . .
# No install scripts: the bundler's binary is an ordinary dependency, and talib (dev only, the
# one native addon) is not needed to bundle.
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --ignore-scripts && pnpm build

# --- deps: production dependencies only, at the same paths as in the build stage ------------
# The bundles import npm packages by their path under /app/node_modules/.pnpm, which the
# lockfile fixes, so a production install in /app gives the same paths.
FROM build AS deps
RUN rm -rf node_modules packages/*/node_modules services/*/node_modules
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --prod --frozen-lockfile --offline --ignore-scripts \
 && ! ls node_modules/.pnpm | grep -q "^talib@" \
 && node dist/cli.mjs --help >/dev/null

# --- runtime: dist/ and the production node_modules, run as a non-root user -----------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    TT_CONFIG=/etc/3t/config.yml \
    TT_SECRETS=/etc/3t/secrets.yml \
    TT_LISTEN_HOST=0.0.0.0 \
    TT_HEALTH_PORT=9101
WORKDIR /app
COPY --from=deps --chown=root:root /app /app
# /run/3t-secrets: the docker-compose `secret-files` volume takes this owner when first created.
RUN mkdir -p /etc/3t /run/3t-secrets && chown node:node /run/3t-secrets
USER node
# Every service answers /healthz on its telemetry port; docker-compose sets TT_HEALTH_PORT per
# service (config.yml telemetry.ports).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs"]
EXPOSE 9101 9102 9103 9104 9105
CMD ["node", "dist/market-feed.mjs"]
