# The local equivalent of haproxy:2.6: Debian's haproxy 2.6 package on Debian minbase, run as the
# package's user `haproxy` in master-worker mode in the foreground, stopped by SIGUSR1 (a soft
# stop), with its configuration where the official image reads it. Built by tools/docker-setup.mjs.
ARG BASE
FROM ${BASE}
RUN apt-get update -q \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends haproxy \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /usr/local/etc/haproxy \
  && cp /etc/haproxy/haproxy.cfg /usr/local/etc/haproxy/haproxy.cfg
USER haproxy
STOPSIGNAL SIGUSR1
CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
