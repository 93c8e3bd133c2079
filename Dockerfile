# syntax=docker/dockerfile:1
# plex-warden in a container. Build: docker build -t plex-warden .   Run: see compose.yaml.

# ── build: compile TypeScript with the dev dependencies ──────────────────────
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# `prepare` runs the build (tsc -p tsconfig.build.json) as part of npm ci.
RUN npm ci --no-audit --no-fund && npm run build

# ── deps: production dependencies only, after the build ──────────────────────
FROM build AS deps
RUN rm -rf node_modules \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3

# ── runtime ──────────────────────────────────────────────────────────────────
FROM node:20-bookworm-slim AS runtime
# The malloc settings with the flags on ENTRYPOINT keep RSS near 100 MB under load (bench soak).
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    DATABASE_PATH=/data/plex-warden.sqlite \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=32768
# Only for FIREWALL_BACKEND=nftables (and run with cap_add NET_ADMIN):
# RUN apt-get update && apt-get install -y --no-install-recommends nftables && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 plexwarden \
 && useradd --system --uid 10001 --gid plexwarden --home-dir /data --shell /usr/sbin/nologin plexwarden \
 && install -d -o plexwarden -g plexwarden -m 0750 /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json README.md .env.example ./
USER plexwarden:plexwarden
VOLUME /data
# Lightweight: the database opens and is writable. `docker exec ... doctor` runs every probe.
HEALTHCHECK --interval=60s --timeout=15s --start-period=30s --retries=3 \
  CMD ["node", "dist/cli.js", "doctor", "--only", "database"]
# SIGTERM from `docker stop` shuts down cleanly; give it the grace period in compose.yaml.
STOPSIGNAL SIGTERM
# A small young generation and V8's memory-over-speed mode; not in NODE_OPTIONS, which refuses
# --optimize-for-size (https://nodejs.org/api/cli.html#node_optionsoptions).
ENTRYPOINT ["node", "--max-semi-space-size=2", "--optimize-for-size", "dist/cli.js"]
CMD ["bot"]
