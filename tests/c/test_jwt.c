/* Every case of ../shared/vectors/asym_jwt.json (asymmetric-jwt-auth 1.3.0 with PyJWT 2.15.1) through the C ABI:
 * countermark_jwt_*, countermark_signing_key_*, countermark_verifying_key_*, countermark_request_*,
 * countermark_nonce_store_new_memory and countermark_clock_new_fixed. Mirrors core/tests/jwt_vectors.rs.
 *
 * Not exposed by the C ABI (so not checked here): the list of JWT algorithms a key allows (`allowed_algorithms`;
 * the signing algorithm, its first entry, is checked through the tokens countermark_jwt_sign_with makes). */
#include <countermark.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define JWT_EXPECTED_CASES 21
#define MAX_KEYS 8

/* Unpadded base64url of `n` bytes (malloc'd, NUL-terminated). */
static char *b64url_encode(const uint8_t *in, size_t n) {
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    size_t i, o = 0;
    if (out == NULL) exit(2);
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
        out[o++] = tbl[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

/* A fixed clock at the JSON number `now` (integer or float seconds), rounded as the core's
 * UnixTime::from_secs_f64 (floor the seconds, round the fraction to nanoseconds). */
static countermark_result clock_at(const json_t *now, const countermark_clock **out) {
    int64_t secs;
    uint32_t nanos = 0;
    *out = NULL;
    if (json_is_integer(now)) {
        secs = (int64_t)json_integer_value(now);
    } else if (json_is_real(now)) {
        double v = json_real_value(now);
        double fl = floor(v);
        double n = round((v - fl) * 1e9);
        if (n > 999999999.0) n = 999999999.0;
        if (n < 0.0) n = 0.0;
        secs = (int64_t)fl;
        nanos = (uint32_t)n;
    } else {
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    return countermark_clock_new_fixed(secs, nanos, out);
}

/* ------------------------------------------------------------------------------------------------------------- */
/* Keys. */

typedef struct {
    const char *name;
    const countermark_signing_key *sk;
    const countermark_verifying_key *pk;
} key_pair;

static key_pair key_pairs[MAX_KEYS];
static size_t n_key_pairs;

/* The key pair called `name`, or NULL. */
static const key_pair *find_key(const char *name) {
    size_t i;
    if (name == NULL) return NULL;
    for (i = 0; i < n_key_pairs; i++) {
        if (strcmp(key_pairs[i].name, name) == 0) return &key_pairs[i];
    }
    return NULL;
}

/* Checks that bytes returned by the library equal `want`, then frees them. */
static void expect_owned(const char *where, const char *what, countermark_result rc, countermark_bytes *b,
                         const char *want) {
    expect_code(where, what, rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) expect_bytes(where, what, b->data, b->len, want);
    countermark_bytes_free(b);
}

/* Loads the file's `keys`: each private key, its public key from its own PEM, and checks their key ids. */
static void load_keys(const json_t *keys) {
    const char *name;
    json_t *k;
    json_object_foreach((json_t *)keys, name, k) {
        const char *priv = util_str(k, "private_pem");
        const char *pub = util_str(k, "public_pem");
        const char *kid = util_str(k, "kid");
        key_pair *kp;
        countermark_bytes b = {NULL, 0};
        countermark_result rc;
        if (n_key_pairs >= MAX_KEYS || priv == NULL || pub == NULL || kid == NULL) {
            fail(name, "key entry lacks private_pem / public_pem / kid (or too many keys)");
            continue;
        }
        kp = &key_pairs[n_key_pairs];
        kp->name = name;
        kp->sk = NULL;
        kp->pk = NULL;
        rc = countermark_signing_key_from_pem((const uint8_t *)priv, strlen(priv), &kp->sk);
        expect_code(name, "countermark_signing_key_from_pem", rc, COUNTERMARK_RESULT_OK);
        rc = countermark_verifying_key_from_pem((const uint8_t *)pub, strlen(pub), &kp->pk);
        expect_code(name, "countermark_verifying_key_from_pem", rc, COUNTERMARK_RESULT_OK);
        n_key_pairs++;
        if (kp->sk == NULL || kp->pk == NULL) continue;
        rc = countermark_verifying_key_key_id(kp->pk, &b);
        expect_owned(name, "verifying key kid", rc, &b, kid);
        rc = countermark_signing_key_key_id(kp->sk, &b);
        expect_owned(name, "signing key kid", rc, &b, kid);
        rc = countermark_verifying_key_fingerprint(kp->pk, &b);
        expect_owned(name, "verifying key fingerprint", rc, &b, kid);
        rc = countermark_verifying_key_to_pem(kp->pk, &b);
        expect_owned(name, "verifying key SPKI PEM", rc, &b, pub);
        {
            /* The public half of the private key is the same key. */
            const countermark_verifying_key *half = NULL;
            rc = countermark_signing_key_verifying_key(kp->sk, &half);
            expect_code(name, "countermark_signing_key_verifying_key", rc, COUNTERMARK_RESULT_OK);
            if (rc == COUNTERMARK_RESULT_OK) {
                rc = countermark_verifying_key_to_pem(half, &b);
                expect_owned(name, "public half PEM", rc, &b, pub);
            }
            countermark_verifying_key_free(half);
        }
        if (json_is_object(json_object_get(k, "jwk"))) {
            /* The same key as a JWK (public members only). */
            char *jwk = json_dumps(json_object_get(k, "jwk"), JSON_COMPACT);
            const countermark_verifying_key *from_jwk = NULL;
            if (jwk == NULL) exit(2);
            rc = countermark_verifying_key_from_jwk((const uint8_t *)jwk, strlen(jwk), &from_jwk);
            expect_code(name, "countermark_verifying_key_from_jwk", rc, COUNTERMARK_RESULT_OK);
            if (rc == COUNTERMARK_RESULT_OK) {
                rc = countermark_verifying_key_to_pem(from_jwk, &b);
                expect_owned(name, "JWK key as PEM", rc, &b, pub);
                rc = countermark_verifying_key_key_id(from_jwk, &b);
                expect_owned(name, "JWK kid", rc, &b, util_str(json_object_get(k, "jwk"), "kid"));
            }
            countermark_verifying_key_free(from_jwk);
            free(jwk);
        }
    }
}

static void free_keys(void) {
    size_t i;
    for (i = 0; i < n_key_pairs; i++) {
        countermark_signing_key_free(key_pairs[i].sk);
        countermark_verifying_key_free(key_pairs[i].pk);
    }
    n_key_pairs = 0;
}

/* ------------------------------------------------------------------------------------------------------------- */
/* Verifying. */

/* A policy at `now` with the default tolerance and `store` (NULL: a store of the policy's own). */
static countermark_result make_policy(const char *id, const json_t *now, const countermark_nonce_store *store,
                                      const countermark_jwt_policy **out) {
    const countermark_clock *clock = NULL;
    countermark_result rc = clock_at(now, &clock);
    *out = NULL;
    expect_code(id, "countermark_clock_new_fixed", rc, COUNTERMARK_RESULT_OK);
    if (rc != COUNTERMARK_RESULT_OK) return rc;
    rc = countermark_jwt_policy_new(clock, NULL, store, out); /* NULL: the core's default clock skew */
    expect_code(id, "countermark_jwt_policy_new", rc, COUNTERMARK_RESULT_OK);
    countermark_clock_free(clock);
    return rc;
}

/* Parses `token` (phase one), then verifies it with `keys` under `policy`. A token phase one refuses gets the same
 * answer from phase two. *out gets the verified result on success. */
static countermark_result verify_token(const char *id, const char *token, const countermark_verifying_key *const *keys,
                                       size_t n_keys, const countermark_jwt_policy *policy, vres *out) {
    static vres parsed;
    countermark_result rp, rv;
    vres_reset(&parsed);
    vres_reset(out);
    rp = countermark_jwt_parse((const uint8_t *)token, strlen(token), VOUT(&parsed));
    CHECK((rp == COUNTERMARK_RESULT_OK) == (parsed.v.scheme == COUNTERMARK_SCHEME_JWT),
          at(id, "jwt_parse writes its result only on success"));
    CHECK(!parsed.v.verified, at(id, "jwt_parse: not verified"));
    rv = countermark_jwt_verify((const uint8_t *)token, strlen(token), keys, n_keys, policy, VOUT(out));
    CHECK((rv == COUNTERMARK_RESULT_OK) == (out->v.scheme == COUNTERMARK_SCHEME_JWT),
          at(id, "jwt_verify writes its result only on success"));
    if (rp != COUNTERMARK_RESULT_OK) {
        expect_code(id, "countermark_jwt_verify after a failed countermark_jwt_parse", rv, rp);
        vres_reset(out);
        return rp;
    }
    if (rv == COUNTERMARK_RESULT_OK) {
        CHECK(out->v.verified, at(id, "jwt_verify: verified"));
        CHECK(out->v.created == parsed.v.created && out->v.time == parsed.v.time, at(id, "parsed and verified time"));
    }
    return rv;
}

/* The one spelling of a JWS alg name (the vectors record the wire's EdDSA, RS256, ...). */
static const char *jws_algorithm(const char *jws) {
    if (jws == NULL) return NULL;
    if (strcmp(jws, "EdDSA") == 0) return "ed25519";
    if (strcmp(jws, "RS256") == 0) return "rsa-v1_5-sha256";
    if (strcmp(jws, "RS384") == 0) return "rsa-v1_5-sha384";
    if (strcmp(jws, "RS512") == 0) return "rsa-v1_5-sha512";
    return jws;
}

/* Checks a verification outcome against `expect` (the Rust test's check()). */
static void check_outcome(const char *id, const json_t *c, const char *expect, countermark_result got, vres *v) {
    static const struct {
        const char *expect;
        countermark_result code;
    } map[] = {
        {"bad_signature", COUNTERMARK_RESULT_BAD_SIGNATURE},
        {"expired", COUNTERMARK_RESULT_EXPIRED},
        {"not_yet_valid", COUNTERMARK_RESULT_NOT_YET_VALID},
        {"unsupported_algorithm", COUNTERMARK_RESULT_UNSUPPORTED_ALGORITHM},
        {"malformed", COUNTERMARK_RESULT_MALFORMED},
        {"replayed", COUNTERMARK_RESULT_REPLAYED},
    };
    size_t i;
    if (expect == NULL) {
        fail(id, "no expect");
        return;
    }
    if (strcmp(expect, "valid") == 0) {
        const json_t *want = json_object_get(c, "reference_result");
        expect_code(id, "verification", got, COUNTERMARK_RESULT_OK);
        if (got != COUNTERMARK_RESULT_OK) return;
        if (json_is_string(want)) {
            expect_field(id, v, "username", json_string_value(want));
        } else if (json_is_object(want) && json_is_integer(json_object_get(want, "time"))) {
            char t[64];
            expect_field(id, v, "username", util_str(want, "username"));
            snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(want, "time")));
            expect_field(id, v, "time", t);
        } else {
            fail(id, "reference_result is neither a user name nor {username, time}");
        }
        {
            size_t len = 0;
            CHECK(vfield(v, "nonce", &len) != NULL && len > 0, at(id, "nonce"));
            CHECK(vfield(v, "alg", &len) != NULL && len > 0, at(id, "algorithm"));
            CHECK(vfield(v, "key_index", &len) != NULL && len > 0, at(id, "key_index"));
        }
        return;
    }
    /* Absent counts as null, as in the Rust test. */
    {
        const json_t *ref = json_object_get(c, "reference_result");
        CHECK(ref == NULL || json_is_null(ref), at(id, "the reference refused it"));
    }
    if (strcmp(expect, "rejected") == 0 || strcmp(expect, "error") == 0) {
        /* A header of this scheme that did not authenticate / a reference crash: any typed rejection. */
        if (!countermark_result_is_verification_error(got)) {
            fprintf(stderr, "%s: got %s, want a verification error\n", id, countermark_result_name(got));
        }
        util_check(countermark_result_is_verification_error(got), at(id, "expect rejected: a verification error"),
                   "rejected");
        return;
    }
    for (i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].expect, expect) == 0) {
            expect_code(id, "verification", got, map[i].code);
            return;
        }
    }
    fprintf(stderr, "%s: unexpected expect value %s\n", id, expect);
    fail(id, "unknown expect value");
}

