// Type-checked by test/types.test.mjs (tsc --strict): the declarations of index.d.ts as a user of the package
// meets them. Never run.
import {
  ApiSecret, BadSignature, Clock, HmacHeaderSigner, HmacKey, HttpSignatureScheme, MessagePolicy, MessageSigner,
  MessageVerifyingKey, NonceStore, Request, Tokens, UrlSigner, VerifyingKey, signedFetch, verifyMessageSignature,
  type Verified,
} from "countermark";

const clock: Clock = Clock.fixed(1_700_000_000);
const key = new HmacKey("a secret of 16+ bytes", "hmac-sha256", { keyId: "k1" });
const tokens = new Tokens(key, { clock });
const fields: string[] = tokens.verify(tokens.create(["a"]), 300).fields;
const url: string = new UrlSigner(key, { quoter: "javascript" }).signUrl("https://x/", "alice", { extra: { a: [1, "b"] } });
const signed = new HmacHeaderSigner("k1", ApiSecret.generate(), "hmac-sha256").sign(new Request("POST", "/", { body: "{}" }));
const name: string = signed.headers[0][0];
const v: Verified = verifyMessageSignature(
  Request.fromUrl("GET", "https://x/"),
  MessageVerifyingKey.hmac(key),
  new MessagePolicy({ maxAge: null, nonceStore: NonceStore.memory(), clockSkew: 5 }),
);
const covered: string[] = v.covered;
const err = new BadSignature("x");
const code: number = err.code;
const send = signedFetch(new HttpSignatureScheme(key, { keyId: "k1" }));
const p: Promise<Response> = send("https://x/", { method: "POST", body: "{}" });
const pem: string = VerifyingKey.decoy("ed25519").toPem();
new MessageSigner(key, { created: false, keyId: false });
// @ts-expect-error: options are checked
new MessagePolicy({ max_age: 5 });
export { fields, url, name, covered, code, p, pem };
