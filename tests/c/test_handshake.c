/* Every case of ../shared/vectors/handshake.json (handshake 0.2.1) through the C ABI: countermark_tokens_*.
 * Mirrors core/tests/handshake_vectors.rs. */
#include <countermark.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HS_EXPECTED_CASES 24

/* The countermark_result an `expect` value stands for; OK for "valid". *known is 0 for an unknown value. */
static countermark_result expected_code(const char *expect, int *known) {
    static const struct {
        const char *expect;
        countermark_result code;
    } map[] = {
        {"valid", COUNTERMARK_RESULT_OK},
        {"bad_signature", COUNTERMARK_RESULT_BAD_SIGNATURE},
        {"expired", COUNTERMARK_RESULT_EXPIRED},
        {"not_yet_valid", COUNTERMARK_RESULT_NOT_YET_VALID},
        {"malformed", COUNTERMARK_RESULT_MALFORMED},
        {"too_long", COUNTERMARK_RESULT_TOO_LARGE},
        {"invalid_value", COUNTERMARK_RESULT_INVALID_VALUE},
        /* core: Secret::new refuses the secret -> ErrorKind::InvalidKey */
        {"config_error", COUNTERMARK_RESULT_INVALID_KEY},
    };
    size_t i;
    *known = 0;
    if (expect == NULL) return COUNTERMARK_RESULT_OK;
    for (i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].expect, expect) == 0) {
            *known = 1;
            return map[i].code;
        }
    }
    return COUNTERMARK_RESULT_OK;
}

