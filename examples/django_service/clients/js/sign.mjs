#!/usr/bin/env node
// The JavaScript request signer of the Django demo: the npm package of js/ (built by `make js`), with the one
// interface of the other signers (../README.md):
//
//   node sign.mjs SCHEME --key-id ID --method M --url URL [--body-file F] [--content-type CT] [--user NAME]
//                 [--private-key-file PEM]
//
// SCHEME: hmac, fost, rfc9421 or jwt. The shared secret comes from COUNTERMARK_SECRET (strict base64). Prints one
// `Name: value` line per header to add; exit 2 for usage and configuration errors, 1 when the library refuses.
import { readFileSync } from "node:fs";
import {
  ApiSecret, ConfigurationError, CountermarkError, FostScheme, HmacHeaderScheme, HttpSignatureScheme, JwtScheme,
  SigningKey,
} from "../../../../js/dist/index.mjs";

class Usage extends Error {}

function parseArgs(argv) {
  const [scheme, ...rest] = argv;
  if (!["hmac", "fost", "rfc9421", "jwt"].includes(scheme)) throw new Usage(`unknown scheme ${JSON.stringify(scheme)}`);
  const known = ["key-id", "method", "url", "body-file", "content-type", "user", "private-key-file"];
  const opts = {};
  for (let i = 0; i < rest.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(rest[i]);
    if (!m || !known.includes(m[1])) throw new Usage(`unknown argument ${JSON.stringify(rest[i])}`);
    if (m[1] in opts) throw new Usage(`--${m[1]} given twice`);
    const value = m[2] !== undefined ? m[2] : rest[++i];
    if (value === undefined) throw new Usage(`--${m[1]} needs a value`);
    opts[m[1]] = value;
  }
  for (const name of ["method", "url"]) if (!(name in opts)) throw new Usage(`--${name} is required`);
  if (!/^https?:\/\//.test(opts.url)) throw new Usage("--url must be absolute (http:// or https://)");
  if (scheme === "jwt") {
    for (const name of ["user", "private-key-file"]) if (!(name in opts)) throw new Usage(`--${name} is required for jwt`);
  } else if (!("key-id" in opts)) {
    throw new Usage(`--key-id is required for ${scheme}`);
  }
  return { scheme, opts };
}

function signer(scheme, opts) {
  if (scheme === "jwt") {
    return new JwtScheme(SigningKey.fromPem(readFileSync(opts["private-key-file"], "utf8")), opts.user);
  }
  const text = process.env.COUNTERMARK_SECRET;
  if (!text) throw new Usage("COUNTERMARK_SECRET is not set");
  const secret = ApiSecret.fromBase64Strict(text);
  const keyId = opts["key-id"];
  if (scheme === "hmac") return new HmacHeaderScheme(keyId, secret, "hmac-sha256");
  if (scheme === "fost") {
    return new FostScheme(keyId, secret.fostKey(), { headers: "content-type" in opts ? ["Host", "Content-Type"] : ["Host"] });
  }
  return new HttpSignatureScheme(secret.messageSignatureKey(), { keyId });
}

try {
  const { scheme, opts } = parseArgs(process.argv.slice(2));
  const s = signer(scheme, opts);
  const body = "body-file" in opts ? new Uint8Array(readFileSync(opts["body-file"])) : null;
  const headers = "content-type" in opts ? [["Content-Type", opts["content-type"]]] : [];
  const lines = s.sign(opts.method, opts.url, headers, body && body.length ? body : null);
  // The Content-Type is sent by the caller, as with the other signers; Host by the HTTP client.
  for (const [name, value] of lines) {
    if (!["content-type", "host"].includes(name.toLowerCase())) process.stdout.write(`${name}: ${value}\n`);
  }
} catch (e) {
  process.stderr.write(`sign.mjs: ${e.message}\n`);
  process.exit(e instanceof Usage || e instanceof ConfigurationError || e.code === "ENOENT" || !(e instanceof CountermarkError) ? 2 : 1);
}
