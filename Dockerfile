# The bridge (docker-compose.yml, service "bridge").
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
# backups: restic, and pg_dump/psql of the server's major version (PostgreSQL 15 in docker-compose.yml)
RUN apt-get update && apt-get install -y --no-install-recommends restic postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# the rules shared with saas_master (src/contract.ts reads it next to dist/, at ../odoo-addons/...)
COPY odoo-addons/saas_master/contract ./odoo-addons/saas_master/contract
# Runs as root on purpose: it drives dockerd through the mounted socket (root-equivalent in any
# case) and hands tenant data directories to uid 101.
EXPOSE 3000
CMD ["node", "dist/main.js"]