/* A request carrying `Authorization: <authorization>`. */
static countermark_result auth_request(const char *id, const char *authorization, countermark_request **out) {
    countermark_result rc = countermark_request_new((const uint8_t *)"GET", 3, (const uint8_t *)"/api/", 5, out);
    expect_code(id, "countermark_request_new", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_request_add_header(*out, (const uint8_t *)"Authorization", 13, (const uint8_t *)authorization,
                                            strlen(authorization));
        expect_code(id, "countermark_request_add_header(Authorization)", rc, COUNTERMARK_RESULT_OK);
        if (rc != COUNTERMARK_RESULT_OK) {
            countermark_request_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

/* ------------------------------------------------------------------------------------------------------------- */
/* The ops. */

static int drive_sign(const char *id, const json_t *c) {
    const key_pair *kp = find_key(util_str(c, "key"));
    const key_pair *vk = find_key(util_str(c, "verify_key"));
    const char *username = util_str(c, "username");
    const char *nonce = util_str(c, "nonce");
    const char *kid = util_str(c, "kid");
    const char *alg = util_str(c, "alg");
    const char *want_jwt = util_str(c, "jwt");
    const char *authorization = util_str(c, "authorization");
    const char *header_json = util_str(c, "header_json");
    const char *payload_json = util_str(c, "payload_json");
    const char *signing_input = util_str(c, "signing_input");
    const char *signature = util_str(c, "signature_b64url");
    const json_t *timestamp = json_object_get(c, "timestamp");
    countermark_bytes token = {NULL, 0};
    countermark_bytes b = {NULL, 0};
    countermark_request *request = NULL;
    static vres parsed;
    static vres verified;
    const countermark_jwt_policy *policy = NULL;
    countermark_result rc;
    if (kp == NULL || vk == NULL || kp->sk == NULL || vk->pk == NULL || username == NULL || nonce == NULL ||
        kid == NULL || alg == NULL || want_jwt == NULL || authorization == NULL || header_json == NULL ||
        payload_json == NULL || signing_input == NULL || signature == NULL || !json_is_integer(timestamp)) {
        fail(id, "sign case lacks inputs (or names an unknown key)");
        return 0;
    }
    rc = countermark_signing_key_key_id(kp->sk, &b);
    expect_owned(id, "signing key kid", rc, &b, kid);
    rc = countermark_jwt_sign_with(kp->sk, (const uint8_t *)username, strlen(username),
                                   (int64_t)json_integer_value(timestamp), (const uint8_t *)nonce, strlen(nonce),
                                   &token);
    expect_code(id, "countermark_jwt_sign_with", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        const char *t = (const char *)token.data;
        const char *dot1 = memchr(t, '.', token.len);
        const char *dot2 = strrchr(t, '.');
        expect_bytes(id, "token", token.data, token.len, want_jwt);
        if (dot1 != NULL && dot2 != NULL && dot2 > dot1) {
            char *h = b64url_encode((const uint8_t *)header_json, strlen(header_json));
            char *p = b64url_encode((const uint8_t *)payload_json, strlen(payload_json));
            size_t n = strlen(h) + strlen(p) + 2;
            char *input = malloc(n);
            if (input == NULL) exit(2);
            snprintf(input, n, "%s.%s", h, p);
            expect_bytes(id, "signing input", token.data, (size_t)(dot2 - t), signing_input);
            expect_bytes(id, "signing input = b64url(header_json).b64url(payload_json)", token.data,
                         (size_t)(dot2 - t), input);
            expect_bytes(id, "header segment", token.data, (size_t)(dot1 - t), h);
            expect_bytes(id, "signature segment", (const uint8_t *)dot2 + 1, token.len - (size_t)(dot2 + 1 - t),
                         signature);
            free(input);
            free(h);
            free(p);
        } else {
            fail(id, "token has three segments");
        }
        {
            size_t n = strlen("JWT ") + token.len + 1;
            char *auth = malloc(n);
            if (auth == NULL) exit(2);
            snprintf(auth, n, "JWT %s", t);
            CHECK(strcmp(auth, authorization) == 0, at(id, "authorization is 'JWT ' + token"));
            free(auth);
        }
    }
    countermark_bytes_free(&token);

    /* The reference verified each signed token at the signing time. */
    rc = auth_request(id, authorization, &request);
    if (rc == COUNTERMARK_RESULT_OK) {
        vres_reset(&parsed);
        rc = countermark_jwt_parse_request(request, VOUT(&parsed));
        expect_code(id, "countermark_jwt_parse_request", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        char *tok = field_dup(&parsed, "token");
        char ts[64];
        snprintf(ts, sizeof ts, "%" JSON_INTEGER_FORMAT, json_integer_value(timestamp));
        expect_field(id, &parsed, "username", username);
        expect_field(id, &parsed, "nonce", nonce);
        expect_field(id, &parsed, "kid", kid);
        expect_field(id, &parsed, "alg", jws_algorithm(alg));
        expect_field(id, &parsed, "time", ts);
        expect_field(id, &parsed, "token", want_jwt);
        rc = make_policy(id, json_object_get(c, "now"), NULL, &policy);
        if (rc == COUNTERMARK_RESULT_OK && tok != NULL) {
            countermark_result got = verify_token(id, tok, &vk->pk, 1, policy, &verified);
            check_outcome(id, c, util_str(c, "expect"), got, &verified);
            if (got == COUNTERMARK_RESULT_OK) {
                expect_field(id, &verified, "kid", kid);
                expect_field(id, &verified, "alg", jws_algorithm(alg));
                expect_field(id, &verified, "nonce", nonce);
                expect_field(id, &verified, "key_index", "0");
            }
        } else if (tok == NULL) {
            fail(id, "parse_request: claim token");
        }
        free(tok);
    }
    countermark_jwt_policy_free(policy);
    countermark_request_free(request);
    return 1;
}

static int drive_verify(const char *id, const json_t *c) {
    const key_pair *vk = find_key(util_str(c, "verify_key"));
    const char *token = util_str(c, "jwt");
    const countermark_jwt_policy *policy = NULL;
    static vres verified;
    countermark_result rc;
    if (vk == NULL || vk->pk == NULL || token == NULL || !json_is_number(json_object_get(c, "now"))) {
        fail(id, "verify case lacks jwt / now (or names an unknown key)");
        return 0;
    }
    rc = make_policy(id, json_object_get(c, "now"), NULL, &policy);
    if (rc != COUNTERMARK_RESULT_OK) return 0;
    rc = verify_token(id, token, &vk->pk, 1, policy, &verified);
    check_outcome(id, c, util_str(c, "expect"), rc, &verified);
    countermark_jwt_policy_free(policy);
    return 1;
}

static int drive_replay(const char *id, const json_t *c) {
    const key_pair *vk = find_key(util_str(c, "verify_key"));
    const char *token = util_str(c, "jwt");
    const json_t *first_result = json_object_get(c, "first_result");
    const countermark_nonce_store *store = NULL;
    const countermark_jwt_policy *first = NULL;
    const countermark_jwt_policy *second = NULL;
    static vres v, again;
    countermark_result rc;
    if (vk == NULL || vk->pk == NULL || token == NULL || !json_is_object(first_result) ||
        !json_is_number(json_object_get(c, "second_now"))) {
        fail(id, "replay case lacks jwt / first_result / second_now (or names an unknown key)");
        return 0;
    }
    CHECK(strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "replayed") == 0, at(id, "expect replayed"));
    CHECK(json_is_null(json_object_get(c, "second_result")), at(id, "second_result is null"));
    /* Both policies share one nonce store, as a clone of the first with another clock does in the Rust test. */
    rc = countermark_nonce_store_new_memory(0, &store);
    expect_code(id, "countermark_nonce_store_new_memory", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) rc = make_policy(id, json_object_get(c, "now"), store, &first);
    if (rc == COUNTERMARK_RESULT_OK) rc = make_policy(id, json_object_get(c, "second_now"), store, &second);
    /* The policies keep their own references. */
    countermark_nonce_store_free(store);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = verify_token(id, token, &vk->pk, 1, first, &v);
        expect_code(id, "first verification", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            char t[64];
            snprintf(t, sizeof t, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(first_result, "time")));
            expect_field(id, &v, "username", util_str(first_result, "username"));
            expect_field(id, &v, "time", t);
        }
        /* Parsed again from the text, as a second request would be. */
        rc = verify_token(id, token, &vk->pk, 1, second, &again);
        check_outcome(id, c, "replayed", rc, &again);
    }
    countermark_jwt_policy_free(first);
    countermark_jwt_policy_free(second);
    return 1;
}

static int drive_middleware(const char *id, const json_t *c) {
    const char *authorization = util_str(c, "authorization");
    const char *expect = util_str(c, "expect");
    const json_t *users = json_object_get(c, "users");
    countermark_request *request = NULL;
    static vres parsed;
    countermark_result rc;
    if (authorization == NULL || expect == NULL || !json_is_object(users)) {
        fail(id, "middleware case lacks authorization / expect / users");
        return 0;
    }
    rc = auth_request(id, authorization, &request);
    if (rc != COUNTERMARK_RESULT_OK) return 0;
    vres_reset(&parsed);
    rc = countermark_jwt_parse_request(request, VOUT(&parsed));
    CHECK((rc == COUNTERMARK_RESULT_OK) == (parsed.v.scheme == COUNTERMARK_SCHEME_JWT),
          at(id, "jwt_parse_request writes its result only on success"));
    if (rc == COUNTERMARK_RESULT_NO_CREDENTIALS) {
        /* Not this scheme: left to another authentication method. */
        CHECK(strcmp(expect, "not_applicable") == 0, at(id, "NO_CREDENTIALS only for expect not_applicable"));
        CHECK(json_is_null(json_object_get(c, "reference_result")), at(id, "the reference left it anonymous"));
    } else if (rc != COUNTERMARK_RESULT_OK) {
        if (!(strcmp(expect, "rejected") == 0 || strcmp(expect, "malformed") == 0 || strcmp(expect, "error") == 0)) {
            fprintf(stderr, "%s: countermark_jwt_parse_request: %s, but expect %s\n", id, countermark_result_name(rc),
                    expect);
        }
        CHECK(strcmp(expect, "rejected") == 0 || strcmp(expect, "malformed") == 0 || strcmp(expect, "error") == 0,
              at(id, "a parse failure only for expect rejected / malformed / error"));
        if (strcmp(expect, "malformed") == 0) {
            expect_code(id, "countermark_jwt_parse_request", rc, COUNTERMARK_RESULT_MALFORMED);
        }
    } else {
        /* The user repository: the claimed username picks the user, whose every key is tried. */
        char *username = field_dup(&parsed, "username");
        char *token = field_dup(&parsed, "token");
        const countermark_verifying_key *keys[MAX_KEYS];
        size_t n = 0, i;
        const json_t *names = username ? json_object_get(users, username) : NULL;
        const countermark_jwt_policy *policy = NULL;
        static vres verified;
        CHECK(strcmp(expect, "not_applicable") != 0, at(id, "a JWT header is this scheme"));
        for (i = 0; json_is_array(names) && i < json_array_size(names) && n < MAX_KEYS; i++) {
            const key_pair *kp = find_key(json_string_value(json_array_get(names, i)));
            if (kp == NULL || kp->pk == NULL) {
                fail(id, "users names an unknown key");
                continue;
            }
            keys[n++] = kp->pk;
        }
        if (token == NULL || username == NULL) {
            fail(id, "parse_request: claims token / username");
        } else if (make_policy(id, json_object_get(c, "now"), NULL, &policy) == COUNTERMARK_RESULT_OK) {
            countermark_result got;
            vres_reset(&verified);
            got = countermark_jwt_verify((const uint8_t *)token, strlen(token), n ? keys : NULL, n, policy,
                                         VOUT(&verified));
            CHECK((got == COUNTERMARK_RESULT_OK) == (verified.v.scheme == COUNTERMARK_SCHEME_JWT),
                  at(id, "jwt_verify writes its result only on success"));
            check_outcome(id, c, expect, got, &verified);
        }
            countermark_jwt_policy_free(policy);
        free(username);
        free(token);
    }
    countermark_request_free(request);
    return 1;
}

/* OpenSSH public key lines go through countermark_verifying_key_from_pem, as asymmetric-jwt-auth accepts them, under
 * the kid that library gives the same key (asym_jwt.json's ed25519 and rsa2048 keys, written by OpenSSH's tools);
 * a small-order Ed25519 key is refused. */
static void check_openssh(void) {
    static const char *const lines[][2] = {
        {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8zE35ly55c3ZGEFKDW7M3yCQx421CF+7tpPhOeMY9b alice@laptop",
         "92685be48873dc1daf91a8cef085dcc41d31c5928f1562e57b4553984cb09f6a"},
        {"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCbcQrY3FuaEex7kczuKaKNEa2986dPdzV3pMt3Q/kIp9FwygViz6geoszYmOWS5kqkXn9"
         "wsLj7e5Bqzs2G9N9aJsKNwnp0Zd542w9F4yj42Cba+WX7seMA0im5/bN65zVbeBLjFynGuJ+GtKI3k+5jdsS7sUyJcOrlzyMybYmDdjo9T9K"
         "hq4nzDULluarr3vZ1V0e/CZpSRqmTw0JJXJwKLuDFVSRjmn8ysbZqMnv+Zq0wy0RcyUkMZQOifYw/KdiwhzCKB/WE+0G1BwaH+zs6GJGI+mf"
         "NOj+NIAUJv51QHryMCrFBb/CmNySUJBa0wvx1+nzrEpWEz+l8DM7r4RVJ",
         "c473541c70f6c3843424399a2c46fac8a4c9476648ade4b4fa78c702f5c606b5"},
    };
    static const char small_order[] =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const countermark_verifying_key *key = NULL;
    countermark_bytes b = {NULL, 0};
    countermark_result rc;
    size_t i;
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        rc = countermark_verifying_key_from_pem((const uint8_t *)lines[i][0], strlen(lines[i][0]), &key);
        expect_code("openssh", "countermark_verifying_key_from_pem", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_verifying_key_key_id(key, &b);
            expect_owned("openssh", "kid of the OpenSSH line", rc, &b, lines[i][1]);
        }
        countermark_verifying_key_free(key);
        key = NULL;
    }
    rc = countermark_verifying_key_from_pem((const uint8_t *)small_order, strlen(small_order), &key);
    expect_code("openssh", "small-order key refused", rc, COUNTERMARK_RESULT_INVALID_KEY);
    CHECK(key == NULL, "openssh: nothing written on refusal");
}

