# TsOcpp as a container: Node 20 LTS, compiled to plain JS, production dependencies only.
#   docker build -t tsocpp .
#   docker run --rm tsocpp --help
# The default command joins a manager's bus as the standalone module `ocpp` on the broker `mosquitto`;
# docker-compose.yml runs it that way and on the embedded config service (see README.md, Docker compose).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 is a native addon: npm fetches a prebuilt binary where one fits, else compiles it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY tools/build.mjs ./tools/build.mjs
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TSOCPP_LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yaml ./
COPY bin ./bin
COPY interfaces ./interfaces
COPY types ./types
COPY releases ./releases
COPY config ./config
# The device model, security log and outbox live in /data (a volume; device_model_db points there).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# Only used when TsOcpp runs its embedded broker (--host 0.0.0.0 --port 1883).
EXPOSE 1883
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--module", "ocpp", "--mqtt_broker_host", "mosquitto", "--mqtt_broker_port", "1883"]
