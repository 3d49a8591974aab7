/*
 * Misuse of the C ABI: NULL for every pointer argument, zero and huge lengths, too-small output buffers,
 * invalid UTF-8, consumed builders, unknown result codes, and outputs left untouched on failure.
 * Every call must return its documented code; nothing may crash, read out of bounds or leak
 * (this program runs under ASan+UBSan and under valgrind).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "countermark.h"
#include "util.h"

#define S(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)
#define IS(call, code) CHECK((call) == (code), #call)
#define IS_NULL(call) IS(call, COUNTERMARK_RESULT_NULL_PARAMETER)

static const uint8_t SECRET[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t BAD_UTF8[] = {'a', 0xff, 0xfe, 'b'};
/* A valid address with only one readable byte: a huge length next to it must be refused before any read. */
static uint8_t ONE_BYTE[1] = {'x'};
#define HUGE_LEN ((size_t)COUNTERMARK_MAX_INPUT_LEN + 1)

/* Everything a test needs, built once. */
typedef struct {
    const countermark_clock *clock;
    const countermark_hmac_key *key;
    const countermark_hmac_key *sha1_key;
    const countermark_key_ring *ring;
    const countermark_tokens *tokens;
    const countermark_url_signer *url_signer;
    countermark_request *request;
    countermark_response *response;
    const countermark_nonce_store *store;
    const countermark_signing_key *signing_key;
    const countermark_verifying_key *verifying_key;
    const countermark_jwt_policy *jwt_policy;
    const countermark_fost_signer *fost_signer;
    const countermark_fost_url_signer *fost_url_signer;
    const countermark_fost_policy *fost_policy;
    const countermark_api_secret *api_secret;
    const countermark_hmac_header_signer *hh_signer;
    const countermark_hmac_header_policy *hh_policy;
    const countermark_message_signer *msg_signer;
    const countermark_message_verifying_key *msg_key;
    const countermark_message_policy *msg_policy;
    json_t *jwt_root;
} fixture;

static char *read_pem(json_t *root, const char *which, const char *field) {
    json_t *keys = json_object_get(root, "keys");
    const char *pem = json_string_value(json_object_get(json_object_get(keys, which), field));
    if (pem == NULL) {
        fprintf(stderr, "asym_jwt.json has no keys.%s.%s\n", which, field);
        exit(2);
    }
    return (char *)pem;
}

static void setup(fixture *f) {
    countermark_key_ring_builder *rb = NULL;
    countermark_message_signer_builder *sb = NULL;
    countermark_message_policy_builder *pb = NULL;
    const char *pem;
    memset(f, 0, sizeof *f);

    f->jwt_root = util_root("asym_jwt.json");
    IS(countermark_clock_new_fixed(1700000000, 0, &f->clock), COUNTERMARK_RESULT_OK);
    IS(countermark_hmac_key_new(S("hmac-sha256"), SECRET, sizeof SECRET, S("k1"), &f->key), COUNTERMARK_RESULT_OK);
    IS(countermark_hmac_key_new(S("hmac-sha1"), SECRET, sizeof SECRET, NULL, 0, &f->sha1_key), COUNTERMARK_RESULT_OK);
    IS(countermark_key_ring_builder_new(f->key, &rb), COUNTERMARK_RESULT_OK);
    IS(countermark_key_ring_builder_build(rb, &f->ring), COUNTERMARK_RESULT_OK);
    countermark_key_ring_builder_free(rb);
    IS(countermark_tokens_new(f->ring, f->clock, 0, &f->tokens), COUNTERMARK_RESULT_OK);
    IS(countermark_url_signer_new(f->ring, f->clock, NULL, &f->url_signer), COUNTERMARK_RESULT_OK);
    IS(countermark_request_new(S("GET"), S("/x?a=1"), &f->request), COUNTERMARK_RESULT_OK);
    IS(countermark_request_set_authority(f->request, S("https"), S("example.com")), COUNTERMARK_RESULT_OK);
    IS(countermark_request_add_header(f->request, S("Host"), S("example.com")), COUNTERMARK_RESULT_OK);
    IS(countermark_response_new(200, &f->response), COUNTERMARK_RESULT_OK);
    IS(countermark_nonce_store_new_memory(1000, &f->store), COUNTERMARK_RESULT_OK);
    pem = read_pem(f->jwt_root, "ed25519", "private_pem");
    IS(countermark_signing_key_from_pem((const uint8_t *)pem, strlen(pem), &f->signing_key), COUNTERMARK_RESULT_OK);
    IS(countermark_signing_key_verifying_key(f->signing_key, &f->verifying_key), COUNTERMARK_RESULT_OK);
    IS(countermark_jwt_policy_new(f->clock, NULL, f->store, &f->jwt_policy), COUNTERMARK_RESULT_OK);
    IS(countermark_fost_signer_new(S("key"), f->sha1_key, f->clock, &f->fost_signer), COUNTERMARK_RESULT_OK);
    IS(countermark_fost_url_signer_new(S("key"), f->sha1_key, &f->fost_url_signer), COUNTERMARK_RESULT_OK);
    IS(countermark_fost_policy_new(f->clock, NULL, NULL, &f->fost_policy), COUNTERMARK_RESULT_OK);
    IS(countermark_api_secret_generate(&f->api_secret), COUNTERMARK_RESULT_OK);
    IS(countermark_hmac_header_signer_new(S("api"), f->api_secret, S("hmac-sha256"), f->clock, &f->hh_signer),
       COUNTERMARK_RESULT_OK);
    IS(countermark_hmac_header_policy_new(f->clock, NULL, NULL, &f->hh_policy), COUNTERMARK_RESULT_OK);
    IS(countermark_message_signer_builder_new_hmac(f->key, &sb), COUNTERMARK_RESULT_OK);
    IS(countermark_message_signer_builder_build(sb, &f->msg_signer), COUNTERMARK_RESULT_OK);
    countermark_message_signer_builder_free(sb);
    IS(countermark_message_verifying_key_new_hmac(f->key, &f->msg_key), COUNTERMARK_RESULT_OK);
    IS(countermark_message_policy_builder_new(&pb), COUNTERMARK_RESULT_OK);
    IS(countermark_message_policy_builder_build(pb, &f->msg_policy), COUNTERMARK_RESULT_OK);
    countermark_message_policy_builder_free(pb);
}

static void teardown(fixture *f) {
    countermark_message_policy_free(f->msg_policy);
    countermark_message_verifying_key_free(f->msg_key);
    countermark_message_signer_free(f->msg_signer);
    countermark_hmac_header_policy_free(f->hh_policy);
    countermark_hmac_header_signer_free(f->hh_signer);
    countermark_api_secret_free(f->api_secret);
    countermark_fost_policy_free(f->fost_policy);
    countermark_fost_url_signer_free(f->fost_url_signer);
    countermark_fost_signer_free(f->fost_signer);
    countermark_jwt_policy_free(f->jwt_policy);
    countermark_verifying_key_free(f->verifying_key);
    countermark_signing_key_free(f->signing_key);
    countermark_nonce_store_free(f->store);
    countermark_response_free(f->response);
    countermark_request_free(f->request);
    countermark_url_signer_free(f->url_signer);
    countermark_tokens_free(f->tokens);
    countermark_key_ring_free(f->ring);
    countermark_hmac_key_free(f->sha1_key);
    countermark_hmac_key_free(f->key);
    countermark_clock_free(f->clock);
}

