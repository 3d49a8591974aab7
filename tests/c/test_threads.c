/*
 * The thread-safety the header documents: immutable handles (rings, token objects, URL signers, message
 * signers, verifying keys, policies, nonce stores) shared by several threads at once, and a nonce store that
 * lets exactly one of several concurrent identical nonces through.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "countermark.h"
#include "util.h"

#define S(lit) (const uint8_t *)(lit), (sizeof(lit) - 1)
#define THREADS 8
#define ROUNDS 100

typedef struct {
    const countermark_tokens *tokens;
    const countermark_url_signer *urls;
    const countermark_message_signer *signer;
    const countermark_message_verifying_key *verifier;
    const countermark_message_policy *policy;
    const countermark_nonce_store *store;
    countermark_bytes token;
    countermark_bytes url;
    countermark_bytes digest;
} shared_state;

typedef struct {
    shared_state *shared;
    int index;
    int failures;
    vres res; /* this thread's result buffer */
    int nonce_accepted;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    shared_state *s = w->shared;
    int i;
    for (i = 0; i < ROUNDS; i++) {
        vres *res = &w->res;
        uint64_t max_age = 60;
        countermark_request *req = NULL;
        char nonce[64];
        char path[64];
        size_t path_len;

        if (countermark_tokens_verify(s->tokens, s->token.data, s->token.len, &max_age, VOUT(res)) !=
                COUNTERMARK_RESULT_OK ||
            res->v.n_items != 2 || res->v.scheme != COUNTERMARK_SCHEME_TOKEN)
            w->failures++;

        if (countermark_url_signer_validate_url(s->urls, s->url.data, s->url.len, VOUT(res)) != COUNTERMARK_RESULT_OK ||
            res->v.scheme != COUNTERMARK_SCHEME_SKA)
            w->failures++;

        /* Each thread signs its own request with the shared signer, then verifies it with the shared policy
         * (whose nonce store every thread writes to). */
        path_len = (size_t)snprintf(path, sizeof path, "/item/%d/%d", w->index, i);
        if (countermark_request_new(S("POST"), (const uint8_t *)path, path_len, &req) != COUNTERMARK_RESULT_OK ||
            countermark_request_set_authority(req, S("https"), S("example.com")) != COUNTERMARK_RESULT_OK ||
            countermark_request_set_body(req, S("{\"n\":1}")) != COUNTERMARK_RESULT_OK ||
            countermark_request_add_header(req, S("Content-Digest"), s->digest.data, s->digest.len) !=
                COUNTERMARK_RESULT_OK) {
            w->failures++;
        } else {
            countermark_claims *signed_claims = NULL;
            countermark_str header = {NULL, 0};
            countermark_str input = {NULL, 0};
            if (countermark_message_signer_sign_request(s->signer, req, &signed_claims) != COUNTERMARK_RESULT_OK ||
                countermark_claims_get(signed_claims, S("Signature"), &header) != COUNTERMARK_RESULT_OK ||
                countermark_claims_get(signed_claims, S("Signature-Input"), &input) != COUNTERMARK_RESULT_OK ||
                countermark_request_add_header(req, S("Signature"), header.data, header.len) != COUNTERMARK_RESULT_OK ||
                countermark_request_add_header(req, S("Signature-Input"), input.data, input.len) !=
                    COUNTERMARK_RESULT_OK) {
                w->failures++;
            } else {
                if (countermark_message_signature_verify(req, s->verifier, s->policy, VOUT(res)) !=
                    COUNTERMARK_RESULT_OK)
                    w->failures++;
                /* Its nonce is now used: the same request again is a replay. */
                if (countermark_message_signature_verify(req, s->verifier, s->policy, VOUT(res)) !=
                    COUNTERMARK_RESULT_REPLAYED)
                    w->failures++;
            }
            countermark_claims_free(signed_claims);
        }
        countermark_request_free(req);

        /* Every thread offers the same nonce of round i: exactly one may win it. */
        snprintf(nonce, sizeof nonce, "round-%d", i);
        switch (countermark_nonce_store_check_and_insert(s->store, (const uint8_t *)nonce, strlen(nonce), 60, NULL)) {
        case COUNTERMARK_RESULT_OK:
            w->nonce_accepted++;
            break;
        case COUNTERMARK_RESULT_REPLAYED:
            break;
        default:
            w->failures++;
        }
    }
    return NULL;
}

