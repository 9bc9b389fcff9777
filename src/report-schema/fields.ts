// The building blocks of the report schema, each with the message a user reads when a
// report.json does not match (describeIssue shows it as it is, with the value found).

import { z } from "zod";

export const num = z.number({ error: "must be a number" });
export const str = z.string({ error: "must be a string" });
export const bool = z.boolean({ error: "must be true or false" });
export const count = z.number({ error: "must be a whole number ≥ 0" }).int({ error: "must be a whole number ≥ 0" }).min(0, { error: "must be a whole number ≥ 0" });

/** An array of `item`. */
export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: "must be an array" });
}

/** An object of `shape` (keys it does not name are left out when read: a newer leakcheck may add fields). */
export function object<Shape extends z.ZodRawShape>(shape: Shape, error = "must be an object") {
  return z.object(shape, { error });
}
