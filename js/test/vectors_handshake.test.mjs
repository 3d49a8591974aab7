// Every case of shared/vectors/handshake.json (handshake 0.2.1) through the JavaScript package; mirrors
// python/tests/test_vectors_handshake.py case by case.
import test from "node:test";
import assert from "node:assert/strict";
import { Clock, HmacKey, Tokens } from "countermark";
import { assertThrowsExpect, hex, vectorSuite } from "./helpers.mjs";

/** The secret as the reference got it: the string when it was a string, else the bytes. */
function secret(c) {
  if (c.secret_type === "str") {
    assert.deepEqual(new TextEncoder().encode(c.secret), hex(c.secret_hex), c.id);
    return c.secret;
  }
  return hex(c.secret_hex);
}

/** The vectors name handshake's hashlib function (`sha256`); the API takes the one spelling (`hmac-sha256`). */
const algorithm = (c) => `hmac-${c.hashfunc}`;

function tokens(c, now) {
  const options = { clock: Clock.fixed(Number(now)) };
  if (c.random_len !== undefined && c.random_len !== null) options.randomLen = c.random_len;
  return new Tokens(new HmacKey(secret(c), algorithm(c)), options);
}

/** handshake's time_range: 0 disables the check. */
function maxAge(timeRange) {
  assert.ok(Number.isInteger(timeRange) && timeRange >= 0);
  return timeRange === 0 ? undefined : timeRange;
}

function checkVerify(c, t, token, timeRange, expect, result) {
  if (expect === "valid") {
    assert.deepEqual(t.verify(token, maxAge(timeRange)).fields, [...result], c.id);
  } else {
    assertThrowsExpect(c.id, expect, () => t.verify(token, maxAge(timeRange)));
  }
}

vectorSuite(test, "handshake.json", 24, {
  "create+verify"(c) {
    const token = tokens(c, c.now).createWithRandom(c.metadata, hex(c.urandom_hex));
    assert.equal(token, c.token, c.id);
    assert.equal(token.length, c.token_length, c.id);
    assert.equal(token, `${c.message}:${c.signature}`, c.id);
    assert.ok(c.message.endsWith(c.random), c.id);
    assert.equal(token.split(":").at(-2), c.random, c.id);
    const v = c.verify;
    checkVerify(c, tokens(c, v.now), token, v.time_range, v.expect, v.result);
    if (v.expect === "valid") assert.equal(tokens(c, v.now).verify(token).timestamp, Math.trunc(c.now), c.id);
  },
  verify(c) {
    checkVerify(c, tokens(c, c.now), c.token, c.time_range, c.expect, c.result);
  },
  create(c) {
    const t = tokens(c, c.now);
    assertThrowsExpect(c.id, c.expect, () => t.create(c.metadata));
  },
  config(c) {
    assertThrowsExpect(c.id, c.expect, () => new HmacKey(secret(c), algorithm(c)));
    assertThrowsExpect(c.id, c.expect, () => new HmacKey(hex(c.secret_hex), algorithm(c)));
  },
});