/* A fixed clock at the JSON number `now` (integer or float seconds). */
static countermark_result clock_at(const json_t *now, const countermark_clock **out) {
    int64_t secs;
    uint32_t nanos = 0;
    if (json_is_integer(now)) {
        secs = (int64_t)json_integer_value(now);
    } else if (json_is_real(now)) {
        double v = json_real_value(now);
        double fl = floor(v);
        double frac = (v - fl) * 1e9;
        long long n = llround(frac);
        secs = (int64_t)fl;
        if (n >= 1000000000LL) {
            secs += 1;
            n = 0;
        }
        nanos = (uint32_t)n;
    } else {
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    return countermark_clock_new_fixed(secs, nanos, out);
}

/* The case's HMAC key (hashfunc, secret_hex) without a key id. */
static countermark_result case_key(const json_t *c, const countermark_hmac_key **out) {
    const char *alg = util_str(c, "hashfunc");
    const char *hex = util_str(c, "secret_hex");
    size_t n = 0;
    uint8_t *secret;
    countermark_result rc;
    if (alg == NULL || hex == NULL) return COUNTERMARK_RESULT_NULL_PARAMETER;
    {
        /* handshake names the hash (hashlib's "sha256"); the library takes the one spelling ("hmac-sha256"). */
        char name[64];
        int len = snprintf(name, sizeof name, "hmac-%s", alg);
        if (len < 0 || (size_t)len >= sizeof name) return COUNTERMARK_RESULT_INVALID_PARAMETER;
        secret = util_hex(hex, &n);
        rc = countermark_hmac_key_new((const uint8_t *)name, (size_t)len, secret, n, NULL, 0, out);
        free(secret);
    }
    return rc;
}

/* Tokens over a one-key ring with the case's key, random_len and a clock at `now`. */
static countermark_result make_tokens(const char *id, const json_t *c, const json_t *now,
                                      const countermark_tokens **out) {
    const countermark_hmac_key *key = NULL;
    countermark_key_ring_builder *builder = NULL;
    const countermark_key_ring *ring = NULL;
    const countermark_clock *clock = NULL;
    size_t random_len = 0;
    countermark_result rc;
    *out = NULL;
    if (json_is_integer(json_object_get(c, "random_len"))) {
        random_len = (size_t)json_integer_value(json_object_get(c, "random_len"));
    }
    rc = case_key(c, &key);
    expect_code(id, "countermark_hmac_key_new", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_key_ring_builder_new(key, &builder);
        expect_code(id, "countermark_key_ring_builder_new", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_key_ring_builder_build(builder, &ring);
        expect_code(id, "countermark_key_ring_builder_build", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = clock_at(now, &clock);
        expect_code(id, "countermark_clock_new_fixed", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_tokens_new(ring, clock, random_len, out);
        expect_code(id, "countermark_tokens_new", rc, COUNTERMARK_RESULT_OK);
    }
    countermark_clock_free(clock);
    countermark_key_ring_free(ring);
    countermark_key_ring_builder_free(builder);
    countermark_hmac_key_free(key);
    return rc;
}

/* The metadata strings of a JSON array as countermark_str views (malloc'd array; NULL with *ok = 0 on error). */
static countermark_str *fields_of(const json_t *arr, size_t *n, int *ok) {
    size_t i;
    countermark_str *out;
    *ok = json_is_array(arr);
    *n = *ok ? json_array_size(arr) : 0;
    out = calloc(*n + 1, sizeof *out);
    if (out == NULL) exit(2);
    for (i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s == NULL) {
            *ok = 0;
            continue;
        }
        out[i].data = (const uint8_t *)s;
        out[i].len = strlen(s);
    }
    return out;
}

/* The timestamp part (third from the end, colon-separated) of a token as an integer; 0 when unparseable. */
static long long token_timestamp(const char *token) {
    size_t len = strlen(token);
    size_t colons = 0;
    size_t i = len;
    const char *start = NULL;
    const char *end = NULL;
    char buf[64];
    while (i > 0) {
        i--;
        if (token[i] == ':') {
            colons++;
            if (colons == 2) end = token + i;
            if (colons == 3) {
                start = token + i + 1;
                break;
            }
        }
    }
    if (colons == 2 && end != NULL) start = token; /* no metadata colon: cannot happen for >= 4 parts */
    if (start == NULL || end == NULL || end <= start || (size_t)(end - start) >= sizeof buf) return 0;
    memcpy(buf, start, (size_t)(end - start));
    buf[end - start] = '\0';
    return strtoll(buf, NULL, 10);
}

/* Verifies `token` and checks the outcome against `expect` (and `result` for valid tokens). 0 when the inputs
 * cannot be driven (already reported as a failure). */
static int check_verify(const char *id, const countermark_tokens *tokens, const char *token, const json_t *time_range,
                         const char *expect, const json_t *result) {
    static vres res;
    countermark_result rc;
    countermark_result want;
    int known = 0;
    uint64_t max_age_secs;
    if (token == NULL || !json_is_integer(time_range)) {
        util_check(0, at(id, "verify inputs (token, time_range) missing"), "driven");
        return 0;
    }
    want = expected_code(expect, &known);
    if (!known) {
        fprintf(stderr, "%s: cannot drive expect value \"%s\"\n", id, expect ? expect : "(null)");
        util_check(0, at(id, "unknown expect value"), "driven");
        return 0;
    }
    /* handshake's time_range 0 disables the check; the C ABI takes NULL (no max age) for that. */
    max_age_secs = (uint64_t)json_integer_value(time_range);
    vres_reset(&res);
    rc = countermark_tokens_verify(tokens, (const uint8_t *)token, strlen(token),
                                   max_age_secs == 0 ? NULL : &max_age_secs, VOUT(&res));
    expect_code(id, "countermark_tokens_verify", rc, want);
    CHECK((rc == COUNTERMARK_RESULT_OK) == (res.v.scheme == COUNTERMARK_SCHEME_TOKEN),
          at(id, "tokens_verify writes its result only on success"));
    if (rc == COUNTERMARK_RESULT_OK) {
        size_t n_result = json_array_size(result);
        size_t i;
        char msg[128];
        CHECK(json_is_array(result), at(id, "valid case has a result list"));
        CHECK(res.v.verified, at(id, "verified"));
        CHECK(res.v.n_items == n_result, at(id, "one item per result field"));
        for (i = 0; i < res.v.n_items && i < n_result; i++) {
            expect_bytes(id, "item name (empty for a field)", res.v.items[i].name.data, res.v.items[i].name.len, "");
            snprintf(msg, sizeof msg, "field %zu", i);
            expect_bytes(id, msg, res.v.items[i].value.data, res.v.items[i].value.len,
                         json_string_value(json_array_get(result, i)));
        }
        CHECK(res.v.has_created && res.v.created == token_timestamp(token),
              at(id, "created is the normalised token timestamp"));
        CHECK(!vset(res.v.key_id) && !vset(res.v.user), at(id, "no key id or user on a token"));
    }
    return 1;
}

/* Lowercase hex of `n` bytes into `out` (2n+1 bytes). */
static void to_hex(const uint8_t *data, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The recorded message parts: token == message + ':' + signature, message ends with random, and the signature is
 * HMAC-hashfunc(secret, message) as countermark_hmac_key_sign computes it. */
static void check_message_parts(const char *id, const json_t *c) {
    const char *token = util_str(c, "token");
    const char *msg = util_str(c, "message");
    const char *sig = util_str(c, "signature");
    const char *random = util_str(c, "random");
    const countermark_hmac_key *key = NULL;
    countermark_result rc;
    if (token == NULL || msg == NULL || sig == NULL || random == NULL) {
        util_check(0, at(id, "create+verify case lacks token/message/signature/random"), "fields");
        return;
    }
    {
        size_t lm = strlen(msg);
        size_t lr = strlen(random);
        CHECK(strlen(token) == lm + 1 + strlen(sig) && strncmp(token, msg, lm) == 0 && token[lm] == ':' &&
                  strcmp(token + lm + 1, sig) == 0,
              at(id, "token == message:signature"));
        CHECK(lm >= lr && strcmp(msg + lm - lr, random) == 0, at(id, "message ends with random"));
    }
    rc = case_key(c, &key);
    expect_code(id, "countermark_hmac_key_new", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        uint8_t tag[COUNTERMARK_MAX_TAG_LEN];
        char hex[2 * COUNTERMARK_MAX_TAG_LEN + 1];
        size_t n = 0;
        rc = countermark_hmac_key_sign(key, (const uint8_t *)msg, strlen(msg), tag, sizeof tag, &n);
        expect_code(id, "countermark_hmac_key_sign(message)", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            to_hex(tag, n, hex);
            expect_bytes(id, "hex HMAC of message", (const uint8_t *)hex, strlen(hex), sig);
            rc = countermark_hmac_key_verify(key, (const uint8_t *)msg, strlen(msg), tag, n);
            expect_code(id, "countermark_hmac_key_verify(message)", rc, COUNTERMARK_RESULT_OK);
        }
    }
    countermark_hmac_key_free(key);
}

static int drive_create_verify(const char *id, const json_t *c) {
    const countermark_tokens *tokens = NULL;
    const countermark_tokens *verifier = NULL;
    const json_t *v = json_object_get(c, "verify");
    const char *urandom_hex = util_str(c, "urandom_hex");
    const char *want_token = util_str(c, "token");
    countermark_bytes token = {NULL, 0};
    countermark_str *fields;
    size_t n_fields = 0;
    int ok = 0;
    int driven = 1;
    countermark_result rc;
    if (!json_is_object(v) || urandom_hex == NULL || want_token == NULL) {
        util_check(0, at(id, "create+verify case lacks verify/urandom_hex/token"), "driven");
        return 0;
    }
    if (strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        util_check(0, at(id, "create+verify case whose expect is not valid"), "driven");
        return 0;
    }
    fields = fields_of(json_object_get(c, "metadata"), &n_fields, &ok);
    CHECK(ok, at(id, "metadata is a list of strings"));
    rc = make_tokens(id, c, json_object_get(c, "now"), &tokens);
    if (rc == COUNTERMARK_RESULT_OK && ok) {
        size_t n_random = 0;
        uint8_t *random = util_hex(urandom_hex, &n_random);
        rc = countermark_tokens_create_with_random(tokens, fields, n_fields, random, n_random, &token);
        free(random);
        expect_code(id, "countermark_tokens_create_with_random", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            expect_bytes(id, "created token", token.data, token.len, want_token);
            CHECK(json_is_integer(json_object_get(c, "token_length")) &&
                      (json_int_t)token.len == json_integer_value(json_object_get(c, "token_length")),
                  at(id, "token_length"));
            CHECK(token.data != NULL && token.data[token.len] == '\0', at(id, "countermark_bytes is NUL-terminated"));
        }
    }
    check_message_parts(id, c);
    /* Verify the created token (the recorded one when creation failed, so the verify step still runs). */
    rc = make_tokens(id, c, json_object_get(v, "now"), &verifier);
    if (rc == COUNTERMARK_RESULT_OK) {
        driven = check_verify(id, verifier, token.data != NULL ? (const char *)token.data : want_token,
                     json_object_get(v, "time_range"), util_str(v, "expect"), json_object_get(v, "result"));
    }
    countermark_bytes_free(&token);
    CHECK(token.data == NULL && token.len == 0, at(id, "countermark_bytes_free resets the value"));
    countermark_tokens_free(verifier);
    countermark_tokens_free(tokens);
    free(fields);
    return driven;
}

static int drive_verify(const char *id, const json_t *c) {
    const countermark_tokens *tokens = NULL;
    countermark_result rc = make_tokens(id, c, json_object_get(c, "now"), &tokens);
    int driven;
    if (rc != COUNTERMARK_RESULT_OK) return 1; /* already reported */
    driven = check_verify(id, tokens, util_str(c, "token"), json_object_get(c, "time_range"), util_str(c, "expect"),
                          json_object_get(c, "result"));
    countermark_tokens_free(tokens);
    return driven;
}

static int drive_create(const char *id, const json_t *c) {
    const countermark_tokens *tokens = NULL;
    countermark_str *fields;
    size_t n_fields = 0;
    int ok = 0;
    int known = 0;
    countermark_result want = expected_code(util_str(c, "expect"), &known);
    countermark_result rc;
    if (!known || want == COUNTERMARK_RESULT_OK) {
        util_check(0, at(id, "create case without a known error expect"), "driven");
        return 0;
    }
    fields = fields_of(json_object_get(c, "metadata"), &n_fields, &ok);
    CHECK(ok, at(id, "metadata is a list of strings"));
    rc = make_tokens(id, c, json_object_get(c, "now"), &tokens);
    if (rc == COUNTERMARK_RESULT_OK && ok) {
        countermark_bytes token = {NULL, 0};
        uint8_t random[1024];
        memset(random, 0x5a, sizeof random);
        rc = countermark_tokens_create(tokens, fields, n_fields, &token);
        expect_code(id, "countermark_tokens_create", rc, want);
        countermark_bytes_free(&token);
        /* The same refusal with fixed random bytes. */
        rc = countermark_tokens_create_with_random(tokens, fields, n_fields, random, sizeof random, &token);
        expect_code(id, "countermark_tokens_create_with_random", rc, want);
        countermark_bytes_free(&token);
    }
    countermark_tokens_free(tokens);
    free(fields);
    return 1;
}

static int drive_config(const char *id, const json_t *c) {
    const countermark_hmac_key *key = NULL;
    int known = 0;
    countermark_result want = expected_code(util_str(c, "expect"), &known);
    countermark_result rc;
    if (!known || want == COUNTERMARK_RESULT_OK) {
        util_check(0, at(id, "config case without a known error expect"), "driven");
        return 0;
    }
    rc = case_key(c, &key);
    expect_code(id, "countermark_hmac_key_new", rc, want);
    CHECK(rc != COUNTERMARK_RESULT_OK || key != NULL, at(id, "key written on success"));
    CHECK(rc == COUNTERMARK_RESULT_OK || key == NULL, at(id, "no key written on failure"));
    countermark_hmac_key_free(key);
    return 1;
}

static const util_op OPS[] = {
    {"create+verify", drive_create_verify},
    {"verify", drive_verify},
    {"create", drive_create},
    {"config", drive_config},
};

int main(void) {
    util_run_cases("handshake", "handshake.json", OPS, sizeof OPS / sizeof OPS[0], HS_EXPECTED_CASES);
    return util_finish("handshake");
}
