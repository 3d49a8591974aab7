/* Every case of ../shared/vectors/hmac_header.json (django-hmac-authentication 5.0.3) through the C ABI:
 * countermark_api_secret_*, countermark_hmac_header_* and countermark_request_*. Mirrors
 * core/tests/hmac_header_vectors.rs: the server parses, checks the time window, looks the key up (the test's key
 * store: no such key, a revoked key or one past its expires_at are UNKNOWN_KEY), then verifies.
 *
 * Not exposed by the C ABI (so not checked here): the canonical body text and the body hash on their own (the
 * body hash is checked as the prefix of string_to_sign), and encrypting a secret at rest. */
#include <countermark.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HMAC_HEADER_EXPECTED_CASES 28

/* Checks that base64 text `b64` decodes to exactly the bytes of hex text `hex`. */
static void expect_b64_is_hex(const char *id, const char *what, const char *b64, const char *hex) {
    size_t n1 = 0, n2 = 0;
    uint8_t *a;
    uint8_t *b;
    if (b64 == NULL || hex == NULL) {
        fail(id, what);
        return;
    }
    a = util_b64_decode(b64, strlen(b64), &n1);
    b = util_hex(hex, &n2);
    util_check(a != NULL && n1 == n2 && memcmp(a, b, n1) == 0, at(id, what), "base64 decodes to the hex bytes");
    free(a);
    free(b);
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

/* The outcome a case's `expect` stands for. *any is set for `error` (any clean rejection); *known is 0 for a
 * value no hmac_header vector should have. */
static countermark_result expected_code(const char *expect, int *known, int *any) {
    static const struct {
        const char *expect;
        countermark_result code;
    } map[] = {
        {"valid", COUNTERMARK_RESULT_OK},
        {"not_applicable", COUNTERMARK_RESULT_NO_CREDENTIALS},
        {"bad_signature", COUNTERMARK_RESULT_BAD_SIGNATURE},
        {"expired", COUNTERMARK_RESULT_EXPIRED},
        {"not_yet_valid", COUNTERMARK_RESULT_NOT_YET_VALID},
        {"malformed", COUNTERMARK_RESULT_MALFORMED},
        {"unsupported_algorithm", COUNTERMARK_RESULT_UNSUPPORTED_ALGORITHM},
        /* Key-store outcomes: see lookup(). */
        {"unknown_key", COUNTERMARK_RESULT_UNKNOWN_KEY},
        {"revoked_key", COUNTERMARK_RESULT_UNKNOWN_KEY},
        {"expired_key", COUNTERMARK_RESULT_UNKNOWN_KEY},
    };
    size_t i;
    *known = 0;
    *any = 0;
    if (expect == NULL) return COUNTERMARK_RESULT_OK;
    if (strcmp(expect, "error") == 0) {
        *known = 1;
        *any = 1;
        return COUNTERMARK_RESULT_OK;
    }
    for (i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].expect, expect) == 0) {
            *known = 1;
            return map[i].code;
        }
    }
    return COUNTERMARK_RESULT_OK;
}

/* Checks an outcome against the case's expect value. */
static void expect_outcome(const char *id, const char *expect, countermark_result got) {
    int known = 0, any = 0;
    countermark_result want = expected_code(expect, &known, &any);
    if (!known) {
        fprintf(stderr, "%s: no hmac_header vector should expect %s\n", id, expect ? expect : "(null)");
        fail(id, "unknown expect value");
        return;
    }
    if (any) {
        util_check(got != COUNTERMARK_RESULT_OK && got != COUNTERMARK_RESULT_NO_CREDENTIALS &&
                       !countermark_result_is_usage_error(got),
                   at(id, "expect error: any clean rejection"), "rejected");
        return;
    }
    expect_code(id, "server outcome", got, want);
}

