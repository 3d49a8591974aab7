/* Phase one's "not this scheme" is COUNTERMARK_RESULT_NO_CREDENTIALS for every request scheme; a broken header of
 * a scheme gets the core's verdict, the same from phase one and phase two; and the _verify_parts functions (one
 * call, no request handle) give what the request-handle functions give. */
#include <countermark.h>

#include <stdio.h>
#include <string.h>

#include "util.h"

#define S(s) (const uint8_t *)(s), strlen(s)

static const uint8_t SECRET[32] = "0123456789abcdef0123456789abcdef";

static countermark_request *plain_request(const char *authorization) {
    countermark_request *r = NULL;
    if (countermark_request_new(S("GET"), S("/a?b=1"), &r) != COUNTERMARK_RESULT_OK ||
        countermark_request_set_authority(r, S("https"), S("example.com")) != COUNTERMARK_RESULT_OK ||
        countermark_request_add_header(r, S("Host"), S("example.com")) != COUNTERMARK_RESULT_OK ||
        countermark_request_add_header(r, S("X-FOST-Timestamp"), S("2024-01-02 03:04:05")) != COUNTERMARK_RESULT_OK ||
        countermark_request_add_header(r, S("X-FOST-Headers"), S("X-FOST-Headers")) != COUNTERMARK_RESULT_OK ||
        (authorization != NULL &&
         countermark_request_add_header(r, S("Authorization"), S(authorization)) != COUNTERMARK_RESULT_OK)) {
        fail("setup", "request");
    }
    return r;
}

