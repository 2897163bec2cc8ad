# The mirror container (Cloud Run job or worker pool): `node dist/functions/mirror.js` runs the mirror worker until
# SIGTERM (or DSC_MIRROR_RUN_SECONDS). Build after `npm run build` (dist/ is part of the context):
#   npm ci && npm run build && docker build -t dsc-mirror .
# Stage 1 installs the production dependencies only and builds the `kerberos` addon (GSSAPI) from source against
# libkrb5 and the image's own Node headers; stage 2 is the slim runtime, run as the non-root `node` user.
FROM node:22-slim AS deps
RUN export DEBIAN_FRONTEND=noninteractive && apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ libkrb5-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force \
  && cd node_modules/kerberos \
  && node /usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --nodedir=/usr/local \
  && node -e "require('kerberos')"

FROM node:22-slim
# GSSAPI at run time: libgssapi-krb5 (the addon's library) and kinit (logins from keytabs, one cache per principal).
# Mount /etc/krb5.conf (or set KRB5_CONFIG), keytabs and JKS stores as Secret Manager volumes (docs/deploy.md).
RUN export DEBIAN_FRONTEND=noninteractive && apt-get update \
  && apt-get install -y --no-install-recommends libgssapi-krb5-2 krb5-user \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY dist/ ./dist/
USER node
CMD ["node", "dist/functions/mirror.js"]
