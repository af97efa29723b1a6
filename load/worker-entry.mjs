// A worker thread's entry: registers tsx in the thread (in Node 20 a worker does not get its parent's --import
// hooks), then loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
