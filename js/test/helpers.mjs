// Shared by the vector tests: the vector files (../shared/vectors beside the repository, or
// $COUNTERMARK_VECTORS), the `expect` words mapped to error classes, and the server verdict of a request.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as cm from "countermark";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = join(here, "..", "..");
export const VECTORS = process.env.COUNTERMARK_VECTORS || join(REPO, "..", "shared", "vectors");

const cache = new Map();
export function loadVectors(name) {
  if (!cache.has(name)) cache.set(name, JSON.parse(readFileSync(join(VECTORS, name), "utf8")));
  return cache.get(name);
}

/** `expect` word -> the exact class the binding must throw. */
export const EXACT_ERRORS = {
  bad_signature: cm.BadSignature,
  expired: cm.Expired,
  not_yet_valid: cm.NotYetValid,
  malformed: cm.Malformed,
  too_long: cm.TooLarge,
  unknown_key: cm.UnknownKey,
  replayed: cm.Replayed,
  unsupported_algorithm: cm.UnsupportedAlgorithm,
  invalid_value: cm.InvalidValue,
};

/** `expect` word -> base classes any subclass of which is acceptable. */
export const LOOSE_ERRORS = {
  config_error: [cm.ConfigurationError],
  rejected: [cm.InvalidToken],
  error: [cm.CountermarkError, TypeError],
};

/** Calls `fn` and checks it throws what the vectors' `expect` word means; returns the error. */
export function assertThrowsExpect(caseId, expect, fn) {
  let result;
  try {
    result = fn();
  } catch (e) {
    if (expect in EXACT_ERRORS) {
      const wanted = EXACT_ERRORS[expect];
      assert.equal(e.constructor, wanted, `${caseId}: expected ${wanted.name} for ${expect}, got ${e.name}: ${e.message}`);
      if (expect !== "too_long") assert.equal(e.reason, expect, `${caseId}: reason`);
    } else if (expect in LOOSE_ERRORS) {
      assert.ok(
        LOOSE_ERRORS[expect].some((c) => e instanceof c),
        `${caseId}: expected one of ${LOOSE_ERRORS[expect].map((c) => c.name)} for ${expect}, got ${e.name}: ${e.message}`,
      );
    } else {
      assert.fail(`${caseId}: no error mapping for expect=${expect}`);
    }
    return e;
  }
  assert.fail(`${caseId}: expected ${expect} but the call returned ${JSON.stringify(result)}`);
}

export const NOT_APPLICABLE = Symbol("not_applicable");

/**
 * A server's verdict, as the Rust and Python vector tests compute it: `parse()` returning null means the request
 * is not of this scheme (`not_applicable`); otherwise `verify(credentials)` decides. Returns
 * `[credentials, verified]` for `valid`, else null.
 */
export function checkServer(caseId, expect, parse, verify) {
  const server = () => {
    const creds = parse();
    if (creds === null) return NOT_APPLICABLE;
    return [creds, verify(creds)];
  };
  if (expect === "valid") {
    const got = server();
    assert.notEqual(got, NOT_APPLICABLE, `${caseId}: parse returned null (not applicable) for a valid request`);
    return got;
  }
  if (expect === "not_applicable") {
    assert.equal(server(), NOT_APPLICABLE, `${caseId}: expected not_applicable`);
    return null;
  }
  assertThrowsExpect(caseId, expect, server);
  return null;
}

/**
 * Runs `op(case)` for every case of `file` as its own test, then checks the file holds `expectedCount` cases,
 * with unique ids, each driven to completion.
 */
export function vectorSuite(test, file, expectedCount, ops) {
  const data = loadVectors(file);
  const ran = new Set();
  for (const c of data.cases) {
    test(`${file} ${c.id}`, () => {
      const op = ops[c.op];
      assert.ok(op, `${c.id}: unknown op ${c.op}`);
      op(c);
      ran.add(c.id);
    });
  }
  test(`${file}: ${expectedCount} cases, every one run`, () => {
    const ids = data.cases.map((c) => c.id);
    assert.equal(ids.length, expectedCount, `${file}: ${ids.length} cases, expected ${expectedCount}`);
    assert.equal(new Set(ids).size, ids.length, `${file}: duplicate case ids`);
    assert.deepEqual(ids.filter((i) => !ran.has(i)), [], `${file}: cases not run to completion`);
  });
}

export const hex = (text) => Uint8Array.from(Buffer.from(text, "hex"));
export const utf8 = (text) => new TextEncoder().encode(text);
export const b64 = (bytes) => Buffer.from(bytes).toString("base64");
export const unb64 = (text) => Uint8Array.from(Buffer.from(text, "base64"));
