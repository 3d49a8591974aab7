/* The decisions the core makes for every front door, through the C ABI: the key each scheme derives from one
 * API secret, strict reading of a client's secret, the default RFC 9421 coverage (with its Content-Digest) and
 * algorithm of a public key, and decoy keys. Each refusal is tested on an input that is otherwise accepted. */
#include <countermark.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define S(text) (const uint8_t *)(text), strlen(text)

static const char TEXT[] = "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=";
/* RFC 9421 Appendix B.1.4 (test-key-ed25519). */
static const char ED25519_PEM[] =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE "
    "KEY-----\n";

/* Whether two keys give the same tag over "msg". */
static int same_tag(const countermark_hmac_key *a, const countermark_hmac_key *b) {
    uint8_t ta[COUNTERMARK_MAX_TAG_LEN], tb[COUNTERMARK_MAX_TAG_LEN];
    size_t na = 0, nb = 0;
    if (countermark_hmac_key_sign(a, S("msg"), ta, sizeof ta, &na) != COUNTERMARK_RESULT_OK) return 0;
    if (countermark_hmac_key_sign(b, S("msg"), tb, sizeof tb, &nb) != COUNTERMARK_RESULT_OK) return 0;
    return na == nb && memcmp(ta, tb, na) == 0;
}

static void strict_secret(void) {
    const countermark_api_secret *secret = NULL;
    static const char *const refused[] = {"cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=\n",
                                          " cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=",
                                          "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU",
                                          "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaV=", "c2hvcnQ=", ""};
    size_t i;
    expect_code("strict", "accepts", countermark_api_secret_new_base64_strict(S(TEXT), &secret), COUNTERMARK_RESULT_OK);
    countermark_api_secret_free(secret);
    /* The lenient reader takes a trailing newline; the strict one does not. */
    secret = NULL;
    expect_code("strict", "lenient takes a newline", countermark_api_secret_new_base64(S(refused[0]), &secret),
                COUNTERMARK_RESULT_OK);
    countermark_api_secret_free(secret);
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        secret = NULL;
        expect_code(refused[i], "strict refuses", countermark_api_secret_new_base64_strict(S(refused[i]), &secret),
                    COUNTERMARK_RESULT_INVALID_KEY);
        CHECK(secret == NULL, at(refused[i], "nothing written on failure"));
    }
    expect_code("strict", "NULL out", countermark_api_secret_new_base64_strict(S(TEXT), NULL),
                COUNTERMARK_RESULT_NULL_PARAMETER);
    expect_code("strict", "NULL text", countermark_api_secret_new_base64_strict(NULL, 4, &secret),
                COUNTERMARK_RESULT_NULL_PARAMETER);
}

static void derived_keys(void) {
    const countermark_api_secret *secret = NULL;
    const countermark_hmac_key *fost = NULL, *rfc = NULL, *by_text = NULL, *by_bytes = NULL;
    size_t raw_n = 0;
    uint8_t *raw = util_b64_decode(TEXT, strlen(TEXT), &raw_n);
    expect_code("keys", "secret", countermark_api_secret_new_base64_strict(S(TEXT), &secret), COUNTERMARK_RESULT_OK);
    expect_code("keys", "fost", countermark_api_secret_fost_key(secret, &fost), COUNTERMARK_RESULT_OK);
    expect_code("keys", "rfc9421", countermark_api_secret_message_signature_key(secret, &rfc), COUNTERMARK_RESULT_OK);
    expect_code("keys", "by text", countermark_hmac_key_new(S("hmac-sha1"), S(TEXT), NULL, 0, &by_text),
                COUNTERMARK_RESULT_OK);
    expect_code("keys", "by bytes", countermark_hmac_key_new(S("hmac-sha256"), raw, raw_n, NULL, 0, &by_bytes),
                COUNTERMARK_RESULT_OK);
    CHECK(same_tag(fost, by_text), "fost: HMAC-SHA1 keyed with the base64 text");
    CHECK(same_tag(rfc, by_bytes), "rfc9421: HMAC-SHA256 keyed with the decoded bytes");
    CHECK(!same_tag(rfc, by_text), "rfc9421 is not keyed with the text");
    expect_code("keys", "NULL secret", countermark_api_secret_fost_key(NULL, &fost), COUNTERMARK_RESULT_NULL_PARAMETER);
    expect_code("keys", "NULL out", countermark_api_secret_message_signature_key(secret, NULL),
                COUNTERMARK_RESULT_NULL_PARAMETER);
    countermark_hmac_key_free(fost);
    countermark_hmac_key_free(rfc);
    countermark_hmac_key_free(by_text);
    countermark_hmac_key_free(by_bytes);
    countermark_api_secret_free(secret);
    free(raw);
}

/* Signs `target` (with `body` when non-NULL) under the default coverage, checks the claims, then verifies the
 * request with the headers added. */
