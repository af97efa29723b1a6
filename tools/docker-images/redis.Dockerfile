# The local equivalent of redis:7.0: Debian's redis-server 7.0 package on Debian minbase, run in the
# foreground as the package's user `redis`, data in /data, listening on every interface of the
# container (protected mode off: only the compose project's private network reaches it). Built by
# tools/docker-setup.mjs; the compose platform uses it where a store names the image role redis.
ARG BASE
FROM ${BASE}
RUN apt-get update -q \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data"]