/* Decrypts the secret of a server key record (the reference's ApiHMACKey row). */
static countermark_result decrypt_record(const char *id, const json_t *record, const countermark_api_secret **out) {
    const char *cipher = util_str(record, "cipher_algorithm");
    const char *password = util_str(record, "kd_password");
    const char *secret_col = util_str(record, "secret_column_b64");
    const char *salt_col = util_str(record, "salt_column_b64");
    uint8_t *salt;
    uint8_t *ct;
    size_t salt_n = 0, ct_n = 0;
    countermark_result rc;
    *out = NULL;
    if (cipher == NULL || password == NULL || secret_col == NULL || salt_col == NULL) {
        fail(id, "server_key record lacks fields");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    salt = util_b64_decode(salt_col, strlen(salt_col), &salt_n);
    ct = util_b64_decode(secret_col, strlen(secret_col), &ct_n);
    if (salt == NULL || ct == NULL) {
        free(salt);
        free(ct);
        fail(id, "server_key columns are base64");
        return COUNTERMARK_RESULT_MALFORMED;
    }
    rc = countermark_api_secret_decrypt_legacy((const uint8_t *)cipher, strlen(cipher), (const uint8_t *)password,
                                               strlen(password), salt, salt_n, ct, ct_n, out);
    free(salt);
    free(ct);
    return rc;
}

/* The caller's key store with at most the case's one record: the secret of `api_key` at `now`, or UNKNOWN_KEY when
 * there is no such key, it is revoked, or it is past its expires_at (which the test maps to UNKNOWN_KEY). */
static countermark_result lookup(const char *id, const char *store_key, const json_t *record, const char *api_key,
                                 double now, const countermark_api_secret **out) {
    const json_t *revoked;
    const json_t *expires_at;
    countermark_result rc;
    *out = NULL;
    if (record == NULL || json_is_null(record) || strcmp(store_key, api_key) != 0) {
        return COUNTERMARK_RESULT_UNKNOWN_KEY;
    }
    revoked = json_object_get(record, "revoked");
    expires_at = json_object_get(record, "expires_at");
    if (!json_is_boolean(revoked)) {
        fail(id, "server_key.revoked is a boolean");
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    if (json_is_true(revoked)) return COUNTERMARK_RESULT_UNKNOWN_KEY;
    if (json_is_number(expires_at) && json_number_value(expires_at) <= now) return COUNTERMARK_RESULT_UNKNOWN_KEY;
    rc = decrypt_record(id, record, out);
    return rc;
}

/* The stored secret of a record decrypts to the one the case says the server holds. */
static void check_server_key(const char *id, const json_t *record, const char *api_secret_b64) {
    const countermark_api_secret *stored = NULL;
    countermark_bytes b64 = {NULL, 0};
    countermark_result rc;
    if (record == NULL || json_is_null(record)) return;
    rc = decrypt_record(id, record, &stored);
    expect_code(id, "countermark_api_secret_decrypt_legacy(server_key)", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_api_secret_to_base64(stored, &b64);
        expect_code(id, "countermark_api_secret_to_base64(server_key)", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) expect_bytes(id, "decrypted server secret", b64.data, b64.len, api_secret_b64);
        countermark_bytes_free(&b64);
    }
    countermark_api_secret_free(stored);
}

/* The client's secret from api_secret_b64, checked against secret_hex and its own base64 round trip. */
static countermark_result api_secret(const char *id, const json_t *c, const countermark_api_secret **out) {
    const char *b64 = util_str(c, "api_secret_b64");
    const char *hex = util_str(c, "secret_hex");
    countermark_bytes back = {NULL, 0};
    countermark_result rc;
    *out = NULL;
    if (b64 == NULL || hex == NULL) {
        fail(id, "api_secret_b64 / secret_hex present");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    expect_b64_is_hex(id, "api_secret_b64 is the secret_hex bytes", b64, hex);
    rc = countermark_api_secret_new_base64((const uint8_t *)b64, strlen(b64), out);
    expect_code(id, "countermark_api_secret_new_base64", rc, COUNTERMARK_RESULT_OK);
    if (rc != COUNTERMARK_RESULT_OK) return rc;
    rc = countermark_api_secret_to_base64(*out, &back);
    expect_code(id, "countermark_api_secret_to_base64", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        expect_bytes(id, "api secret base64 round trip", back.data, back.len, b64);
        {
            char *enc;
            size_t n = 0;
            uint8_t *raw = util_hex(hex, &n);
            enc = util_b64_encode(raw, n);
            expect_bytes(id, "secret bytes are secret_hex", back.data, back.len, enc);
            free(enc);
            free(raw);
        }
    }
    countermark_bytes_free(&back);
    CHECK(back.data == NULL && back.len == 0, at(id, "countermark_bytes_free resets the value"));
    return rc;
}

/* The request the server receives (as the Rust test's server_request). `authorization` NULL for none. */
static countermark_result server_request(const char *id, const json_t *c, const char *authorization,
                                         countermark_request **out) {
    const char *method = util_str(c, "http_method");
    const char *path = util_str(c, "path");
    const char *ct = util_str(c, "content_type");
    const char *body = util_str(c, "request_body");
    countermark_result rc;
    *out = NULL;
    if (method == NULL || path == NULL) {
        fail(id, "http_method / path present");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    rc = countermark_request_new((const uint8_t *)method, strlen(method), (const uint8_t *)path, strlen(path), out);
    expect_code(id, "countermark_request_new", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK && ct != NULL) {
        rc = countermark_request_add_header(*out, (const uint8_t *)"Content-Type", 12, (const uint8_t *)ct,
                                            strlen(ct));
        expect_code(id, "countermark_request_add_header(Content-Type)", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && body != NULL) {
        rc = countermark_request_set_body(*out, (const uint8_t *)body, strlen(body));
        expect_code(id, "countermark_request_set_body", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && authorization != NULL) {
        rc = countermark_request_add_header(*out, (const uint8_t *)"Authorization", 13,
                                            (const uint8_t *)authorization, strlen(authorization));
        expect_code(id, "countermark_request_add_header(Authorization)", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc != COUNTERMARK_RESULT_OK) {
        countermark_request_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The server: parse, check the time window, look the key up, verify (the reference's order). The C ABI checks
 * the time window inside countermark_hmac_header_verify, before the signature; so when the lookup fails, verify
 * runs with a throwaway secret first, and a time-window (or format) refusal takes precedence over the lookup. */
static countermark_result server(const char *id, const countermark_request *request, const json_t *record,
                                 const char *store_key, const json_t *now, const json_t *timeout) {
    const countermark_clock *clock = NULL;
    const countermark_hmac_header_policy *policy = NULL;
    const countermark_api_secret *secret = NULL;
    static vres parsed, verified;
    char *api_key = NULL;
    uint64_t timeout_secs = 0;
    const uint64_t *max_age = NULL; /* NULL: the core's default max age */
    countermark_result rc, outcome;
    double now_f;
    if (!json_is_number(now)) {
        fail(id, "now is a number");
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    now_f = json_number_value(now);
    if (json_is_integer(timeout) && json_integer_value(timeout) >= 0) {
        timeout_secs = (uint64_t)json_integer_value(timeout);
        max_age = &timeout_secs;
    } else if (json_is_real(timeout) && json_real_value(timeout) >= 0 &&
               floor(json_real_value(timeout)) == json_real_value(timeout)) {
        timeout_secs = (uint64_t)json_real_value(timeout);
        max_age = &timeout_secs;
    } else if (!(timeout == NULL || json_is_null(timeout))) {
        fail(id, "timeout_seconds is not whole seconds: the C policy takes integer seconds");
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    rc = clock_at(now, &clock);
    expect_code(id, "countermark_clock_new_fixed", rc, COUNTERMARK_RESULT_OK);
    if (rc != COUNTERMARK_RESULT_OK) return rc;
    rc = countermark_hmac_header_policy_new(clock, max_age, NULL, &policy);
    countermark_clock_free(clock);
    expect_code(id, "countermark_hmac_header_policy_new", rc, COUNTERMARK_RESULT_OK);
    if (rc != COUNTERMARK_RESULT_OK) return rc;

    vres_reset(&parsed);
    vres_reset(&verified);
    outcome = countermark_hmac_header_parse(request, VOUT(&parsed));
    CHECK((outcome == COUNTERMARK_RESULT_OK) == (parsed.v.scheme == COUNTERMARK_SCHEME_HMAC_HEADER),
          at(id, "hmac_header_parse writes claims only on success"));
    if (outcome != COUNTERMARK_RESULT_OK) {
        /* Phase two refuses the same way without a secret lookup (the secret is never used). */
        const countermark_api_secret *any = NULL;
        rc = countermark_api_secret_generate(&any);
        expect_code(id, "countermark_api_secret_generate", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_hmac_header_verify(request, any, policy, VOUT(&verified));
            expect_code(id, "countermark_hmac_header_verify after a failed parse", rc, outcome);
        }
        countermark_api_secret_free(any);
        countermark_hmac_header_policy_free(policy);
        return outcome;
    }
    CHECK(vset(parsed.v.key_id), at(id, "parse: key_id"));
    api_key = vdup(parsed.v.key_id);
    CHECK(!parsed.v.verified, at(id, "parse: not verified"));
    CHECK(vset(parsed.v.algorithm), at(id, "parse: algorithm"));
    CHECK(parsed.v.has_created, at(id, "parse: created"));
    rc = api_key ? lookup(id, store_key, record, api_key, now_f, &secret) : COUNTERMARK_RESULT_UNKNOWN_KEY;
    if (rc != COUNTERMARK_RESULT_OK) {
        /* The time window comes before the lookup: ask verify with a throwaway secret. */
        const countermark_api_secret *any = NULL;
        countermark_result rt;
        countermark_result ra = countermark_api_secret_generate(&any);
        expect_code(id, "countermark_api_secret_generate", ra, COUNTERMARK_RESULT_OK);
        if (ra == COUNTERMARK_RESULT_OK) {
            rt = countermark_hmac_header_verify(request, any, policy, VOUT(&verified));
            if (rt == COUNTERMARK_RESULT_EXPIRED || rt == COUNTERMARK_RESULT_NOT_YET_VALID ||
                rt == COUNTERMARK_RESULT_MALFORMED) {
                rc = rt;
            }
        }
        countermark_api_secret_free(any);
        outcome = rc;
    } else {
        vres_reset(&verified);
        outcome = countermark_hmac_header_verify(request, secret, policy, VOUT(&verified));
        CHECK((outcome == COUNTERMARK_RESULT_OK) == (verified.v.scheme == COUNTERMARK_SCHEME_HMAC_HEADER),
              at(id, "hmac_header_verify writes its result only on success"));
        if (outcome == COUNTERMARK_RESULT_OK) {
            char *alg = vdup(parsed.v.algorithm);
            CHECK(verified.v.verified, at(id, "verify: verified"));
            expect_str(id, "verify: key_id", verified.v.key_id, api_key);
            expect_str(id, "verify: algorithm", verified.v.algorithm, alg);
            CHECK(verified.v.has_created && verified.v.created == parsed.v.created, at(id, "verify: created"));
            free(alg);
        }
    }
    countermark_api_secret_free(secret);
    countermark_hmac_header_policy_free(policy);
    free(api_key);
    return outcome;
}

static int drive_sign(const char *id, const json_t *c) {
    const char *method = util_str(c, "method");
    const char *api_key = util_str(c, "api_key");
    const char *utc = util_str(c, "utc_8601");
    const char *body_hash = util_str(c, "body_hash_b64");
    const char *sts = util_str(c, "string_to_sign");
    const json_t *check = json_object_get(c, "server_check");
    const countermark_api_secret *secret = NULL;
    const countermark_hmac_header_signer *signer = NULL;
    countermark_request *unsigned_req = NULL;
    countermark_request *request = NULL;
    countermark_claims *signed_claims = NULL;
    char *authorization = NULL;
    countermark_result rc;
    if (method == NULL || api_key == NULL || utc == NULL || sts == NULL || !json_is_object(check)) {
        fail(id, "sign case lacks inputs");
        return 0;
    }
    if (strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        fail(id, "sign case with an expect other than valid");
        return 0;
    }
    rc = api_secret(id, c, &secret);
    if (rc == COUNTERMARK_RESULT_OK) {
        /* The vector records the wire's method word (HMAC-SHA256); the library takes the one spelling. */
        char algorithm[32];
        size_t k;
        for (k = 0; method[k] != '\0' && k + 1 < sizeof algorithm; k++) {
            algorithm[k] = (char)tolower((unsigned char)method[k]);
        }
        algorithm[k] = '\0';
        rc = countermark_hmac_header_signer_new((const uint8_t *)api_key, strlen(api_key), secret,
                                                (const uint8_t *)algorithm, strlen(algorithm), NULL, &signer);
        expect_code(id, "countermark_hmac_header_signer_new", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) rc = server_request(id, check, NULL, &unsigned_req);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_hmac_header_signer_sign(signer, unsigned_req, (const uint8_t *)utc, strlen(utc),
                                                 &signed_claims);
        expect_code(id, "countermark_hmac_header_signer_sign", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        CHECK(countermark_claims_count(signed_claims) == 3, at(id, "sign: three claims"));
        expect_claim(id, signed_claims, "string_to_sign", sts);
        expect_claim(id, signed_claims, "signature", util_str(c, "signature"));
        expect_claim(id, signed_claims, "Authorization", util_str(c, "authorization"));
        /* The body hash is what precedes ';' in string_to_sign (nothing without a body). */
        {
            char want_prefix[512];
            snprintf(want_prefix, sizeof want_prefix, "%s;%s", body_hash ? body_hash : "", utc);
            CHECK(strcmp(want_prefix, sts) == 0, at(id, "string_to_sign is body_hash_b64 ';' utc_8601"));
        }
        CHECK((body_hash == NULL) == json_is_null(json_object_get(c, "body_canonical")),
              at(id, "body hash present exactly when body_canonical is"));
        authorization = claim_dup(signed_claims, "Authorization");
    }
    check_server_key(id, json_object_get(check, "server_key"), util_str(c, "api_secret_b64"));
    if (authorization != NULL) {
        rc = server_request(id, check, authorization, &request);
        if (rc == COUNTERMARK_RESULT_OK) {
            countermark_result got = server(id, request, json_object_get(check, "server_key"), api_key,
                                            json_object_get(check, "now"), json_object_get(check, "timeout_seconds"));
            expect_outcome(id, util_str(check, "expect"), got);
        }
    } else {
        fail(id, "no Authorization to check on the server");
    }
    free(authorization);
    countermark_request_free(request);
    countermark_request_free(unsigned_req);
    countermark_claims_free(signed_claims);
    countermark_hmac_header_signer_free(signer);
    countermark_api_secret_free(secret);
    return 1;
}

static int drive_verify(const char *id, const json_t *c) {
    const char *authorization = util_str(c, "authorization");
    const char *api_key = util_str(c, "api_key");
    const json_t *record = json_object_get(c, "server_key");
    const countermark_api_secret *secret = NULL;
    countermark_request *request = NULL;
    countermark_result rc;
    if (authorization == NULL || api_key == NULL || record == NULL) {
        fail(id, "verify case lacks inputs");
        return 0;
    }
    rc = api_secret(id, c, &secret);
    countermark_api_secret_free(secret);
    check_server_key(id, record, util_str(c, "api_secret_b64"));
    if (rc != COUNTERMARK_RESULT_OK) return 0;
    rc = server_request(id, c, authorization, &request);
    if (rc == COUNTERMARK_RESULT_OK) {
        countermark_result got =
            server(id, request, record, api_key, json_object_get(c, "now"), json_object_get(c, "timeout_seconds"));
        expect_outcome(id, util_str(c, "expect"), got);
    }
    countermark_request_free(request);
    return rc == COUNTERMARK_RESULT_OK;
}

static int drive_secret_at_rest(const char *id, const json_t *c) {
    const char *cipher = util_str(c, "cipher_algorithm");
    const char *password = util_str(c, "kd_password");
    const char *password_hex = util_str(c, "kd_password_hex");
    const char *salt_hex = util_str(c, "salt_hex");
    const char *iv_hex = util_str(c, "iv_hex");
    const char *ct_hex = util_str(c, "ciphertext_hex");
    const char *api_b64 = util_str(c, "api_secret_b64");
    const char *secret_hex = util_str(c, "secret_hex");
    uint8_t *pw, *salt, *iv, *ct;
    size_t pw_n = 0, salt_n = 0, iv_n = 0, ct_n = 0;
    const countermark_api_secret *secret = NULL;
    const countermark_api_secret *wrong = NULL;
    countermark_bytes b64 = {NULL, 0};
    countermark_bytes wrong_b64 = {NULL, 0};
    countermark_result rc;
    if (cipher == NULL || password == NULL || password_hex == NULL || salt_hex == NULL || iv_hex == NULL ||
        ct_hex == NULL || api_b64 == NULL || secret_hex == NULL) {
        fail(id, "secret_at_rest case lacks inputs");
        return 0;
    }
    if (strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        fail(id, "secret_at_rest case with an expect other than valid");
        return 0;
    }
    CHECK(strcmp(util_str(c, "cipher_mode") ? util_str(c, "cipher_mode") : "", "CBC") == 0, at(id, "cipher_mode CBC"));
    CHECK(strcmp(util_str(c, "kdf") ? util_str(c, "kdf") : "", "PBKDF2-HMAC-SHA256") == 0, at(id, "kdf"));
    CHECK(json_integer_value(json_object_get(c, "kdf_iterations")) == 1000, at(id, "kdf_iterations 1000"));
    pw = util_hex(password_hex, &pw_n);
    salt = util_hex(salt_hex, &salt_n);
    iv = util_hex(iv_hex, &iv_n);
    ct = util_hex(ct_hex, &ct_n);
    CHECK(pw_n == strlen(password) && memcmp(pw, password, pw_n) == 0, at(id, "kd_password_hex is kd_password"));
    CHECK(salt_n == 24, at(id, "24-byte salt"));
    CHECK(iv_n == 16 && salt_n >= 16 && memcmp(salt + salt_n - 16, iv, 16) == 0, at(id, "iv = last 16 salt bytes"));
    expect_b64_is_hex(id, "salt_b64", util_str(c, "salt_b64"), salt_hex);
    expect_b64_is_hex(id, "salt_column_b64", util_str(c, "salt_column_b64"), salt_hex);
    expect_b64_is_hex(id, "secret_column_b64", util_str(c, "secret_column_b64"), ct_hex);
    expect_b64_is_hex(id, "api_secret_b64", api_b64, secret_hex);

    rc = countermark_api_secret_decrypt_legacy((const uint8_t *)cipher, strlen(cipher), pw, pw_n, salt, salt_n, ct,
                                               ct_n, &secret);
    expect_code(id, "countermark_api_secret_decrypt_legacy", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_api_secret_to_base64(secret, &b64);
        expect_code(id, "countermark_api_secret_to_base64", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) expect_bytes(id, "decrypted secret (base64)", b64.data, b64.len, api_b64);
    }
    /* A wrong password fails cleanly (padding), or yields other bytes, never the secret. */
    rc = countermark_api_secret_decrypt_legacy((const uint8_t *)cipher, strlen(cipher),
                                               (const uint8_t *)"wrong password", 14, salt, salt_n, ct, ct_n, &wrong);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_api_secret_to_base64(wrong, &wrong_b64);
        expect_code(id, "countermark_api_secret_to_base64(wrong)", rc, COUNTERMARK_RESULT_OK);
        CHECK(rc != COUNTERMARK_RESULT_OK || strlen(api_b64) != wrong_b64.len ||
                  memcmp(wrong_b64.data, api_b64, wrong_b64.len) != 0,
              at(id, "a wrong password never yields the secret"));
    } else {
        expect_code(id, "countermark_api_secret_decrypt_legacy(wrong password)", rc, COUNTERMARK_RESULT_INVALID_KEY);
        CHECK(wrong == NULL, at(id, "no output on failure"));
    }
    /* The cipher name is the column value: anything else is refused. */
    {
        const countermark_api_secret *other = NULL;
        rc = countermark_api_secret_decrypt_legacy((const uint8_t *)"DES", 3, pw, pw_n, salt, salt_n, ct, ct_n, &other);
        expect_code(id, "countermark_api_secret_decrypt_legacy(DES)", rc, COUNTERMARK_RESULT_UNSUPPORTED_ALGORITHM);
        countermark_api_secret_free(other);
    }
    countermark_bytes_free(&b64);
    countermark_bytes_free(&wrong_b64);
    countermark_api_secret_free(secret);
    countermark_api_secret_free(wrong);
    free(pw);
    free(salt);
    free(iv);
    free(ct);
    return 1;
}

static const util_op OPS[] = {
    {"sign", drive_sign},
    {"verify", drive_verify},
    {"secret_at_rest", drive_secret_at_rest},
};

int main(void) {
    util_run_cases("hmac_header", "hmac_header.json", OPS, sizeof OPS / sizeof OPS[0], HMAC_HEADER_EXPECTED_CASES);
    return util_finish("hmac_header");
}
