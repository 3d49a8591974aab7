/* Every scheme refuses a tampered signature with its exact result code, and accepts the same credential
 * untampered, in the same run, through the C ABI: handshake tokens, ska signed parameters, FOST requests, FOST
 * URLs, the HMAC header, RFC 9421 and JWT.
 *
 * Each scheme makes a credential at a fixed time; only its signature is then replaced, by the empty string, by
 * the signature truncated by one encoded group (one byte of hex; the last group of base64, so it still decodes
 * and the comparison itself must refuse it) and by the signature with one byte changed (its first character
 * replaced by the next one of its alphabet). The refused attempts go first; the untampered credential is then
 * accepted by the same verifier and policy (so the attempts did not use up its nonce). */
#include <countermark.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NOW 1700000000
#define S(text) (const uint8_t *)(text), strlen(text)
#define MAX_HEADERS 8

static const char HEX[] = "0123456789abcdef";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/* The Ed25519 test key of asymmetric-jwt-auth's vectors (published: tests only). */
static const char ED25519_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                                  "MC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n"
                                  "-----END PRIVATE KEY-----\n";
static const char BODY[] = "{\"n\": 1}";

static const countermark_clock *now_clock, *later_clock;

/* Header lines a signer returned; line `at` is prefix + signature + suffix. */
typedef struct {
    size_t n, at;
    char *names[MAX_HEADERS], *values[MAX_HEADERS];
    char *prefix, *suffix;
} signed_lines;

/* Every scheme's state (freed by teardown). */
static struct {
    const countermark_hmac_key *hmac, *fost_key, *rfc_key;
    const countermark_key_ring *ring;
    const countermark_tokens *tokens;
    const countermark_url_signer *ska;
    const countermark_fost_policy *fost_policy;
    const countermark_api_secret *api_secret;
    const countermark_hmac_header_policy *hh_policy;
    const countermark_message_verifying_key *rfc_vkey;
    const countermark_message_policy *rfc_policy;
    const countermark_signing_key *sk;
    const countermark_verifying_key *vk;
    const countermark_jwt_policy *jwt_policy;
    char *token_head, *url_head, *jwt_head; /* the credential (FOST URL: the target) before the signature */
    size_t n_params;
    char *names[MAX_HEADERS], *values[MAX_HEADERS]; /* ska's signed parameters */
    signed_lines fost, hh, rfc;
} st;