int main(void) {
    static vres r1, r2;
    const countermark_hmac_key *sha1 = NULL, *sha256 = NULL;
    const countermark_fost_policy *fost = NULL;
    const countermark_api_secret *secret = NULL;
    const countermark_hmac_header_policy *hmac = NULL;
    const countermark_message_verifying_key *mkey = NULL;
    countermark_message_policy_builder *pb = NULL;
    const countermark_message_policy *msg = NULL;
    countermark_request *req = plain_request("Bearer abc");
    countermark_response *resp = NULL;
    size_t i;

    CHECK(countermark_hmac_key_new_legacy(S("hmac-sha1"), S("fost-secret-value"), NULL, 0, &sha1) == 0, "sha1 key");
    CHECK(countermark_hmac_key_new(S("hmac-sha256"), SECRET, sizeof SECRET, S("k1"), &sha256) == 0, "key");
    CHECK(countermark_fost_policy_new(NULL, NULL, NULL, &fost) == 0, "fost policy");
    CHECK(countermark_api_secret_generate(&secret) == 0, "api secret");
    CHECK(countermark_hmac_header_policy_new(NULL, NULL, NULL, &hmac) == 0, "hmac policy");
    CHECK(countermark_message_verifying_key_new_hmac(sha256, &mkey) == 0, "message key");
    CHECK(countermark_message_policy_builder_new(&pb) == 0 && countermark_message_policy_builder_build(pb, &msg) == 0,
          "message policy");
    countermark_message_policy_builder_free(pb);
    CHECK(countermark_response_new(200, &resp) == 0, "response");

    /* Not this scheme, everywhere, and nothing written. */
    vres_reset(&r1);
    expect_code("fost", "parse", countermark_fost_parse(req, VOUT(&r1)), COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("fost", "verify", countermark_fost_verify(req, sha1, fost, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("fost_url", "parse", countermark_fost_url_parse(req, VOUT(&r1)), COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("fost_url", "verify", countermark_fost_url_verify(req, sha1, fost, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("hmac_header", "parse", countermark_hmac_header_parse(req, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("hmac_header", "verify", countermark_hmac_header_verify(req, secret, hmac, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("jwt", "parse_request", countermark_jwt_parse_request(req, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("rfc9421", "parse", countermark_message_signature_parse(req, NULL, 0, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("rfc9421", "verify", countermark_message_signature_verify(req, mkey, msg, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("rfc9421", "parse_response", countermark_message_signature_parse_response(resp, NULL, 0, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    expect_code("rfc9421", "verify_response",
                countermark_message_signature_verify_response(resp, mkey, msg, VOUT(&r1)),
                COUNTERMARK_RESULT_NO_CREDENTIALS);
    CHECK(r1.v.scheme == COUNTERMARK_SCHEME_NONE, "no result written for a request without credentials");

    /* Broken headers: phase one and phase two agree (the verdict is the core's). */
    {
        static const struct {
            const char *name;
            const char *authorization;
            int fost;
        } broken[] = {
            {"FOST empty signature", "FOST k:", 1},
            {"FOST without a colon", "FOST k", 1},
            {"HMAC empty signature", "HMAC-SHA256 k;;2024-01-02T03:04:05Z", 0},
            {"HMAC bad date", "HMAC-SHA256 k;c2ln;not-a-date", 0},
        };
        for (i = 0; i < sizeof broken / sizeof broken[0]; i++) {
            countermark_request *b = plain_request(broken[i].authorization);
            countermark_result p, v;
            vres_reset(&r1);
            if (broken[i].fost) {
                p = countermark_fost_parse(b, VOUT(&r1));
                v = countermark_fost_verify(b, sha1, fost, VOUT(&r1));
            } else {
                p = countermark_hmac_header_parse(b, VOUT(&r1));
                v = countermark_hmac_header_verify(b, secret, hmac, VOUT(&r1));
            }
            CHECK(p != COUNTERMARK_RESULT_OK && p == v, at(broken[i].name, "phase one and phase two agree"));
            CHECK(r1.v.scheme == COUNTERMARK_SCHEME_NONE, at(broken[i].name, "no result for a broken header"));
            countermark_request_free(b);
        }
        /* Where the core refuses, the kind is exact. */
        {
            countermark_request *b = plain_request("HMAC-SHA256 k;c2ln;not-a-date");
            expect_code("HMAC bad date", "parse", countermark_hmac_header_parse(b, VOUT(&r1)),
                        COUNTERMARK_RESULT_MALFORMED);
            countermark_request_free(b);
        }
    }

    /* _verify_parts gives what the request-handle function gives: a signed RFC 9421 request. */
    {
        countermark_message_signer_builder *sb = NULL;
        const countermark_message_signer *signer = NULL;
        countermark_claims *sig = NULL;
        countermark_request *s = NULL;
        countermark_str covered[] = {{S("@method")}, {S("@authority")}, {S("@path")}, {S("content-digest")}};
        countermark_str input = {NULL, 0}, value = {NULL, 0};
        countermark_bytes digest = {NULL, 0};
        const char *body = "{\"hello\": \"world\"}";
        countermark_pair headers[3];
        countermark_request_parts parts;
        CHECK(countermark_content_digest(S(body), NULL, 0, &digest) == 0, "digest");
        CHECK(countermark_request_new(S("POST"), S("/foo?x=1"), &s) == 0 &&
                  countermark_request_set_authority(s, S("https"), S("example.com")) == 0 &&
                  countermark_request_add_header(s, S("Content-Digest"), digest.data, digest.len) == 0 &&
                  countermark_request_set_body(s, S(body)) == 0,
              "request");
        CHECK(countermark_message_signer_builder_new_hmac(sha256, &sb) == 0 &&
                  countermark_message_signer_builder_set_components(sb, covered, 4) == 0 &&
                  countermark_message_signer_builder_build(sb, &signer) == 0 &&
                  countermark_message_signer_sign_request(signer, s, &sig) == 0 &&
                  countermark_claims_get(sig, S("Signature-Input"), &input) == 0 &&
                  countermark_claims_get(sig, S("Signature"), &value) == 0,
              "sign");
        countermark_request_add_header(s, S("Signature-Input"), input.data, input.len);
        countermark_request_add_header(s, S("Signature"), value.data, value.len);
        memset(&parts, 0, sizeof parts);
        parts.method = (countermark_str){S("POST")};
        parts.target = (countermark_str){S("/foo?x=1")};
        parts.scheme = (countermark_str){S("https")};
        parts.authority = (countermark_str){S("example.com")};
        headers[0].name = (countermark_str){S("Content-Digest")};
        headers[0].value = (countermark_str){digest.data, digest.len};
        headers[1].name = (countermark_str){S("Signature-Input")};
        headers[1].value = input;
        headers[2].name = (countermark_str){S("Signature")};
        headers[2].value = value;
        parts.headers = headers;
        parts.n_headers = 3;
        parts.body = (countermark_str){S(body)};
        parts.has_body = true;
        vres_reset(&r1);
        vres_reset(&r2);
        expect_code("parts", "verify", countermark_message_signature_verify(s, mkey, msg, VOUT(&r1)),
                    COUNTERMARK_RESULT_OK);
        expect_code("parts", "verify_parts", countermark_message_signature_verify_parts(&parts, mkey, msg, VOUT(&r2)),
                    COUNTERMARK_RESULT_OK);
        CHECK(r1.v.n_items == 4 && r2.v.n_items == 4 && r1.v.created == r2.v.created && r1.n == r2.n &&
                  memcmp(r1.buf, r2.buf, r1.n) == 0,
              "the same result from parts and from a request handle");
        /* A tampered body through parts is refused as through a handle. */
        parts.body = (countermark_str){S("{\"hello\": \"World\"}")};
        {
            const countermark_message_policy *digest_policy = NULL;
            countermark_message_policy_builder *db = NULL;
            CHECK(countermark_message_policy_builder_new(&db) == 0 &&
                      countermark_message_policy_builder_check_content_digest(db, true) == 0 &&
                      countermark_message_policy_builder_build(db, &digest_policy) == 0,
                  "digest policy");
            countermark_message_policy_builder_free(db);
            vres_reset(&r2);
            expect_code("parts", "tampered body",
                        countermark_message_signature_verify_parts(&parts, mkey, digest_policy, VOUT(&r2)),
                        COUNTERMARK_RESULT_BAD_SIGNATURE);
            CHECK(r2.v.scheme == COUNTERMARK_SCHEME_NONE, "nothing written on refusal");
            countermark_message_policy_free(digest_policy);
        }
        /* NULL checks of the parts functions. */
        expect_code("parts", "NULL parts", countermark_message_signature_verify_parts(NULL, mkey, msg, VOUT(&r2)),
                    COUNTERMARK_RESULT_NULL_PARAMETER);
        parts.headers = NULL;
        expect_code("parts", "(NULL, 3) headers",
                    countermark_message_signature_verify_parts(&parts, mkey, msg, VOUT(&r2)),
                    COUNTERMARK_RESULT_NULL_PARAMETER);
        parts.n_headers = 0;
        expect_code("parts", "no headers: no credentials",
                    countermark_message_signature_verify_parts(&parts, mkey, msg, VOUT(&r2)),
                    COUNTERMARK_RESULT_NO_CREDENTIALS);
        expect_code("parts", "fost NULL", countermark_fost_verify_parts(NULL, sha1, fost, VOUT(&r2)),
                    COUNTERMARK_RESULT_NULL_PARAMETER);
        expect_code("parts", "fost_url NULL", countermark_fost_url_verify_parts(NULL, sha1, fost, VOUT(&r2)),
                    COUNTERMARK_RESULT_NULL_PARAMETER);
        expect_code("parts", "hmac NULL", countermark_hmac_header_verify_parts(NULL, secret, hmac, VOUT(&r2)),
                    COUNTERMARK_RESULT_NULL_PARAMETER);
        expect_code("parts", "fost no credentials", countermark_fost_verify_parts(&parts, sha1, fost, VOUT(&r2)),
                    COUNTERMARK_RESULT_NO_CREDENTIALS);
        expect_code("parts", "hmac no credentials",
                    countermark_hmac_header_verify_parts(&parts, secret, hmac, VOUT(&r2)),
                    COUNTERMARK_RESULT_NO_CREDENTIALS);
        countermark_claims_free(sig);
        countermark_message_signer_builder_free(sb);
        countermark_message_signer_free(signer);
        countermark_bytes_free(&digest);
        countermark_request_free(s);
    }

    countermark_response_free(resp);
    countermark_request_free(req);
    countermark_message_policy_free(msg);
    countermark_message_verifying_key_free(mkey);
    countermark_hmac_header_policy_free(hmac);
    countermark_api_secret_free(secret);
    countermark_fost_policy_free(fost);
    countermark_hmac_key_free(sha256);
    countermark_hmac_key_free(sha1);
    return util_finish("phase one");
}
