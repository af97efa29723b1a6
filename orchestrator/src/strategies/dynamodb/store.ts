// The DynamoDB session store, described once: DynamoDB Local as a child process on the local
// platform, the dynamodb-local image plus a store-init job in compose, the stack's table on ec2.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createSessionTable } from "../../../../target-app/src/stores/dynamodb-table.ts";
import { startDynamoDbLocal } from "../../platforms/local/dynamodb-local.ts";
import type { SessionStoreKind } from "../types.ts";

const table = "sessions";
const region = "us-east-1";
/** Dummy keys: DynamoDB Local takes any; the apps never see the user's own credentials. */
const localKeys = { accessKeyId: "local", secretAccessKey: "local" };
const composeService = "dynamodb";
const composeInit = "store-init";
const composeEnv = { DYNAMODB_ENDPOINT: `http://${composeService}:8000`, DYNAMODB_TABLE: table, AWS_REGION: region };

export const dynamodbStore: SessionStoreKind = {
  name: "dynamodb",
  shared: true,
  local: {
    title: "DynamoDB Local",
    async start({ port, dataDir, logFile, first, signal }) {
      const store = await startDynamoDbLocal({ port, dbPath: dataDir, logFile, signal });
      if (first) {
        await createSessionTable(
          new DynamoDBClient({ endpoint: store.endpoint, region, credentials: localKeys }),
          table,
        );
      }
      return {
        child: store.child,
        appEnv: {
          DYNAMODB_ENDPOINT: store.endpoint,
          DYNAMODB_TABLE: table,
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: localKeys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localKeys.secretAccessKey,
        },
        version: `${store.version} (${dataDir ? "on disk" : "in memory"})`,
      };
    },
    describe: {
      start: ({ dataDir, port }) =>
        `java -jar DynamoDBLocal.jar ${dataDir ? `-dbPath ${dataDir}` : "-inMemory"} -sharedDb -port ${port}`,
      stop: () => "kill -KILL <pid of DynamoDB Local>   # data kept in store-data/",
    },
  },
  compose: {
    service: composeService,
    imageRole: "dynamodb",
    initService: composeInit,
    appEnv: composeEnv,
    // init: true: java as PID 1 ignores SIGTERM (every stop and down would wait out 10 s).
    services(network, appImage, image) {
      return {
        // The database lives in the container's own layer (-dbPath .): a store-down (kill) and
        // store-up (start) keep it; `down` removes it with the container.
        [composeService]: {
          image,
          init: true,
          command: [
            "-Djava.library.path=./DynamoDBLocal_lib",
            "-jar",
            "DynamoDBLocal.jar",
            "-sharedDb",
            "-dbPath",
            ".",
          ],
          working_dir: "/home/dynamodblocal",
          restart: "no",
          networks: [network],
        },
        // One-shot job, run by the platform after `up` (`run --rm store-init`): creates the table.
        [composeInit]: {
          image: appImage,
          init: true,
          profiles: ["init"],
          command: ["node", "--enable-source-maps", "store-init.cjs"],
          environment: composeEnv,
          healthcheck: { disable: true },
          restart: "no",
          networks: [network],
        },
      };
    },
  },
  ec2: { version: "DynamoDB table (the stack's)" },
};