static char *dup_n(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    if (s == NULL) abort();
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static char *cat(const char *a, const char *b, const char *c) {
    size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
    char *s = malloc(na + nb + nc + 1);
    if (s == NULL) abort();
    memcpy(s, a, na);
    memcpy(s + na, b, nb);
    memcpy(s + na + nb, c, nc + 1);
    return s;
}

/* The claims up to `stop` as header lines; the one named `carrier` holds `sig` (between prefix and suffix). */
static int take_lines(const countermark_claims *c, const char *stop, const char *carrier, const char *sig,
                      signed_lines *out) {
    countermark_str name, value;
    size_t i;
    const char *pos;
    out->at = MAX_HEADERS;
    for (i = 0; i < countermark_claims_count(c) && out->n < MAX_HEADERS; i++) {
        if (countermark_claims_at(c, i, &name, &value) != COUNTERMARK_RESULT_OK) return 0;
        if (name.len == strlen(stop) && memcmp(name.data, stop, name.len) == 0) break;
        out->names[out->n] = dup_n(name.data, name.len);
        out->values[out->n] = dup_n(value.data, value.len);
        if (strcmp(out->names[out->n], carrier) == 0) out->at = out->n;
        out->n++;
    }
    if (out->at == MAX_HEADERS || (pos = strstr(out->values[out->at], sig)) == NULL) return 0;
    out->prefix = dup_n((const uint8_t *)out->values[out->at], (size_t)(pos - out->values[out->at]));
    out->suffix = dup_n((const uint8_t *)pos + strlen(sig), strlen(pos + strlen(sig)));
    return 1;
}

static void free_lines(signed_lines *l) {
    size_t i;
    for (i = 0; i < l->n; i++) {
        free(l->names[i]);
        free(l->values[i]);
    }
    free(l->prefix);
    free(l->suffix);
}

/* POST /items?page=2 to api.example.com with a JSON body, plus `lines` (line `at` carrying `sig`) when given. */
static countermark_request *request(const signed_lines *lines, const char *sig) {
    countermark_request *r = NULL;
    size_t i;
    countermark_result rc = countermark_request_new(S("POST"), S("/items?page=2"), &r);
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_request_set_authority(r, S("https"), S("api.example.com"));
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_request_add_header(r, S("Host"), S("api.example.com"));
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_request_add_header(r, S("Content-Type"), S("application/json"));
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_request_set_body(r, S(BODY));
    for (i = 0; lines != NULL && i < lines->n && rc == COUNTERMARK_RESULT_OK; i++) {
        if (i == lines->at) {
            char *v = cat(lines->prefix, sig, lines->suffix);
            rc = countermark_request_add_header(r, S(lines->names[i]), S(v));
            free(v);
        } else {
            rc = countermark_request_add_header(r, S(lines->names[i]), S(lines->values[i]));
        }
    }
    if (rc != COUNTERMARK_RESULT_OK) {
        countermark_request_free(r);
        abort(); /* only valid text goes in */
    }
    return r;
}

static char *claim_or_empty(const countermark_claims *c, const char *name) {
    char *v = claim_dup(c, name);
    return v != NULL ? v : dup_n(NULL, 0);
}

/* ------------------------------------------------------------------------------------------------- schemes */
/* Each setup makes the credential and returns its signature (malloc'd; NULL when setup failed); each verify
 * checks the credential carrying `sig` and returns the result code. */

static char *handshake_setup(void) {
    countermark_key_ring_builder *b = NULL;
    countermark_bytes token = {NULL, 0};
    countermark_str fields[2] = {{(const uint8_t *)"alice", 5}, {(const uint8_t *)"42", 2}};
    char *sig;
    if (countermark_hmac_key_new(S("hmac-sha256"), S("handshake-secret-0123456789abcdef"), NULL, 0, &st.hmac) ||
        countermark_key_ring_builder_new(st.hmac, &b) || countermark_key_ring_builder_build(b, &st.ring) ||
        countermark_tokens_new(st.ring, now_clock, 0, &st.tokens) ||
        countermark_tokens_create(st.tokens, fields, 2, &token)) {
        countermark_key_ring_builder_free(b);
        return NULL;
    }
    countermark_key_ring_builder_free(b);
    sig = strrchr((const char *)token.data, ':') + 1;
    st.token_head = dup_n(token.data, (size_t)(sig - (const char *)token.data));
    sig = dup_n((const uint8_t *)sig, strlen(sig));
    countermark_bytes_free(&token);
    return sig;
}

static countermark_result handshake_verify(const char *sig) {
    static vres out;
    uint64_t max_age = 300;
    char *token = cat(st.token_head, sig, "");
    countermark_result rc = countermark_tokens_verify(st.tokens, S(token), &max_age, VOUT(&out));
    free(token);
    return rc;
}

static char *ska_setup(void) {
    countermark_claims *params = NULL;
    countermark_str name, value;
    char *sig = NULL;
    size_t i;
    if (countermark_url_signer_new(st.ring, now_clock, NULL, &st.ska) ||
        countermark_url_signer_sign_params(st.ska, S("alice"), NULL, NULL, 0, S("{\"scope\": \"read\"}"), &params)) {
        countermark_claims_free(params);
        return NULL;
    }
    for (i = 0; i < countermark_claims_count(params) && i < MAX_HEADERS; i++) {
        if (countermark_claims_at(params, i, &name, &value) != COUNTERMARK_RESULT_OK) break;
        st.names[i] = dup_n(name.data, name.len);
        st.values[i] = dup_n(value.data, value.len);
        st.n_params = i + 1;
        if (strcmp(st.names[i], "signature") == 0) sig = dup_n(value.data, value.len);
    }
    countermark_claims_free(params);
    return sig;
}

static countermark_result ska_verify(const char *sig) {
    countermark_pair pairs[MAX_HEADERS];
    static vres out;
    countermark_result rc;
    size_t i;
    for (i = 0; i < st.n_params; i++) {
        const char *v = strcmp(st.names[i], "signature") == 0 ? sig : st.values[i];
        pairs[i].name.data = (const uint8_t *)st.names[i];
        pairs[i].name.len = strlen(st.names[i]);
        pairs[i].value.data = (const uint8_t *)v;
        pairs[i].value.len = strlen(v);
    }
    rc = countermark_url_signer_validate(st.ska, pairs, st.n_params, VOUT(&out));
    return rc;
}

static char *fost_setup(void) {
    const countermark_fost_signer *signer = NULL;
    countermark_claims *signed_ = NULL;
    countermark_request *r = NULL;
    char *sig = NULL;
    if (countermark_hmac_key_new_legacy(S("hmac-sha1"), S("fost-secret-value"), NULL, 0, &st.fost_key) == 0 &&
        countermark_fost_signer_new(S("fost-key"), st.fost_key, now_clock, &signer) == 0 &&
        countermark_fost_policy_new(now_clock, NULL, NULL, &st.fost_policy) == 0 &&
        (r = request(NULL, NULL)) != NULL &&
        countermark_fost_signer_sign(signer, r, NULL, 0, NULL, 0, &signed_) == 0) {
        sig = claim_or_empty(signed_, "signature");
        if (!take_lines(signed_, "signature", "Authorization", sig, &st.fost)) {
            free(sig);
            sig = NULL;
        }
    }
    countermark_request_free(r);
    countermark_claims_free(signed_);
    countermark_fost_signer_free(signer);
    return sig;
}

static countermark_result fost_verify(const char *sig) {
    static vres out;
    countermark_request *r = request(&st.fost, sig);
    countermark_result rc = countermark_fost_verify(r, st.fost_key, st.fost_policy, VOUT(&out));
    countermark_request_free(r);
    return rc;
}

static char *fost_url_setup(void) {
    const countermark_fost_url_signer *signer = NULL;
    countermark_claims *signed_ = NULL;
    char *sig = NULL, *url, *cut;
    static const char origin[] = "https://api.example.com";
    if (countermark_fost_url_signer_new(S("fost-key"), st.fost_key, &signer) == 0 &&
        countermark_fost_url_signer_sign(signer, S("https://api.example.com/file?a=1"), true, NOW + 600, &signed_) ==
            0) {
        url = claim_or_empty(signed_, "url");
        cut = strstr(url, "&_s=");
        if (cut != NULL && strncmp(url, origin, strlen(origin)) == 0) {
            cut[4] = '\0';
            st.url_head = cat(url + strlen(origin), "", ""); /* the target up to `_s=` */
            sig = claim_or_empty(signed_, "signature");
        }
        free(url);
    }
    countermark_claims_free(signed_);
    countermark_fost_url_signer_free(signer);
    return sig;
}

static countermark_result fost_url_verify(const char *sig) {
    static vres out;
    countermark_request *r = NULL;
    countermark_result rc;
    char quoted[256] = "";
    size_t i, n = 0;
    for (i = 0; sig[i] != '\0' && n + 4 < sizeof quoted; i++) { /* percent-encode all but [A-Za-z0-9] */
        if (strchr(B64, sig[i]) != NULL && sig[i] != '+' && sig[i] != '/') {
            quoted[n++] = sig[i];
        } else {
            n += (size_t)snprintf(quoted + n, sizeof quoted - n, "%%%02X", (unsigned char)sig[i]);
        }
    }
    quoted[n] = '\0';
    {
        char *target = cat(st.url_head, quoted, "");
        rc = countermark_request_new(S("GET"), S(target), &r);
        free(target);
    }
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_request_set_authority(r, S("https"), S("api.example.com"));
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_request_add_header(r, S("Host"), S("api.example.com"));
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_fost_url_verify(r, st.fost_key, st.fost_policy, VOUT(&out));
    countermark_request_free(r);
    return rc;
}

static char *hmac_header_setup(void) {
    const countermark_hmac_header_signer *signer = NULL;
    countermark_claims *signed_ = NULL;
    countermark_request *r = NULL;
    char *sig = NULL;
    if (countermark_api_secret_new_base64(S("aG1hYy1oZWFkZXItc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY="), &st.api_secret) == 0 &&
        countermark_hmac_header_signer_new(S("api-key"), st.api_secret, S("hmac-sha256"), now_clock, &signer) == 0 &&
        /* Stamped at now is "in the future" (the reference's rule): verify a second later. */
        countermark_hmac_header_policy_new(later_clock, NULL, NULL,
                                           &st.hh_policy) == 0 &&
        (r = request(NULL, NULL)) != NULL && countermark_hmac_header_signer_sign(signer, r, NULL, 0, &signed_) == 0) {
        sig = claim_or_empty(signed_, "signature");
        if (!take_lines(signed_, "signature", "Authorization", sig, &st.hh)) {
            free(sig);
            sig = NULL;
        }
    }
    countermark_request_free(r);
    countermark_claims_free(signed_);
    countermark_hmac_header_signer_free(signer);
    return sig;
}

static countermark_result hmac_header_verify(const char *sig) {
    static vres out;
    countermark_request *r = request(&st.hh, sig);
    countermark_result rc = countermark_hmac_header_verify(r, st.api_secret, st.hh_policy, VOUT(&out));
    countermark_request_free(r);
    return rc;
}

static char *rfc9421_setup(void) {
    countermark_message_signer_builder *sb = NULL;
    countermark_message_policy_builder *pb = NULL;
    const countermark_message_signer *signer = NULL;
    countermark_claims *signed_ = NULL;
    countermark_request *r = NULL;
    countermark_str components[4] = {{(const uint8_t *)"\"@method\"", 9}, {(const uint8_t *)"\"@authority\"", 12},
                                     {(const uint8_t *)"\"@path\"", 7}, {(const uint8_t *)"\"@query\"", 8}};
    char *sig = NULL, *value;
    if (countermark_hmac_key_new(S("hmac-sha256"), S("rfc9421-shared-secret-0123456789"), S("client-1"), &st.rfc_key) ==
            0 &&
        countermark_message_signer_builder_new_hmac(st.rfc_key, &sb) == 0 &&
        countermark_message_signer_builder_set_components(sb, components, 4) == 0 &&
        countermark_message_signer_builder_random_nonces(sb) == 0 &&
        countermark_message_signer_builder_set_clock(sb, now_clock) == 0 &&
        countermark_message_signer_builder_build(sb, &signer) == 0 &&
        countermark_message_verifying_key_new_hmac(st.rfc_key, &st.rfc_vkey) == 0 &&
        countermark_message_policy_builder_new(&pb) == 0 &&
        countermark_message_policy_builder_set_clock(pb, now_clock) == 0 &&
        countermark_message_policy_builder_require_nonce(pb, true) == 0 &&
        countermark_message_policy_builder_build(pb, &st.rfc_policy) == 0 && (r = request(NULL, NULL)) != NULL &&
        countermark_message_signer_sign_request(signer, r, &signed_) == 0) {
        value = claim_or_empty(signed_, "Signature");
        if (strncmp(value, "sig1=:", 6) == 0 && strlen(value) > 7 && value[strlen(value) - 1] == ':') {
            sig = dup_n((const uint8_t *)value + 6, strlen(value) - 7);
            if (!take_lines(signed_, "label", "Signature", sig, &st.rfc)) {
                free(sig);
                sig = NULL;
            }
        }
        free(value);
    }
    countermark_request_free(r);
    countermark_claims_free(signed_);
    countermark_message_signer_free(signer);
    countermark_message_signer_builder_free(sb);
    countermark_message_policy_builder_free(pb);
    return sig;
}

static countermark_result rfc9421_verify(const char *sig) {
    static vres out;
    countermark_request *r = request(&st.rfc, sig);
    countermark_result rc = countermark_message_signature_verify(r, st.rfc_vkey, st.rfc_policy, VOUT(&out));
    countermark_request_free(r);
    return rc;
}

static char *jwt_setup(void) {
    countermark_bytes token = {NULL, 0};
    char *sig;
    if (countermark_signing_key_from_pem(S(ED25519_PEM), &st.sk) ||
        countermark_signing_key_verifying_key(st.sk, &st.vk) ||
        countermark_jwt_policy_new(now_clock, NULL, NULL, &st.jwt_policy) ||
        countermark_jwt_sign(st.sk, S("alice"), now_clock, &token)) {
        return NULL;
    }
    sig = strrchr((const char *)token.data, '.') + 1;
    st.jwt_head = dup_n(token.data, (size_t)(sig - (const char *)token.data));
    sig = dup_n((const uint8_t *)sig, strlen(sig));
    countermark_bytes_free(&token);
    return sig;
}

static countermark_result jwt_verify(const char *sig) {
    static vres out;
    char *token = cat(st.jwt_head, sig, "");
    countermark_result rc = countermark_jwt_verify(S(token), &st.vk, 1, st.jwt_policy, VOUT(&out));
    free(token);
    return rc;
}

/* --------------------------------------------------------------------------------------------------- table */

static const struct {
    const char *name;
    char *(*setup)(void);
    countermark_result (*verify)(const char *sig);
    const char *alphabet;
    /* empty, truncated, one byte changed. An empty signature is MALFORMED or NO_CREDENTIALS where the format
     * cannot carry one; where it can (handshake, ska, JWT) its comparison fails. */
    countermark_result want[3];
} SCHEMES[] = {
    {"handshake", handshake_setup, handshake_verify, HEX,
     {COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
    {"ska", ska_setup, ska_verify, B64,
     {COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
    {"fost_request", fost_setup, fost_verify, B64,
     {COUNTERMARK_RESULT_NO_CREDENTIALS, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
    {"fost_url", fost_url_setup, fost_url_verify, B64,
     {COUNTERMARK_RESULT_MALFORMED, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
    {"hmac_header", hmac_header_setup, hmac_header_verify, B64,
     {COUNTERMARK_RESULT_NO_CREDENTIALS, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
    {"rfc9421", rfc9421_setup, rfc9421_verify, B64,
     {COUNTERMARK_RESULT_MALFORMED, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
    {"jwt", jwt_setup, jwt_verify, B64URL,
     {COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE, COUNTERMARK_RESULT_BAD_SIGNATURE}},
};

static void teardown(void) {
    size_t i;
    for (i = 0; i < st.n_params; i++) {
        free(st.names[i]);
        free(st.values[i]);
    }
    free_lines(&st.fost);
    free_lines(&st.hh);
    free_lines(&st.rfc);
    free(st.token_head);
    free(st.url_head);
    free(st.jwt_head);
    countermark_hmac_key_free(st.hmac);
    countermark_hmac_key_free(st.fost_key);
    countermark_hmac_key_free(st.rfc_key);
    countermark_key_ring_free(st.ring);
    countermark_tokens_free(st.tokens);
    countermark_url_signer_free(st.ska);
    countermark_fost_policy_free(st.fost_policy);
    countermark_api_secret_free(st.api_secret);
    countermark_hmac_header_policy_free(st.hh_policy);
    countermark_message_verifying_key_free(st.rfc_vkey);
    countermark_message_policy_free(st.rfc_policy);
    countermark_signing_key_free(st.sk);
    countermark_verifying_key_free(st.vk);
    countermark_jwt_policy_free(st.jwt_policy);
    countermark_clock_free(now_clock);
    countermark_clock_free(later_clock);
}

int main(void) {
    static const char *const what[3] = {"empty signature", "truncated signature", "one byte changed"};
    size_t i, k, n, group;
    expect_code("clock", "fixed", countermark_clock_new_fixed(NOW, 0, &now_clock), COUNTERMARK_RESULT_OK);
    expect_code("clock", "fixed", countermark_clock_new_fixed(NOW + 1, 0, &later_clock), COUNTERMARK_RESULT_OK);
    for (i = 0; i < sizeof SCHEMES / sizeof SCHEMES[0]; i++) {
        const char *name = SCHEMES[i].name, *alphabet = SCHEMES[i].alphabet;
        char *sig = SCHEMES[i].setup(), *tampered[3];
        if (sig == NULL || (n = strlen(sig)) < 8 || strchr(alphabet, sig[0]) == NULL) {
            fail(name, "setup: a signed credential");
            free(sig);
            continue;
        }
        /* One hex byte, or the last base64 group (a JWT's unpadded tail, else 4 characters). */
        group = alphabet == HEX ? 2 : (n % 4 ? n % 4 : 4);
        tampered[0] = dup_n(NULL, 0);
        tampered[1] = dup_n((const uint8_t *)sig, n - group);
        tampered[2] = dup_n((const uint8_t *)sig, n);
        tampered[2][0] = alphabet[(size_t)(strchr(alphabet, sig[0]) - alphabet + 1) % strlen(alphabet)];
        for (k = 0; k < 3; k++) {
            expect_code(name, what[k], SCHEMES[i].verify(tampered[k]), SCHEMES[i].want[k]);
            free(tampered[k]);
        }
        expect_code(name, "untampered", SCHEMES[i].verify(sig), COUNTERMARK_RESULT_OK);
        free(sig);
    }
    teardown();
    return util_finish("tampering");
}
