// Bench scenario: GET /plain back to back (no cookies to speak of, no checks but the status), one record each.
import { defineScenario } from "../scenario-api.ts";
import { looping } from "./looping.ts";

export default looping(
  defineScenario({
    name: "plain-get",
    newState: () => ({}),
    async iteration({ http, record }) {
      const res = await http.request("GET", "/plain");
      record.request("plain", res, res.answer.status === 200 ? "ok" : "other");
    },
  }),
);
