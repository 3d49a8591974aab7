/* A complete countermark program in C: an HMAC key, a token made and verified, and an RFC 9421 signed request
 * verified in two phases. Build it against an installed prefix (`make install PREFIX=DIR`, then
 * export PKG_CONFIG_PATH=DIR/lib/pkgconfig), with the shared library (found at run time through the rpath) or the
 * static one (libcountermark.a; `-lcountermark` would take libcountermark.so, installed beside it):
 *   shared: cc hello.c -o hello $(pkg-config --cflags --libs countermark) -Wl,-rpath,"$(pkg-config --variable=libdir countermark)"
 *   static: cc hello.c -o hello $(pkg-config --cflags --libs --static countermark-static)
 * (make install-test runs both lines.) */
#include <stdio.h>
#include <string.h>

#include "countermark.h"

#define S(text) (const uint8_t *)(text), strlen(text)

static int fail(const char *what, countermark_result r) {
    char msg[256];
    size_t n;
    countermark_error(r, (uint8_t *)msg, sizeof msg, &n);
    fprintf(stderr, "%s: %s (%s)\n", what, msg, countermark_result_name(r));
    return 1;
}

int main(void) {
    const countermark_hmac_key *key = NULL;
    countermark_result r = countermark_hmac_key_new(S("hmac-sha256"), S("a secret of 16+ bytes"), S("key-1"), &key);
    if (r != COUNTERMARK_RESULT_OK) return fail("key", r);

    /* Tokens: a key ring (one key here) signs and verifies. */
    countermark_key_ring_builder *rb = NULL;
    const countermark_key_ring *ring = NULL;
    countermark_key_ring_builder_new(key, &rb);
    countermark_key_ring_builder_build(rb, &ring);
    countermark_key_ring_builder_free(rb); /* built builders are still freed */
    const countermark_tokens *tokens = NULL;
    countermark_tokens_new(ring, NULL /* system clock */, 0 /* default randomness */, &tokens);

    countermark_str fields[] = {{(const uint8_t *)"user", 4}, {(const uint8_t *)"42", 2}};
    countermark_bytes token = {0};
    if ((r = countermark_tokens_create(tokens, fields, 2, &token)) != COUNTERMARK_RESULT_OK) return fail("create", r);
    /* A verify writes a typed result whose text lives in a buffer of ours: nothing to free. */
    countermark_verified v;
    uint8_t buf[COUNTERMARK_VERIFIED_BUF_LEN];
    size_t used = 0;
    uint64_t max_age = 300;
    r = countermark_tokens_verify(tokens, token.data, token.len, &max_age, &v, buf, sizeof buf, &used);
    if (r != COUNTERMARK_RESULT_OK) return fail("verify", r);
    countermark_str field = v.items[0].value;
    printf("token %s\n  verified, first field: %.*s, created %lld\n", (const char *)token.data, (int)field.len,
           (const char *)field.data, (long long)v.created);
    countermark_claims *claims = NULL;

    /* RFC 9421: sign a request over @method, @authority, @path and content-digest. */
    const char *body = "{\"hello\": \"world\"}";
    countermark_request *req = NULL;
    countermark_request_new(S("POST"), S("https://api.example.com/orders?x=1"), &req);
    countermark_bytes digest = {0};
    countermark_content_digest((const uint8_t *)body, strlen(body), S("sha-256"), &digest);
    countermark_request_add_header(req, S("Content-Digest"), digest.data, digest.len);
    countermark_request_set_body(req, (const uint8_t *)body, strlen(body));

    countermark_message_signer_builder *sb = NULL;
    const countermark_message_signer *signer = NULL;
    countermark_message_signer_builder_new_hmac(key, &sb);
    countermark_str covered[] = {{S("@method")}, {S("@authority")}, {S("@path")}, {S("content-digest")}};
    countermark_message_signer_builder_set_components(sb, covered, 4);
    countermark_message_signer_builder_build(sb, &signer);
    countermark_message_signer_builder_free(sb);
    if ((r = countermark_message_signer_sign_request(signer, req, &claims)) != COUNTERMARK_RESULT_OK) return fail("sign", r);
    countermark_str input, signature;
    countermark_claims_get(claims, S("Signature-Input"), &input);
    countermark_claims_get(claims, S("Signature"), &signature);
    countermark_request_add_header(req, S("Signature-Input"), input.data, input.len);
    countermark_request_add_header(req, S("Signature"), signature.data, signature.len);
    countermark_claims_free(claims);

    /* Server side. Phase one: which key does it claim? Phase two: verify with that key under a policy. */
    countermark_message_signature_parse(req, NULL, 0, &v, buf, sizeof buf, &used);
    printf("request claims key id %.*s\n", (int)v.key_id.len, (const char *)v.key_id.data);

    countermark_message_policy_builder *pb = NULL;
    const countermark_message_policy *policy = NULL;
    countermark_message_policy_builder_new(&pb);
    countermark_message_policy_builder_set_required_components(pb, covered, 4);
    countermark_message_policy_builder_check_content_digest(pb, true);
    countermark_message_policy_builder_build(pb, &policy);
    countermark_message_policy_builder_free(pb);
    const countermark_message_verifying_key *vk = NULL;
    countermark_message_verifying_key_new_hmac(key, &vk);
    r = countermark_message_signature_verify(req, vk, policy, &v, buf, sizeof buf, &used);
    if (r != COUNTERMARK_RESULT_OK) return fail("verify request", r);
    printf("  verified: %.*s, key id %.*s, %zu components, body checked: %s\n", (int)v.algorithm.len,
           (const char *)v.algorithm.data, (int)v.key_id.len, (const char *)v.key_id.data, v.n_items,
           v.body_checked ? "yes" : "no");
    r = countermark_message_signature_verify(req, vk, policy, &v, buf, sizeof buf, &used); /* the same request again */
    printf("  replayed: %s\n", r == COUNTERMARK_RESULT_OK ? "accepted (no nonce, no nonce store)" : countermark_result_name(r));

    countermark_message_verifying_key_free(vk);
    countermark_message_policy_free(policy);
    countermark_message_signer_free(signer);
    countermark_bytes_free(&digest);
    countermark_request_free(req);
    countermark_bytes_free(&token);
    countermark_tokens_free(tokens);
    countermark_key_ring_free(ring);
    countermark_hmac_key_free(key);
    return 0;
}
