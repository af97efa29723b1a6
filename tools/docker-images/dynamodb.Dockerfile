# The local equivalent of amazon/dynamodb-local: the same release's jar and libraries, from the npm
# package the local platform runs, on Debian's OpenJDK 17 (the official image: Amazon Corretto),
# as the user `dynamodblocal` in /home/dynamodblocal, `java` as the entry point, as the official
# image has it. Built by tools/docker-setup.mjs.
ARG BASE
FROM ${BASE}
ARG DYNAMODB_RELEASE
RUN apt-get update -q \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --uid 1000 --create-home --home-dir /home/dynamodblocal --shell /bin/bash dynamodblocal
COPY --chown=1000:1000 dynamodb/ /home/dynamodblocal/
LABEL org.opencontainers.image.version=${DYNAMODB_RELEASE}
USER dynamodblocal
WORKDIR /home/dynamodblocal
ENTRYPOINT ["java"]
CMD ["-jar", "DynamoDBLocal.jar", "-inMemory"]