static void default_coverage(const char *target, const char *body, const char *want_components, int want_digest) {
    const countermark_hmac_key *key = NULL;
    countermark_message_signer_builder *b = NULL;
    const countermark_message_signer *signer = NULL;
    const countermark_message_verifying_key *vk = NULL;
    countermark_message_policy_builder *pb = NULL;
    const countermark_message_policy *policy = NULL;
    countermark_request *req = NULL;
    countermark_claims *claims = NULL;
    vres verified;
    char *input = NULL, *signature = NULL, *digest = NULL;
    expect_code(target, "key", countermark_hmac_key_new(S("hmac-sha256"), S("0123456789abcdef0123456789abcdef"), NULL, 0, &key),
                COUNTERMARK_RESULT_OK);
    expect_code(target, "builder", countermark_message_signer_builder_new_hmac(key, &b), COUNTERMARK_RESULT_OK);
    expect_code(target, "keyid", countermark_message_signer_builder_set_key_id(b, S("k1")), COUNTERMARK_RESULT_OK);
    /* Components set on the signer are replaced by the default coverage. */
    {
        countermark_str only[] = {{S("@method")}};
        expect_code(target, "components", countermark_message_signer_builder_set_components(b, only, 1),
                    COUNTERMARK_RESULT_OK);
    }
    expect_code(target, "build", countermark_message_signer_builder_build(b, &signer), COUNTERMARK_RESULT_OK);
    expect_code(target, "request", countermark_request_new(S(body ? "POST" : "GET"), S(target), &req), COUNTERMARK_RESULT_OK);
    if (body != NULL) countermark_request_set_body(req, S(body));
    expect_code(target, "sign", countermark_message_signer_sign_request_default_coverage(signer, req, &claims),
                COUNTERMARK_RESULT_OK);
    expect_code(target, "sign NULL out", countermark_message_signer_sign_request_default_coverage(signer, req, NULL),
                COUNTERMARK_RESULT_NULL_PARAMETER);
    input = claim_dup(claims, "Signature-Input");
    signature = claim_dup(claims, "Signature");
    digest = claim_dup(claims, "Content-Digest");
    CHECK(input != NULL && strncmp(input, want_components, strlen(want_components)) == 0,
          at(target, "Signature-Input covers the default components"));
    if (input != NULL && strncmp(input, want_components, strlen(want_components)) != 0) fprintf(stderr, "  got %s\n", input);
    CHECK((digest != NULL) == want_digest, at(target, "a Content-Digest claim exactly for a non-empty body"));
    if (digest != NULL) countermark_request_add_header(req, S("Content-Digest"), S(digest));
    if (input != NULL && signature != NULL) {
        countermark_request_add_header(req, S("Signature-Input"), S(input));
        countermark_request_add_header(req, S("Signature"), S(signature));
    }
    expect_code(target, "vk", countermark_message_verifying_key_new_hmac(key, &vk), COUNTERMARK_RESULT_OK);
    expect_code(target, "policy", countermark_message_policy_builder_new(&pb), COUNTERMARK_RESULT_OK);
    countermark_message_policy_builder_check_content_digest(pb, want_digest != 0);
    expect_code(target, "policy build", countermark_message_policy_builder_build(pb, &policy), COUNTERMARK_RESULT_OK);
    vres_reset(&verified);
    expect_code(target, "verify", countermark_message_signature_verify(req, vk, policy, VOUT(&verified)),
                COUNTERMARK_RESULT_OK);
    CHECK(verified.v.scheme == COUNTERMARK_SCHEME_MESSAGE_SIGNATURE && verified.v.verified,
          at(target, "a verified RFC 9421 result"));
    if (want_digest) {
        /* Another body under the same headers: the digest no longer matches. */
        vres_reset(&verified);
        countermark_request_set_body(req, S("{\"tampered\": true}"));
        expect_code(target, "verify tampered", countermark_message_signature_verify(req, vk, policy, VOUT(&verified)),
                    COUNTERMARK_RESULT_BAD_SIGNATURE);
        CHECK(verified.v.scheme == COUNTERMARK_SCHEME_NONE, at(target, "nothing written on a refusal"));
    }
    free(input);
    free(signature);
    free(digest);
    countermark_claims_free(claims);
    countermark_request_free(req);
    countermark_message_policy_free(policy);
    countermark_message_policy_builder_free(pb);
    countermark_message_verifying_key_free(vk);
    countermark_message_signer_free(signer);
    countermark_message_signer_builder_free(b);
    countermark_hmac_key_free(key);
}

