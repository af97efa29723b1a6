// Bench scenario: login-profile's iterations back to back per person (cookie jar, JSON checks, records written).
import loginProfile from "../../scenarios/login-profile.ts";
import { looping } from "./looping.ts";

export default looping(loginProfile);