int main(void) {
    static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";
    const countermark_hmac_key *key = NULL;
    countermark_key_ring_builder *rb = NULL;
    const countermark_key_ring *ring = NULL;
    countermark_message_signer_builder *sb = NULL;
    countermark_message_policy_builder *pb = NULL;
    countermark_str fields[2] = {{(const uint8_t *)"alice", 5}, {(const uint8_t *)"42", 2}};
    countermark_str components[4] = {{(const uint8_t *)"@method", 7},
                                     {(const uint8_t *)"@authority", 10},
                                     {(const uint8_t *)"@path", 5},
                                     {(const uint8_t *)"content-digest", 14}};
    shared_state s;
    worker workers[THREADS];
    pthread_t threads[THREADS];
    int i;
    int failures = 0;
    int accepted = 0;
    memset(&s, 0, sizeof s);

    CHECK(countermark_hmac_key_new(S("hmac-sha256"), secret, sizeof secret, S("k1"), &key) == COUNTERMARK_RESULT_OK, "key");
    CHECK(countermark_key_ring_builder_new(key, &rb) == COUNTERMARK_RESULT_OK, "ring builder");
    CHECK(countermark_key_ring_builder_build(rb, &ring) == COUNTERMARK_RESULT_OK, "ring");
    countermark_key_ring_builder_free(rb);
    CHECK(countermark_tokens_new(ring, NULL, 0, &s.tokens) == COUNTERMARK_RESULT_OK, "tokens");
    CHECK(countermark_tokens_create(s.tokens, fields, 2, &s.token) == COUNTERMARK_RESULT_OK, "token");
    CHECK(countermark_url_signer_new(ring, NULL, NULL, &s.urls) == COUNTERMARK_RESULT_OK, "url signer");
    CHECK(countermark_url_signer_sign_url(s.urls, S("https://example.com/file?x=1"), S("alice"), NULL, NULL, 0, NULL, 0,
                                          NULL, 0, &s.url) == COUNTERMARK_RESULT_OK,
          "signed url");
    CHECK(countermark_content_digest(S("{\"n\":1}"), S("sha-256"), &s.digest) == COUNTERMARK_RESULT_OK, "digest");
    CHECK(countermark_message_signer_builder_new_hmac(key, &sb) == COUNTERMARK_RESULT_OK, "signer builder");
    CHECK(countermark_message_signer_builder_set_components(sb, components, 4) == COUNTERMARK_RESULT_OK, "components");
    CHECK(countermark_message_signer_builder_random_nonces(sb) == COUNTERMARK_RESULT_OK, "nonces");
    CHECK(countermark_message_signer_builder_build(sb, &s.signer) == COUNTERMARK_RESULT_OK, "signer");
    countermark_message_signer_builder_free(sb);
    CHECK(countermark_message_verifying_key_new_hmac(key, &s.verifier) == COUNTERMARK_RESULT_OK, "verifier");
    CHECK(countermark_message_policy_builder_new(&pb) == COUNTERMARK_RESULT_OK, "policy builder");
    CHECK(countermark_message_policy_builder_require_nonce(pb, true) == COUNTERMARK_RESULT_OK, "require nonce");
    CHECK(countermark_message_policy_builder_check_content_digest(pb, true) == COUNTERMARK_RESULT_OK, "digest");
    CHECK(countermark_message_policy_builder_build(pb, &s.policy) == COUNTERMARK_RESULT_OK, "policy");
    countermark_message_policy_builder_free(pb);
    CHECK(countermark_nonce_store_new_memory(10000, &s.store) == COUNTERMARK_RESULT_OK, "store");
    /* The caller's references can go now: every object above holds its own. */
    countermark_hmac_key_free(key);
    countermark_key_ring_free(ring);

    for (i = 0; i < THREADS; i++) {
        workers[i].shared = &s;
        workers[i].index = i;
        workers[i].failures = 0;
        workers[i].nonce_accepted = 0;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0, "pthread_create");
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0, "pthread_join");
        failures += workers[i].failures;
        accepted += workers[i].nonce_accepted;
    }
    printf("threads: %d threads x %d rounds, %d unexpected results, %d of %d contested nonces accepted\n", THREADS,
           ROUNDS, failures, accepted, ROUNDS);
    CHECK(failures == 0, "every shared verification gave its expected result");
    CHECK(accepted == ROUNDS, "exactly one thread won each contested nonce");

    countermark_bytes_free(&s.token);
    countermark_bytes_free(&s.url);
    countermark_bytes_free(&s.digest);
    countermark_nonce_store_free(s.store);
    countermark_message_policy_free(s.policy);
    countermark_message_verifying_key_free(s.verifier);
    countermark_message_signer_free(s.signer);
    countermark_url_signer_free(s.urls);
    countermark_tokens_free(s.tokens);
    return util_finish("threads");
}