int main(void) {
    json_t *cases = util_cases("asym_jwt.json");
    json_t *root = util_root("asym_jwt.json");
    size_t i;
    size_t driven = 0;
    size_t n_sign = 0, n_verify = 0, n_replay = 0, n_middleware = 0;
    if (!json_is_object(json_object_get(root, "keys"))) {
        CHECK(0, "asym_jwt.json has keys");
        return util_finish("jwt");
    }
    load_keys(json_object_get(root, "keys"));
    check_openssh();
    for (i = 0; i < json_array_size(cases); i++) {
        const json_t *c = json_array_get(cases, i);
        const char *id = util_str(c, "id");
        const char *op = util_str(c, "op");
        int ok = 0;
        if (id == NULL) id = "(no id)";
        if (op == NULL) {
            fail(id, "case has no op");
        } else if (strcmp(op, "sign") == 0) {
            ok = drive_sign(id, c);
            n_sign += (size_t)ok;
        } else if (strcmp(op, "verify") == 0) {
            ok = drive_verify(id, c);
            n_verify += (size_t)ok;
        } else if (strcmp(op, "replay") == 0) {
            ok = drive_replay(id, c);
            n_replay += (size_t)ok;
        } else if (strcmp(op, "middleware") == 0) {
            ok = drive_middleware(id, c);
            n_middleware += (size_t)ok;
        } else {
            fprintf(stderr, "%s: unknown op %s\n", id, op);
            fail(id, "unknown op");
        }
        if (ok) driven++;
    }
    if (driven != json_array_size(cases)) {
        fprintf(stderr, "jwt: drove %zu of %zu cases\n", driven, json_array_size(cases));
    }
    CHECK(driven == json_array_size(cases), "jwt: every case driven");
    CHECK(json_array_size(cases) == JWT_EXPECTED_CASES, "asym_jwt.json has 21 cases (changed?)");
    CHECK(n_sign == 3 && n_verify == 13 && n_replay == 1 && n_middleware == 4,
          "asym_jwt.json: 3 sign, 13 verify, 1 replay, 4 middleware cases");
    printf("jwt: %zu cases driven (%zu sign, %zu verify, %zu replay, %zu middleware)\n", driven, n_sign, n_verify,
           n_replay, n_middleware);
    free_keys();
    return util_finish("jwt");
}
