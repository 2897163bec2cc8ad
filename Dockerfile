# The mirror container (Cloud Run job or worker pool): `node dist/functions/mirror.js` runs the mirror worker until
# SIGTERM (or DSC_MIRROR_RUN_SECONDS). Build after `npm run build` (dist/ is part of the context):
#   npm ci && npm run build && docker build -t dsc-mirror .
# Stage 1 installs the production dependencies only; stage 2 is the slim runtime, run as the non-root `node` user.
FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY dist/ ./dist/
USER node
CMD ["node", "dist/functions/mirror.js"]
