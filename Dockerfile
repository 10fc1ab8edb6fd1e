# syntax=docker/dockerfile:1
# One image for every 3T service; the command chooses which one runs, e.g.
#   docker run 3t node --import tsx services/inference/src/main.ts
# Packages export their TypeScript sources and run through tsx (a production dependency), so
# there is no build step. Only production dependencies are installed: native dev-only addons
# (talib, the numeric test oracle) never reach the image.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: production dependencies of the whole workspace, from the lockfile only -------------
FROM ${NODE_IMAGE} AS deps
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@12 && pnpm --version
WORKDIR /app
# The lockfile, workspace file and patches are enough to download every package (cached layer).
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patches ./patches
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store pnpm fetch --prod
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm install --prod --frozen-lockfile --prefer-offline \
 && node --import tsx -e "import('@3t/runtime')"  \
 && ! ls node_modules/.pnpm | grep -q "^talib@"

# --- runtime: the source tree with its production node_modules, run as a non-root user --------
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
CMD ["node", "--import", "tsx", "services/market-feed/src/main.ts"]