/* Every required pointer argument of every function, one at a time, given NULL. */
static void null_pointers(const fixture *f) {
    const countermark_clock *clock = NULL;
    const countermark_hmac_key *key = NULL;
    const countermark_key_ring *ring = NULL;
    countermark_key_ring_builder *rb = NULL;
    const countermark_tokens *tokens = NULL;
    const countermark_url_signer *us = NULL;
    countermark_request *req = NULL;
    countermark_response *resp = NULL;
    const countermark_nonce_store *store = NULL;
    const countermark_signing_key *sk = NULL;
    const countermark_verifying_key *vk = NULL;
    const countermark_jwt_policy *jp = NULL;
    const countermark_fost_signer *fs = NULL;
    const countermark_fost_url_signer *fus = NULL;
    const countermark_fost_policy *fp = NULL;
    const countermark_api_secret *as = NULL;
    const countermark_hmac_header_signer *hs = NULL;
    const countermark_hmac_header_policy *hp = NULL;
    countermark_message_signer_builder *sb = NULL;
    const countermark_message_signer *ms = NULL;
    const countermark_message_verifying_key *mk = NULL;
    countermark_message_policy_builder *pb = NULL;
    const countermark_message_policy *mp = NULL;
    countermark_claims *claims = NULL;
    static vres res;
    countermark_bytes bytes = {NULL, 0};
    countermark_str str = {NULL, 0};
    countermark_str field = {(const uint8_t *)"a", 1};
    countermark_pair pair = {{(const uint8_t *)"a", 1}, {(const uint8_t *)"b", 1}};
    const countermark_verifying_key *keys[1];
    uint8_t buf[64];
    size_t n = 0;
    keys[0] = f->verifying_key;

    /* claims */
    IS_NULL(countermark_claims_get(NULL, S("a"), &str));
    IS_NULL(countermark_claims_at(NULL, 0, &str, &str));
    CHECK(countermark_claims_count(NULL) == 0, "claims_count(NULL)");
    /* clock */
    IS_NULL(countermark_clock_new_system(NULL));
    IS_NULL(countermark_clock_new_fixed(0, 0, NULL));
    CHECK(countermark_clock_now(NULL) == 0, "clock_now(NULL)");
    /* hmac keys and rings */
    IS_NULL(countermark_hmac_key_new(NULL, 6, SECRET, sizeof SECRET, NULL, 0, &key));
    IS_NULL(countermark_hmac_key_new(S("hmac-sha256"), NULL, 32, NULL, 0, &key));
    IS_NULL(countermark_hmac_key_new(S("hmac-sha256"), SECRET, sizeof SECRET, NULL, 2, &key));
    IS_NULL(countermark_hmac_key_new(S("hmac-sha256"), SECRET, sizeof SECRET, NULL, 0, NULL));
    IS_NULL(countermark_hmac_key_new_legacy(NULL, 4, S("short"), NULL, 0, &key));
    IS_NULL(countermark_hmac_key_new_legacy(S("hmac-sha1"), NULL, 5, NULL, 0, &key));
    IS_NULL(countermark_hmac_key_new_legacy(S("hmac-sha1"), S("short"), NULL, 0, NULL));
    IS_NULL(countermark_hmac_key_sign(NULL, S("m"), buf, sizeof buf, &n));
    IS_NULL(countermark_hmac_key_sign(f->key, NULL, 1, buf, sizeof buf, &n));
    IS_NULL(countermark_hmac_key_sign(f->key, S("m"), NULL, sizeof buf, &n));
    IS_NULL(countermark_hmac_key_sign(f->key, S("m"), buf, sizeof buf, NULL));
    IS_NULL(countermark_hmac_key_verify(NULL, S("m"), buf, 32));
    IS_NULL(countermark_hmac_key_verify(f->key, NULL, 1, buf, 32));
    IS_NULL(countermark_hmac_key_verify(f->key, S("m"), NULL, 32));
    IS_NULL(countermark_secret_generate(32, NULL));
    IS_NULL(countermark_key_ring_builder_new(NULL, &rb));
    IS_NULL(countermark_key_ring_builder_new(f->key, NULL));
    IS(countermark_key_ring_builder_new(f->key, &rb), COUNTERMARK_RESULT_OK);
    IS_NULL(countermark_key_ring_builder_rotate(NULL, f->key));
    IS_NULL(countermark_key_ring_builder_rotate(rb, NULL));
    IS_NULL(countermark_key_ring_builder_add_verify_only(NULL, f->key));
    IS_NULL(countermark_key_ring_builder_add_verify_only(rb, NULL));
    IS_NULL(countermark_key_ring_builder_retire(NULL, S("k1")));
    IS_NULL(countermark_key_ring_builder_retire(rb, NULL, 2));
    IS_NULL(countermark_key_ring_builder_build(NULL, &ring));
    IS_NULL(countermark_key_ring_builder_build(rb, NULL));
    countermark_key_ring_builder_free(rb);
    IS_NULL(countermark_key_ring_get(NULL, S("k1"), &key));
    IS_NULL(countermark_key_ring_get(f->ring, NULL, 2, &key));
    IS_NULL(countermark_key_ring_get(f->ring, S("k1"), NULL));
    /* tokens */
    IS_NULL(countermark_tokens_new(NULL, NULL, 0, &tokens));
    IS_NULL(countermark_tokens_new(f->ring, NULL, 0, NULL));
    IS_NULL(countermark_tokens_create(NULL, &field, 1, &bytes));
    IS_NULL(countermark_tokens_create(f->tokens, NULL, 1, &bytes));
    IS_NULL(countermark_tokens_create(f->tokens, &field, 1, NULL));
    IS_NULL(countermark_tokens_create_with_random(NULL, &field, 1, buf, sizeof buf, &bytes));
    IS_NULL(countermark_tokens_create_with_random(f->tokens, NULL, 1, buf, sizeof buf, &bytes));
    IS_NULL(countermark_tokens_create_with_random(f->tokens, &field, 1, NULL, 256, &bytes));
    IS_NULL(countermark_tokens_create_with_random(f->tokens, &field, 1, buf, sizeof buf, NULL));
    IS_NULL(countermark_tokens_verify(NULL, S("a:1:b:c"), NULL, VOUT(&res)));
    IS_NULL(countermark_tokens_verify(f->tokens, NULL, 7, NULL, VOUT(&res)));
    IS_NULL(countermark_tokens_verify(f->tokens, S("a:1:b:c"), NULL, NULL, res.buf, sizeof res.buf, &res.n));
    /* signed URLs */
    IS_NULL(countermark_url_signer_new(NULL, NULL, NULL, &us));
    IS_NULL(countermark_url_signer_new(f->ring, NULL, NULL, NULL));
    IS_NULL(countermark_url_signer_with_helpers(NULL, S("javascript"), S("javascript"), &us));
    IS_NULL(countermark_url_signer_with_helpers(f->url_signer, NULL, 10, NULL, 0, &us));
    IS_NULL(countermark_url_signer_with_helpers(f->url_signer, NULL, 0, NULL, 10, &us));
    IS_NULL(countermark_url_signer_with_helpers(f->url_signer, NULL, 0, NULL, 0, NULL));
    IS_NULL(countermark_url_signer_sign_url(NULL, S("https://e.com/"), S("u"), NULL, NULL, 0, NULL, 0, NULL, 0, &bytes));
    IS_NULL(countermark_url_signer_sign_url(f->url_signer, NULL, 5, S("u"), NULL, NULL, 0, NULL, 0, NULL, 0, &bytes));
    IS_NULL(countermark_url_signer_sign_url(f->url_signer, S("https://e.com/"), NULL, 1, NULL, NULL, 0, NULL, 0, NULL, 0,
                                            &bytes));
    IS_NULL(countermark_url_signer_sign_url(f->url_signer, S("https://e.com/"), S("u"), NULL, NULL, 3, NULL, 0, NULL, 0,
                                            &bytes));
    IS_NULL(countermark_url_signer_sign_url(f->url_signer, S("https://e.com/"), S("u"), NULL, NULL, 0, NULL, 2, NULL, 0,
                                            &bytes));
    IS_NULL(countermark_url_signer_sign_url(f->url_signer, S("https://e.com/"), S("u"), NULL, NULL, 0, NULL, 0, NULL, 1,
                                            &bytes));
    IS_NULL(countermark_url_signer_sign_url(f->url_signer, S("https://e.com/"), S("u"), NULL, NULL, 0, NULL, 0, NULL, 0,
                                            NULL));
    IS_NULL(countermark_url_signer_sign_params(NULL, S("u"), NULL, NULL, 0, NULL, 0, &claims));
    IS_NULL(countermark_url_signer_sign_params(f->url_signer, NULL, 1, NULL, NULL, 0, NULL, 0, &claims));
    IS_NULL(countermark_url_signer_sign_params(f->url_signer, S("u"), NULL, NULL, 0, NULL, 0, NULL));
    IS_NULL(countermark_url_signer_validate_url(NULL, S("https://e.com/"), VOUT(&res)));
    IS_NULL(countermark_url_signer_validate_url(f->url_signer, NULL, 3, VOUT(&res)));
    IS_NULL(countermark_url_signer_validate_url(f->url_signer, S("https://e.com/"), NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_url_signer_validate(NULL, &pair, 1, VOUT(&res)));
    IS_NULL(countermark_url_signer_validate(f->url_signer, NULL, 1, VOUT(&res)));
    IS_NULL(countermark_url_signer_validate(f->url_signer, &pair, 1, NULL, res.buf, sizeof res.buf, &res.n));
    /* requests and responses */
    IS_NULL(countermark_request_new(NULL, 3, S("/"), &req));
    IS_NULL(countermark_request_new(S("GET"), NULL, 1, &req));
    IS_NULL(countermark_request_new(S("GET"), S("/"), NULL));
    IS_NULL(countermark_request_set_authority(NULL, S("https"), S("e.com")));
    IS_NULL(countermark_request_set_authority(f->request, NULL, 5, S("e.com")));
    IS_NULL(countermark_request_set_authority(f->request, S("https"), NULL, 5));
    IS_NULL(countermark_request_add_header(NULL, S("A"), S("b")));
    IS_NULL(countermark_request_add_header(f->request, NULL, 1, S("b")));
    IS_NULL(countermark_request_add_header(f->request, S("A"), NULL, 1));
    IS_NULL(countermark_request_set_body(NULL, S("b")));
    IS_NULL(countermark_request_set_body(f->request, NULL, 1));
    IS_NULL(countermark_response_new(200, NULL));
    IS_NULL(countermark_response_add_header(NULL, S("A"), S("b")));
    IS_NULL(countermark_response_add_header(f->response, NULL, 1, S("b")));
    IS_NULL(countermark_response_add_header(f->response, S("A"), NULL, 1));
    IS_NULL(countermark_response_set_body(NULL, S("b")));
    IS_NULL(countermark_response_set_body(f->response, NULL, 1));
    IS_NULL(countermark_response_set_request(NULL, f->request));
    IS_NULL(countermark_response_set_request(f->response, NULL));
    /* nonce stores */
    IS_NULL(countermark_nonce_store_new_memory(10, NULL));
    IS_NULL(countermark_nonce_store_new_redis(NULL, 5, S("p"), &store));
    IS_NULL(countermark_nonce_store_new_redis(S("redis://127.0.0.1/"), NULL, 1, &store));
    IS_NULL(countermark_nonce_store_new_redis(S("redis://127.0.0.1/"), S("p"), NULL));
    IS_NULL(countermark_nonce_store_check_and_insert(NULL, S("n"), 10, NULL));
    IS_NULL(countermark_nonce_store_check_and_insert(f->store, NULL, 1, 10, NULL));
    /* FOST */
    IS_NULL(countermark_fost_signer_new(NULL, 3, f->sha1_key, NULL, &fs));
    IS_NULL(countermark_fost_signer_new(S("key"), NULL, NULL, &fs));
    IS_NULL(countermark_fost_signer_new(S("key"), f->sha1_key, NULL, NULL));
    IS_NULL(countermark_fost_signer_sign(NULL, f->request, NULL, 0, NULL, 0, &claims));
    IS_NULL(countermark_fost_signer_sign(f->fost_signer, NULL, NULL, 0, NULL, 0, &claims));
    IS_NULL(countermark_fost_signer_sign(f->fost_signer, f->request, NULL, 1, NULL, 0, &claims));
    IS_NULL(countermark_fost_signer_sign(f->fost_signer, f->request, NULL, 0, NULL, 4, &claims));
    IS_NULL(countermark_fost_signer_sign(f->fost_signer, f->request, NULL, 0, NULL, 0, NULL));
    IS_NULL(countermark_fost_policy_new(NULL, NULL, NULL, NULL));
    IS_NULL(countermark_fost_parse(NULL, VOUT(&res)));
    IS_NULL(countermark_fost_parse(f->request, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_fost_verify(NULL, f->sha1_key, f->fost_policy, VOUT(&res)));
    IS_NULL(countermark_fost_verify(f->request, NULL, f->fost_policy, VOUT(&res)));
    IS_NULL(countermark_fost_verify(f->request, f->sha1_key, NULL, VOUT(&res)));
    IS_NULL(countermark_fost_verify(f->request, f->sha1_key, f->fost_policy, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_fost_url_signer_new(NULL, 3, f->sha1_key, &fus));
    IS_NULL(countermark_fost_url_signer_new(S("key"), NULL, &fus));
    IS_NULL(countermark_fost_url_signer_new(S("key"), f->sha1_key, NULL));
    IS_NULL(countermark_fost_url_signer_sign(NULL, S("https://e.com/"), false, 0, &claims));
    IS_NULL(countermark_fost_url_signer_sign(f->fost_url_signer, NULL, 5, false, 0, &claims));
    IS_NULL(countermark_fost_url_signer_sign(f->fost_url_signer, S("https://e.com/"), false, 0, NULL));
    IS_NULL(countermark_fost_url_parse(NULL, VOUT(&res)));
    IS_NULL(countermark_fost_url_parse(f->request, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_fost_url_verify(NULL, f->sha1_key, f->fost_policy, VOUT(&res)));
    IS_NULL(countermark_fost_url_verify(f->request, NULL, f->fost_policy, VOUT(&res)));
    IS_NULL(countermark_fost_url_verify(f->request, f->sha1_key, NULL, VOUT(&res)));
    IS_NULL(countermark_fost_url_verify(f->request, f->sha1_key, f->fost_policy, NULL, res.buf, sizeof res.buf, &res.n));
    /* HMAC header */
    IS_NULL(countermark_api_secret_new_base64(NULL, 4, &as));
    IS_NULL(countermark_api_secret_new_base64(S("AAAA"), NULL));
    IS_NULL(countermark_api_secret_generate(NULL));
    IS_NULL(countermark_api_secret_decrypt_legacy(NULL, 3, S("pw"), S("salt"), S("ct"), &as));
    IS_NULL(countermark_api_secret_decrypt_legacy(S("aes"), NULL, 2, S("salt"), S("ct"), &as));
    IS_NULL(countermark_api_secret_decrypt_legacy(S("aes"), S("pw"), NULL, 4, S("ct"), &as));
    IS_NULL(countermark_api_secret_decrypt_legacy(S("aes"), S("pw"), S("salt"), NULL, 2, &as));
    IS_NULL(countermark_api_secret_decrypt_legacy(S("aes"), S("pw"), S("salt"), S("ct"), NULL));
    IS_NULL(countermark_api_secret_to_base64(NULL, &bytes));
    IS_NULL(countermark_api_secret_to_base64(f->api_secret, NULL));
    IS_NULL(countermark_hmac_header_signer_new(NULL, 3, f->api_secret, S("hmac-sha256"), NULL, &hs));
    IS_NULL(countermark_hmac_header_signer_new(S("api"), NULL, S("hmac-sha256"), NULL, &hs));
    IS_NULL(countermark_hmac_header_signer_new(S("api"), f->api_secret, NULL, 6, NULL, &hs));
    IS_NULL(countermark_hmac_header_signer_new(S("api"), f->api_secret, S("hmac-sha256"), NULL, NULL));
    IS_NULL(countermark_hmac_header_signer_sign(NULL, f->request, NULL, 0, &claims));
    IS_NULL(countermark_hmac_header_signer_sign(f->hh_signer, NULL, NULL, 0, &claims));
    IS_NULL(countermark_hmac_header_signer_sign(f->hh_signer, f->request, NULL, 4, &claims));
    IS_NULL(countermark_hmac_header_signer_sign(f->hh_signer, f->request, NULL, 0, NULL));
    IS_NULL(countermark_hmac_header_policy_new(NULL, NULL, NULL, NULL));
    IS_NULL(countermark_hmac_header_parse(NULL, VOUT(&res)));
    IS_NULL(countermark_hmac_header_parse(f->request, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_hmac_header_verify(NULL, f->api_secret, f->hh_policy, VOUT(&res)));
    IS_NULL(countermark_hmac_header_verify(f->request, NULL, f->hh_policy, VOUT(&res)));
    IS_NULL(countermark_hmac_header_verify(f->request, f->api_secret, NULL, VOUT(&res)));
    IS_NULL(countermark_hmac_header_verify(f->request, f->api_secret, f->hh_policy, NULL, res.buf, sizeof res.buf, &res.n));
    /* asymmetric keys and JWT */
    IS_NULL(countermark_signing_key_from_pem(NULL, 10, &sk));
    IS_NULL(countermark_signing_key_from_pem(S("x"), NULL));
    IS_NULL(countermark_signing_key_from_pkcs8_der(NULL, 10, &sk));
    IS_NULL(countermark_signing_key_from_pkcs8_der(S("x"), NULL));
    IS_NULL(countermark_signing_key_verifying_key(NULL, &vk));
    IS_NULL(countermark_signing_key_verifying_key(f->signing_key, NULL));
    IS_NULL(countermark_signing_key_key_id(NULL, &bytes));
    IS_NULL(countermark_signing_key_key_id(f->signing_key, NULL));
    IS_NULL(countermark_verifying_key_from_pem(NULL, 10, &vk));
    IS_NULL(countermark_verifying_key_from_pem(S("x"), NULL));
    IS_NULL(countermark_verifying_key_from_spki_der(NULL, 10, &vk));
    IS_NULL(countermark_verifying_key_from_spki_der(S("x"), NULL));
    IS_NULL(countermark_verifying_key_from_jwk(NULL, 10, &vk));
    IS_NULL(countermark_verifying_key_from_jwk(S("{}"), NULL));
    IS_NULL(countermark_verifying_key_key_id(NULL, &bytes));
    IS_NULL(countermark_verifying_key_key_id(f->verifying_key, NULL));
    IS_NULL(countermark_verifying_key_fingerprint(NULL, &bytes));
    IS_NULL(countermark_verifying_key_fingerprint(f->verifying_key, NULL));
    IS_NULL(countermark_verifying_key_to_pem(NULL, &bytes));
    IS_NULL(countermark_verifying_key_to_pem(f->verifying_key, NULL));
    IS_NULL(countermark_jwt_sign(NULL, S("alice"), NULL, &bytes));
    IS_NULL(countermark_jwt_sign(f->signing_key, NULL, 5, NULL, &bytes));
    IS_NULL(countermark_jwt_sign(f->signing_key, S("alice"), NULL, NULL));
    IS_NULL(countermark_jwt_sign_with(NULL, S("alice"), 1700000000, S("n"), &bytes));
    IS_NULL(countermark_jwt_sign_with(f->signing_key, NULL, 5, 1700000000, S("n"), &bytes));
    IS_NULL(countermark_jwt_sign_with(f->signing_key, S("alice"), 1700000000, NULL, 1, &bytes));
    IS_NULL(countermark_jwt_sign_with(f->signing_key, S("alice"), 1700000000, S("n"), NULL));
    IS_NULL(countermark_jwt_policy_new(NULL, NULL, NULL, NULL));
    IS_NULL(countermark_jwt_parse(NULL, 5, VOUT(&res)));
    IS_NULL(countermark_jwt_parse(S("a.b.c"), NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_jwt_parse_request(NULL, VOUT(&res)));
    IS_NULL(countermark_jwt_parse_request(f->request, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_jwt_verify(NULL, 5, keys, 1, f->jwt_policy, VOUT(&res)));
    IS_NULL(countermark_jwt_verify(S("a.b.c"), NULL, 1, f->jwt_policy, VOUT(&res)));
    IS_NULL(countermark_jwt_verify(S("a.b.c"), keys, 1, NULL, VOUT(&res)));
    IS_NULL(countermark_jwt_verify(S("a.b.c"), keys, 1, f->jwt_policy, NULL, res.buf, sizeof res.buf, &res.n));
    keys[0] = NULL; /* a NULL element of the key array */
    IS_NULL(countermark_jwt_verify(S("a.b.c"), keys, 1, f->jwt_policy, VOUT(&res)));
    /* RFC 9421 */
    IS_NULL(countermark_message_signer_builder_new_hmac(NULL, &sb));
    IS_NULL(countermark_message_signer_builder_new_hmac(f->key, NULL));
    IS_NULL(countermark_message_signer_builder_new_asymmetric(NULL, S("ed25519"), &sb));
    IS_NULL(countermark_message_signer_builder_new_asymmetric(f->signing_key, NULL, 7, &sb));
    IS_NULL(countermark_message_signer_builder_new_asymmetric(f->signing_key, S("ed25519"), NULL));
    IS(countermark_message_signer_builder_new_hmac(f->key, &sb), COUNTERMARK_RESULT_OK);
    IS_NULL(countermark_message_signer_builder_set_label(NULL, S("sig")));
    IS_NULL(countermark_message_signer_builder_set_label(sb, NULL, 3));
    IS_NULL(countermark_message_signer_builder_set_components(NULL, &field, 1));
    IS_NULL(countermark_message_signer_builder_set_components(sb, NULL, 1));
    IS_NULL(countermark_message_signer_builder_set_created(NULL, 1));
    IS_NULL(countermark_message_signer_builder_omit_created(NULL));
    IS_NULL(countermark_message_signer_builder_set_expires(NULL, 1));
    IS_NULL(countermark_message_signer_builder_set_expires_in(NULL, 1));
    IS_NULL(countermark_message_signer_builder_set_key_id(NULL, S("k")));
    IS_NULL(countermark_message_signer_builder_set_key_id(sb, NULL, 1));
    IS_NULL(countermark_message_signer_builder_omit_key_id(NULL));
    IS_NULL(countermark_message_signer_builder_set_nonce(NULL, S("n")));
    IS_NULL(countermark_message_signer_builder_set_nonce(sb, NULL, 1));
    IS_NULL(countermark_message_signer_builder_random_nonces(NULL));
    IS_NULL(countermark_message_signer_builder_set_tag(NULL, S("t")));
    IS_NULL(countermark_message_signer_builder_set_tag(sb, NULL, 1));
    IS_NULL(countermark_message_signer_builder_include_alg(NULL, true));
    IS_NULL(countermark_message_signer_builder_set_clock(NULL, NULL));
    IS_NULL(countermark_message_signer_builder_build(NULL, &ms));
    IS_NULL(countermark_message_signer_builder_build(sb, NULL));
    countermark_message_signer_builder_free(sb);
    IS_NULL(countermark_message_signer_sign_request(NULL, f->request, &claims));
    IS_NULL(countermark_message_signer_sign_request(f->msg_signer, NULL, &claims));
    IS_NULL(countermark_message_signer_sign_request(f->msg_signer, f->request, NULL));
    IS_NULL(countermark_message_signer_sign_response(NULL, f->response, &claims));
    IS_NULL(countermark_message_signer_sign_response(f->msg_signer, NULL, &claims));
    IS_NULL(countermark_message_signer_sign_response(f->msg_signer, f->response, NULL));
    IS_NULL(countermark_message_verifying_key_new_hmac(NULL, &mk));
    IS_NULL(countermark_message_verifying_key_new_hmac(f->key, NULL));
    IS_NULL(countermark_message_verifying_key_new_public(NULL, S("ed25519"), &mk));
    IS_NULL(countermark_message_verifying_key_new_public(f->verifying_key, NULL, 7, &mk));
    IS_NULL(countermark_message_verifying_key_new_public(f->verifying_key, S("ed25519"), NULL));
    IS_NULL(countermark_message_policy_builder_new(NULL));
    IS(countermark_message_policy_builder_new(&pb), COUNTERMARK_RESULT_OK);
    IS_NULL(countermark_message_policy_builder_set_clock(NULL, NULL));
    IS_NULL(countermark_message_policy_builder_set_clock_skew(NULL, 1));
    IS_NULL(countermark_message_policy_builder_set_max_age(NULL, 1));
    IS_NULL(countermark_message_policy_builder_require_created(NULL, true));
    IS_NULL(countermark_message_policy_builder_require_key_id(NULL, true));
    IS_NULL(countermark_message_policy_builder_require_nonce(NULL, true));
    IS_NULL(countermark_message_policy_builder_set_required_components(NULL, &field, 1));
    IS_NULL(countermark_message_policy_builder_set_required_components(pb, NULL, 1));
    IS_NULL(countermark_message_policy_builder_allow_unknown_params(NULL, true));
    IS_NULL(countermark_message_policy_builder_set_label(NULL, S("sig")));
    IS_NULL(countermark_message_policy_builder_set_label(pb, NULL, 3));
    IS_NULL(countermark_message_policy_builder_check_content_digest(NULL, true));
    IS_NULL(countermark_message_policy_builder_set_nonce_store(NULL, NULL));
    IS_NULL(countermark_message_policy_builder_remember_signatures(NULL, true));
    IS_NULL(countermark_message_policy_builder_build(NULL, &mp));
    IS_NULL(countermark_message_policy_builder_build(pb, NULL));
    countermark_message_policy_builder_free(pb);
    IS_NULL(countermark_message_signature_parse(NULL, NULL, 0, VOUT(&res)));
    IS_NULL(countermark_message_signature_parse(f->request, NULL, 3, VOUT(&res)));
    IS_NULL(countermark_message_signature_parse(f->request, NULL, 0, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_message_signature_parse_response(NULL, NULL, 0, VOUT(&res)));
    IS_NULL(countermark_message_signature_parse_response(f->response, NULL, 3, VOUT(&res)));
    IS_NULL(countermark_message_signature_parse_response(f->response, NULL, 0, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_message_signature_verify(NULL, f->msg_key, f->msg_policy, VOUT(&res)));
    IS_NULL(countermark_message_signature_verify(f->request, NULL, f->msg_policy, VOUT(&res)));
    IS_NULL(countermark_message_signature_verify(f->request, f->msg_key, NULL, VOUT(&res)));
    IS_NULL(countermark_message_signature_verify(f->request, f->msg_key, f->msg_policy, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_message_signature_verify_response(NULL, f->msg_key, f->msg_policy, VOUT(&res)));
    IS_NULL(countermark_message_signature_verify_response(f->response, NULL, f->msg_policy, VOUT(&res)));
    IS_NULL(countermark_message_signature_verify_response(f->response, f->msg_key, NULL, VOUT(&res)));
    IS_NULL(countermark_message_signature_verify_response(f->response, f->msg_key, f->msg_policy, NULL, res.buf, sizeof res.buf, &res.n));
    IS_NULL(countermark_content_digest(NULL, 1, S("sha-256"), &bytes));
    IS_NULL(countermark_content_digest(S("b"), NULL, 7, &bytes));
    IS_NULL(countermark_content_digest(S("b"), S("sha-256"), NULL));
    IS_NULL(countermark_content_digest_verify(NULL, 5, S("b")));
    IS_NULL(countermark_content_digest_verify(S("sha-256=:x:"), NULL, 1));
    /* errors */
    IS_NULL(countermark_error(COUNTERMARK_RESULT_OK, NULL, 10, &n));
    IS_NULL(countermark_error(COUNTERMARK_RESULT_OK, buf, sizeof buf, NULL));

    /* Nothing was written anywhere. */
    CHECK(clock == NULL && key == NULL && ring == NULL && tokens == NULL && us == NULL && req == NULL &&
              resp == NULL && store == NULL && sk == NULL && vk == NULL && jp == NULL && fs == NULL && fus == NULL &&
              fp == NULL && as == NULL && hs == NULL && hp == NULL && ms == NULL && mk == NULL && mp == NULL &&
              claims == NULL && res.v.scheme == COUNTERMARK_SCHEME_NONE && bytes.data == NULL && bytes.len == 0 &&
              str.data == NULL && str.len == 0,
          "no output written by a call that failed");

    /* Every free function accepts NULL. */
    countermark_bytes_free(NULL);
    countermark_claims_free(NULL);
    countermark_clock_free(NULL);
    countermark_hmac_key_free(NULL);
    countermark_key_ring_builder_free(NULL);
    countermark_key_ring_free(NULL);
    countermark_tokens_free(NULL);
    countermark_url_signer_free(NULL);
    countermark_request_free(NULL);
    countermark_response_free(NULL);
    countermark_nonce_store_free(NULL);
    countermark_fost_signer_free(NULL);
    countermark_fost_url_signer_free(NULL);
    countermark_fost_policy_free(NULL);
    countermark_api_secret_free(NULL);
    countermark_hmac_header_signer_free(NULL);
    countermark_hmac_header_policy_free(NULL);
    countermark_signing_key_free(NULL);
    countermark_verifying_key_free(NULL);
    countermark_jwt_policy_free(NULL);
    countermark_message_signer_builder_free(NULL);
    countermark_message_signer_free(NULL);
    countermark_message_verifying_key_free(NULL);
    countermark_message_policy_builder_free(NULL);
    countermark_message_policy_free(NULL);
}

/* (ptr, 0) with any pointer, NULL included, is the empty input; a huge length is refused before any read. */
static void lengths(const fixture *f) {
    const countermark_hmac_key *key = NULL;
    countermark_claims *claims = NULL;
    static vres res;
    countermark_bytes bytes = {NULL, 0};
    countermark_request *req = NULL;
    uint8_t tag[COUNTERMARK_MAX_TAG_LEN];
    size_t n = 0;

    /* Zero lengths: each refused for what it is (an empty algorithm, secret, token...), not as NULL. */
    IS(countermark_hmac_key_new(NULL, 0, SECRET, sizeof SECRET, NULL, 0, &key),
       COUNTERMARK_RESULT_UNSUPPORTED_ALGORITHM);
    IS(countermark_hmac_key_new(S("hmac-sha256"), NULL, 0, NULL, 0, &key), COUNTERMARK_RESULT_INVALID_KEY);
    IS(countermark_hmac_key_new(S("hmac-sha256"), SECRET, 15, NULL, 0, &key), COUNTERMARK_RESULT_INVALID_KEY);
    IS(countermark_hmac_key_new_legacy(S("hmac-sha256"), NULL, 0, NULL, 0, &key), COUNTERMARK_RESULT_INVALID_KEY);
    CHECK(key == NULL, "no key written for a refused secret");
    IS(countermark_tokens_verify(f->tokens, NULL, 0, NULL, VOUT(&res)), COUNTERMARK_RESULT_MALFORMED);
    IS(countermark_tokens_verify(f->tokens, ONE_BYTE, 0, NULL, VOUT(&res)), COUNTERMARK_RESULT_MALFORMED);
    IS(countermark_tokens_create(f->tokens, NULL, 0, &bytes), COUNTERMARK_RESULT_OK);
    countermark_bytes_free(&bytes);
    /* No parameters at all: ska's answer, an invalid signature. */
    IS(countermark_url_signer_validate(f->url_signer, NULL, 0, VOUT(&res)), COUNTERMARK_RESULT_BAD_SIGNATURE);
    IS(countermark_url_signer_validate_url(f->url_signer, NULL, 0, VOUT(&res)), COUNTERMARK_RESULT_BAD_SIGNATURE);
    IS(countermark_jwt_parse(NULL, 0, VOUT(&res)), COUNTERMARK_RESULT_MALFORMED);
    IS(countermark_request_new(NULL, 0, S("/"), &req), COUNTERMARK_RESULT_MALFORMED);
    {
        const countermark_signing_key *sk = NULL;
        IS(countermark_signing_key_from_pem(NULL, 0, &sk), COUNTERMARK_RESULT_INVALID_KEY);
        CHECK(sk == NULL, "no key from an empty PEM");
    }
    IS(countermark_hmac_key_sign(f->key, NULL, 0, tag, sizeof tag, &n), COUNTERMARK_RESULT_OK);
    CHECK(n == 32, "HMAC-SHA256 of the empty message is 32 bytes");
    IS(countermark_hmac_key_verify(f->key, NULL, 0, tag, n), COUNTERMARK_RESULT_OK);
    IS(countermark_hmac_key_verify(f->key, NULL, 0, tag, 0), COUNTERMARK_RESULT_BAD_SIGNATURE);
    IS(countermark_hmac_key_verify(f->key, NULL, 0, tag, n - 1), COUNTERMARK_RESULT_BAD_SIGNATURE);
    /* The empty value is a value like any other: recorded once. */
    IS(countermark_nonce_store_check_and_insert(f->store, NULL, 0, 10, f->clock), COUNTERMARK_RESULT_OK);
    IS(countermark_nonce_store_check_and_insert(f->store, ONE_BYTE, 0, 10, f->clock), COUNTERMARK_RESULT_REPLAYED);
    IS(countermark_secret_generate(0, &bytes), COUNTERMARK_RESULT_INVALID_KEY);
    IS(countermark_secret_generate(15, &bytes), COUNTERMARK_RESULT_INVALID_KEY);
    IS(countermark_secret_generate(1025, &bytes), COUNTERMARK_RESULT_INVALID_KEY);
    CHECK(bytes.data == NULL, "no bytes written for a refused length");

    /* Huge lengths, next to a one-byte buffer: refused before anything is read, with TOO_LARGE up to SSIZE_MAX
     * and INVALID_PARAMETER over it (no buffer is that long). */
    IS(countermark_tokens_verify(f->tokens, ONE_BYTE, HUGE_LEN, NULL, VOUT(&res)), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_tokens_verify(f->tokens, ONE_BYTE, SIZE_MAX, NULL, VOUT(&res)), COUNTERMARK_RESULT_INVALID_PARAMETER);
    IS(countermark_hmac_key_sign(f->key, ONE_BYTE, HUGE_LEN, tag, sizeof tag, &n), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_hmac_key_verify(f->key, ONE_BYTE, 1, ONE_BYTE, SIZE_MAX), COUNTERMARK_RESULT_INVALID_PARAMETER);
    /* The boundary between the two: SSIZE_MAX is too large, one more is a wrong length. */
    IS(countermark_hmac_key_verify(f->key, ONE_BYTE, 1, ONE_BYTE, (size_t)PTRDIFF_MAX), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_hmac_key_verify(f->key, ONE_BYTE, 1, ONE_BYTE, (size_t)PTRDIFF_MAX + 1),
       COUNTERMARK_RESULT_INVALID_PARAMETER);
    IS(countermark_hmac_key_new(S("hmac-sha256"), ONE_BYTE, HUGE_LEN, NULL, 0, &key), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_url_signer_validate_url(f->url_signer, ONE_BYTE, HUGE_LEN, VOUT(&res)), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_jwt_parse(ONE_BYTE, SIZE_MAX / 2, VOUT(&res)), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_request_new(S("GET"), ONE_BYTE, HUGE_LEN, &req), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_request_add_header(f->request, S("X-A"), ONE_BYTE, HUGE_LEN), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_request_set_body(f->request, ONE_BYTE, HUGE_LEN), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_content_digest(ONE_BYTE, HUGE_LEN, S("sha-256"), &bytes), COUNTERMARK_RESULT_TOO_LARGE);
    IS(countermark_content_digest_verify(S("sha-256=:x:"), ONE_BYTE, SIZE_MAX), COUNTERMARK_RESULT_INVALID_PARAMETER);
    IS(countermark_nonce_store_check_and_insert(f->store, ONE_BYTE, HUGE_LEN, 10, f->clock),
       COUNTERMARK_RESULT_TOO_LARGE);
    /* Each format's own limit, one byte over it. */
    {
        size_t big = 2049;
        uint8_t *token = malloc(big);
        if (token == NULL) exit(2);
        memset(token, 'a', big);
        IS(countermark_tokens_verify(f->tokens, token, big, NULL, VOUT(&res)), COUNTERMARK_RESULT_TOO_LARGE);
        free(token);
    }
    CHECK(claims == NULL && res.v.scheme == COUNTERMARK_SCHEME_NONE && key == NULL && req == NULL && bytes.data == NULL,
          "nothing written on refusal");
    /* An array count over the limit is refused without reading the array. */
    {
        countermark_str field = {(const uint8_t *)"a", 1};
        IS(countermark_tokens_create(f->tokens, &field, SIZE_MAX, &bytes), COUNTERMARK_RESULT_INVALID_PARAMETER);
        IS(countermark_tokens_create(f->tokens, &field, COUNTERMARK_MAX_INPUT_LEN / sizeof field + 1, &bytes), COUNTERMARK_RESULT_TOO_LARGE);
        CHECK(bytes.data == NULL, "no token for a huge field count");
    }
}

/* Caller buffers too small report the size needed and write nothing else. */
static void small_buffers(const fixture *f) {
    uint8_t tag[COUNTERMARK_MAX_TAG_LEN];
    uint8_t msg[128];
    size_t n = 12345;
    size_t i;

    memset(tag, 0xAA, sizeof tag);
    IS(countermark_hmac_key_sign(f->key, S("m"), tag, 0, &n), COUNTERMARK_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 32, "hmac sign with cap 0 reports 32");
    n = 0;
    IS(countermark_hmac_key_sign(f->key, S("m"), tag, 31, &n), COUNTERMARK_RESULT_INSUFFICIENT_SIZE);
    CHECK(n == 32, "hmac sign with cap 31 reports 32");
    for (i = 0; i < sizeof tag; i++) {
        if (tag[i] != 0xAA) break;
    }
    CHECK(i == sizeof tag, "a too-small buffer is left untouched");
    IS(countermark_hmac_key_sign(f->key, S("m"), tag, 32, &n), COUNTERMARK_RESULT_OK);
    CHECK(n == 32, "hmac sign with cap 32 writes 32");
    IS(countermark_hmac_key_verify(f->key, S("m"), tag, n), COUNTERMARK_RESULT_OK);

    /* countermark_error: the size needed counts the NUL; the length written does not. */
    n = 0;
    IS(countermark_error(COUNTERMARK_RESULT_BAD_SIGNATURE, msg, 0, &n), COUNTERMARK_RESULT_INSUFFICIENT_SIZE);
    CHECK(n > 1 && n <= sizeof msg, "error reports its size");
    {
        size_t needed = n;
        memset(msg, 0xAA, sizeof msg);
        IS(countermark_error(COUNTERMARK_RESULT_BAD_SIGNATURE, msg, needed - 1, &n),
           COUNTERMARK_RESULT_INSUFFICIENT_SIZE);
        CHECK(n == needed && msg[0] == 0xAA, "one byte short: untouched, size reported again");
        IS(countermark_error(COUNTERMARK_RESULT_BAD_SIGNATURE, msg, needed, &n), COUNTERMARK_RESULT_OK);
        CHECK(n == needed - 1 && msg[n] == '\0' && strlen((char *)msg) == n, "exact size: NUL-terminated");
    }
}

static void invalid_utf8(const fixture *f) {
    const countermark_hmac_key *key = NULL;
    countermark_claims *claims = NULL;
    static vres res;
    countermark_bytes bytes = {NULL, 0};
    countermark_request *req = NULL;
    const countermark_fost_signer *fs = NULL;
    countermark_str field = {BAD_UTF8, sizeof BAD_UTF8};

    IS(countermark_hmac_key_new(BAD_UTF8, sizeof BAD_UTF8, SECRET, sizeof SECRET, NULL, 0, &key),
       COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_hmac_key_new(S("hmac-sha256"), SECRET, sizeof SECRET, BAD_UTF8, sizeof BAD_UTF8, &key),
       COUNTERMARK_RESULT_INVALID_UTF8);
    /* Secrets are bytes: any byte is fine. */
    IS(countermark_hmac_key_new(S("hmac-sha256"), (const uint8_t *)"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0",
                                16, NULL, 0, &key),
       COUNTERMARK_RESULT_OK);
    countermark_hmac_key_free(key);
    IS(countermark_tokens_verify(f->tokens, BAD_UTF8, sizeof BAD_UTF8, NULL, VOUT(&res)), COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_tokens_create(f->tokens, &field, 1, &bytes), COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_url_signer_validate_url(f->url_signer, BAD_UTF8, sizeof BAD_UTF8, VOUT(&res)),
       COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_url_signer_sign_url(f->url_signer, S("https://e.com/"), BAD_UTF8, sizeof BAD_UTF8, NULL, NULL, 0, NULL,
                                       0, NULL, 0, &bytes),
       COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_jwt_parse(BAD_UTF8, sizeof BAD_UTF8, VOUT(&res)), COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_request_new(BAD_UTF8, sizeof BAD_UTF8, S("/"), &req), COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_request_new(S("GET"), BAD_UTF8, sizeof BAD_UTF8, &req), COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_fost_signer_new(BAD_UTF8, sizeof BAD_UTF8, f->sha1_key, NULL, &fs), COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_message_signature_parse(f->request, BAD_UTF8, sizeof BAD_UTF8, VOUT(&res)),
       COUNTERMARK_RESULT_INVALID_UTF8);
    IS(countermark_content_digest(S("body"), BAD_UTF8, sizeof BAD_UTF8, &bytes), COUNTERMARK_RESULT_INVALID_UTF8);
    CHECK(claims == NULL && res.v.scheme == COUNTERMARK_SCHEME_NONE && bytes.data == NULL && req == NULL && fs == NULL,
          "nothing written for invalid UTF-8");
}

static void consumed_builders(const fixture *f) {
    countermark_key_ring_builder *rb = NULL;
    const countermark_key_ring *ring = NULL;
    const countermark_key_ring *ring2 = NULL;
    countermark_message_signer_builder *sb = NULL;
    const countermark_message_signer *ms = NULL;
    const countermark_message_signer *ms2 = NULL;
    countermark_message_policy_builder *pb = NULL;
    const countermark_message_policy *mp = NULL;
    const countermark_message_policy *mp2 = NULL;
    countermark_str comp = {(const uint8_t *)"@method", 7};

    IS(countermark_key_ring_builder_new(f->key, &rb), COUNTERMARK_RESULT_OK);
    IS(countermark_key_ring_builder_build(rb, &ring), COUNTERMARK_RESULT_OK);
    IS(countermark_key_ring_builder_build(rb, &ring2), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_key_ring_builder_rotate(rb, f->key), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_key_ring_builder_add_verify_only(rb, f->key), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_key_ring_builder_retire(rb, S("k1")), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    CHECK(ring != NULL && ring2 == NULL, "second build writes nothing");
    countermark_key_ring_builder_free(rb);
    countermark_key_ring_free(ring);

    IS(countermark_message_signer_builder_new_hmac(f->key, &sb), COUNTERMARK_RESULT_OK);
    IS(countermark_message_signer_builder_build(sb, &ms), COUNTERMARK_RESULT_OK);
    IS(countermark_message_signer_builder_build(sb, &ms2), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_set_label(sb, S("x")), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_set_components(sb, &comp, 1), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_set_created(sb, 1), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_omit_key_id(sb), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_random_nonces(sb), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_include_alg(sb, true), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_signer_builder_set_clock(sb, NULL), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    CHECK(ms != NULL && ms2 == NULL, "second signer build writes nothing");
    countermark_message_signer_builder_free(sb);
    countermark_message_signer_free(ms);

    IS(countermark_message_policy_builder_new(&pb), COUNTERMARK_RESULT_OK);
    IS(countermark_message_policy_builder_build(pb, &mp), COUNTERMARK_RESULT_OK);
    IS(countermark_message_policy_builder_build(pb, &mp2), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_policy_builder_set_clock_skew(pb, 1), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_policy_builder_require_nonce(pb, true), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_policy_builder_set_required_components(pb, &comp, 1), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    IS(countermark_message_policy_builder_set_nonce_store(pb, f->store), COUNTERMARK_RESULT_BUILDER_CONSUMED);
    CHECK(mp != NULL && mp2 == NULL, "second policy build writes nothing");
    countermark_message_policy_builder_free(pb);
    countermark_message_policy_free(mp);
}

static void result_codes(void) {
    static const uint32_t known[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102, 200, 201, 202, 300, 301, 302, 303, 400};
    static const uint32_t unknown[] = {9, 99, 103, 199, 203, 304, 401, 999, 0x7fffffffu, UINT32_MAX};
    uint8_t buf[256];
    size_t n = 0;
    size_t i;
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        char where[64];
        snprintf(where, sizeof where, "code %u", (unsigned)known[i]);
        CHECK(countermark_error(known[i], buf, sizeof buf, &n) == COUNTERMARK_RESULT_OK, where);
        CHECK(n > 0 && n == strlen((char *)buf), where);
        CHECK(strncmp((char *)buf, "unknown", 7) != 0, where);
        CHECK(strcmp(countermark_result_name(known[i]), "unknown") != 0, where);
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        char where[64];
        snprintf(where, sizeof where, "unknown code %u", (unsigned)unknown[i]);
        CHECK(countermark_error(unknown[i], buf, sizeof buf, &n) == COUNTERMARK_RESULT_OK, where);
        CHECK(strncmp((char *)buf, "unknown result code: ", 21) == 0, where);
        CHECK(strcmp(countermark_result_name(unknown[i]), "unknown") == 0, where);
        CHECK(!countermark_result_is_verification_error(unknown[i]), where);
        CHECK(!countermark_result_is_usage_error(unknown[i]), where);
    }
    CHECK(strcmp(countermark_result_name(COUNTERMARK_RESULT_BAD_SIGNATURE), "bad_signature") == 0, "name");
    CHECK(countermark_result_is_verification_error(COUNTERMARK_RESULT_EXPIRED), "expired is a verification error");
    CHECK(!countermark_result_is_verification_error(COUNTERMARK_RESULT_OK), "OK is not an error");
    CHECK(!countermark_result_is_verification_error(COUNTERMARK_RESULT_INVALID_KEY), "invalid key is the caller's");
    CHECK(countermark_result_is_usage_error(COUNTERMARK_RESULT_NULL_PARAMETER), "NULL is a usage error");
    /* As documented: codes 1-6 are misuse; NOT_FOUND and NO_CREDENTIALS (7, 8) are answers. */
    for (i = 1; i <= 6; i++) {
        char where[64];
        snprintf(where, sizeof where, "code %u is a usage error", (unsigned)i);
        CHECK(countermark_result_is_usage_error((uint32_t)i), where);
    }
    CHECK(!countermark_result_is_usage_error(COUNTERMARK_RESULT_NOT_FOUND), "NOT_FOUND is not misuse");
    CHECK(!countermark_result_is_usage_error(COUNTERMARK_RESULT_NO_CREDENTIALS), "NO_CREDENTIALS is not misuse");
    CHECK(!countermark_result_is_usage_error(COUNTERMARK_RESULT_OK), "OK is not misuse");
    CHECK(!countermark_result_is_usage_error(COUNTERMARK_RESULT_MALFORMED), "MALFORMED is not misuse");
}

static void claims_and_bytes(const fixture *f) {
    countermark_str a = {(const uint8_t *)"alice", 5};
    countermark_bytes token = {NULL, 0};
    static vres res;
    countermark_verified small;
    uint8_t tiny[4];
    size_t need = 0, used = 0;
    uint64_t max_age = 60;

    IS(countermark_tokens_create(f->tokens, &a, 1, &token), COUNTERMARK_RESULT_OK);
    CHECK(token.data != NULL && token.data[token.len] == '\0', "bytes are NUL-terminated");
    /* A result that does not fit: INSUFFICIENT_SIZE, the size needed, and nothing else written. */
    memset(&small, 0, sizeof small);
    IS(countermark_tokens_verify(f->tokens, token.data, token.len, &max_age, &small, tiny, 0, &need),
       COUNTERMARK_RESULT_INSUFFICIENT_SIZE);
    CHECK(need > 0 && need <= COUNTERMARK_VERIFIED_BUF_LEN, "the size needed is reported");
    CHECK(small.scheme == COUNTERMARK_SCHEME_NONE, "nothing written on a short buffer");
    IS(countermark_tokens_verify(f->tokens, token.data, token.len, &max_age, &small, NULL, 0, &need),
       COUNTERMARK_RESULT_INSUFFICIENT_SIZE);
    /* (NULL, n > 0) is a NULL parameter. */
    IS(countermark_tokens_verify(f->tokens, token.data, token.len, &max_age, &small, NULL, 64, &used),
       COUNTERMARK_RESULT_NULL_PARAMETER);
    IS(countermark_tokens_verify(f->tokens, token.data, token.len, &max_age, &small, res.buf, sizeof res.buf, NULL),
       COUNTERMARK_RESULT_NULL_PARAMETER);
    /* The size reported is enough, however the buffer is aligned. */
    {
        uint8_t *exact = malloc(need + 1);
        if (exact == NULL) exit(2);
        IS(countermark_tokens_verify(f->tokens, token.data, token.len, &max_age, &small, exact + 1, need, &used),
           COUNTERMARK_RESULT_OK);
        CHECK(small.scheme == COUNTERMARK_SCHEME_TOKEN && small.verified, "a token result in an exact buffer");
        CHECK(used <= need, "text bytes used within the buffer");
        CHECK(small.n_items == 1 && small.items != NULL && small.items[0].value.len == 5 &&
                  memcmp(small.items[0].value.data, "alice", 5) == 0,
              "the field is an item whose text lives in the buffer");
        CHECK((const uint8_t *)small.items >= exact + 1 && (const uint8_t *)(small.items + 1) <= exact + 1 + need,
              "the items live in the buffer");
        free(exact);
    }
    vres_reset(&res);
    IS(countermark_tokens_verify(f->tokens, token.data, token.len, &max_age, VOUT(&res)), COUNTERMARK_RESULT_OK);
    CHECK(res.v.has_created && !res.v.has_expires && !vset(res.v.key_id) && res.v.key_id.data == NULL,
          "absent fields are empty");
    countermark_bytes_free(&token);
    CHECK(token.data == NULL && token.len == 0, "bytes_free resets the struct");
    countermark_bytes_free(&token); /* twice through the same struct: harmless */

    /* A fixed clock with nanos out of range. */
    {
        const countermark_clock *c = NULL;
        IS(countermark_clock_new_fixed(0, 1000000000u, &c), COUNTERMARK_RESULT_INVALID_PARAMETER);
        CHECK(c == NULL, "no clock written");
        IS(countermark_clock_new_fixed(-5, 999999999u, &c), COUNTERMARK_RESULT_OK);
        CHECK(countermark_clock_now(c) == -5, "negative clock rounds down");
        countermark_clock_free(c);
    }
    /* The version string matches the header. */
    {
        char v[32];
        snprintf(v, sizeof v, "%d.%d.%d", COUNTERMARK_VERSION_MAJOR, COUNTERMARK_VERSION_MINOR,
                 COUNTERMARK_VERSION_PATCH);
        CHECK(strcmp(countermark_version(), v) == 0, "version matches the header macros");
        CHECK(countermark_abi_0_2() == 1, "abi symbol");
    }
}

int main(void) {
    fixture f;
    setup(&f);
    null_pointers(&f);
    lengths(&f);
    small_buffers(&f);
    invalid_utf8(&f);
    consumed_builders(&f);
    result_codes();
    claims_and_bytes(&f);
    teardown(&f);
    return util_finish("misuse");
}