static void public_keys_and_decoys(void) {
    const countermark_verifying_key *decoy = NULL, *p256 = NULL, *ed = NULL;
    const countermark_signing_key *sk = NULL;
    const countermark_message_verifying_key *vk = NULL;
    expect_code("decoy", "ed25519", countermark_verifying_key_decoy(S("ed25519"), &decoy), COUNTERMARK_RESULT_OK);
    expect_code("decoy", "ecdsa-p256", countermark_verifying_key_decoy(S("ecdsa-p256"), &p256), COUNTERMARK_RESULT_OK);
    expect_code("decoy", "rsa", countermark_verifying_key_decoy(S("rsa"), &ed), COUNTERMARK_RESULT_UNSUPPORTED_ALGORITHM);
    expect_code("decoy", "p256", countermark_verifying_key_decoy(S("p256"), &ed), COUNTERMARK_RESULT_INVALID_VALUE);
    expect_code("decoy", "NULL out", countermark_verifying_key_decoy(S("ed25519"), NULL), COUNTERMARK_RESULT_NULL_PARAMETER);
    CHECK(ed == NULL, "decoy: nothing written on failure");
    expect_code("default alg", "ed25519 decoy", countermark_message_verifying_key_new_public_default(decoy, &vk),
                COUNTERMARK_RESULT_OK);
    countermark_message_verifying_key_free(vk);
    vk = NULL;
    expect_code("default alg", "p256 decoy", countermark_message_verifying_key_new_public_default(p256, &vk),
                COUNTERMARK_RESULT_OK);
    countermark_message_verifying_key_free(vk);
    vk = NULL;
    expect_code("default alg", "NULL key", countermark_message_verifying_key_new_public_default(NULL, &vk),
                COUNTERMARK_RESULT_NULL_PARAMETER);
    /* A signature by the RFC's Ed25519 key verifies under its public key's default algorithm. */
    expect_code("default alg", "pem", countermark_signing_key_from_pem(S(ED25519_PEM), &sk), COUNTERMARK_RESULT_OK);
    expect_code("default alg", "public", countermark_signing_key_verifying_key(sk, &ed), COUNTERMARK_RESULT_OK);
    expect_code("default alg", "ed25519", countermark_message_verifying_key_new_public_default(ed, &vk),
                COUNTERMARK_RESULT_OK);
    {
        countermark_message_signer_builder *b = NULL;
        const countermark_message_signer *signer = NULL;
        countermark_message_policy_builder *pb = NULL;
        const countermark_message_policy *policy = NULL;
        countermark_request *req = NULL;
        countermark_claims *claims = NULL;
        vres verified;
        char *input, *signature;
        countermark_message_signer_builder_new_asymmetric(sk, S("ed25519"), &b);
        countermark_message_signer_builder_build(b, &signer);
        countermark_request_new(S("GET"), S("https://e.com/a"), &req);
        expect_code("default alg", "sign", countermark_message_signer_sign_request_default_coverage(signer, req, &claims),
                    COUNTERMARK_RESULT_OK);
        input = claim_dup(claims, "Signature-Input");
        signature = claim_dup(claims, "Signature");
        if (input != NULL && signature != NULL) {
            countermark_request_add_header(req, S("Signature-Input"), S(input));
            countermark_request_add_header(req, S("Signature"), S(signature));
        }
        countermark_message_policy_builder_new(&pb);
        countermark_message_policy_builder_build(pb, &policy);
        vres_reset(&verified);
        expect_code("default alg", "verify", countermark_message_signature_verify(req, vk, policy, VOUT(&verified)),
                    COUNTERMARK_RESULT_OK);
        vres_reset(&verified);
        /* The decoy never verifies it. */
        {
            const countermark_message_verifying_key *dvk = NULL;
            countermark_message_verifying_key_new_public_default(decoy, &dvk);
            expect_code("decoy", "verify", countermark_message_signature_verify(req, dvk, policy, VOUT(&verified)),
                        COUNTERMARK_RESULT_BAD_SIGNATURE);
            countermark_message_verifying_key_free(dvk);
        }
        free(input);
        free(signature);
        countermark_claims_free(claims);
        countermark_request_free(req);
        countermark_message_policy_free(policy);
        countermark_message_policy_builder_free(pb);
        countermark_message_signer_free(signer);
        countermark_message_signer_builder_free(b);
    }
    countermark_message_verifying_key_free(vk);
    countermark_verifying_key_free(ed);
    countermark_signing_key_free(sk);
    countermark_verifying_key_free(p256);
    countermark_verifying_key_free(decoy);
}

int main(void) {
    strict_secret();
    derived_keys();
    default_coverage("https://e.com/a", NULL, "sig1=(\"@method\" \"@authority\" \"@path\");", 0);
    default_coverage("https://e.com/a?b=c", NULL, "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");", 0);
    default_coverage("https://e.com/a", "",
                     "sig1=(\"@method\" \"@authority\" \"@path\");", 0);
    default_coverage("https://e.com/a?b", "{\"id\": 42}",
                     "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");", 1);
    public_keys_and_decoys();
    return util_finish("protocol");
}
