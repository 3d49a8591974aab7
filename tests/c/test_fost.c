/* Every case of ../shared/vectors/fost.json (django-fost-authn 0.3.8) through the C ABI: countermark_fost_* and
 * countermark_request_*. Mirrors core/tests/fost_vectors.rs. */
#include <countermark.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FOST_EXPECTED_CASES 27

/* The countermark_result an `expect` value stands for. *known is 0 for a value no fost vector should have. */
static countermark_result expected_code(const char *expect, int *known) {
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
        long long n = llround((v - fl) * 1e9);
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

/* The case's HMAC-SHA1 key from secret_hex (short legacy secrets allowed). */
static countermark_result case_key(const char *id, const json_t *c, const countermark_hmac_key **out) {
    const char *hex = util_str(c, "secret_hex");
    size_t n = 0;
    uint8_t *secret;
    countermark_result rc;
    if (hex == NULL) {
        util_check(0, at(id, "secret_hex present"), "driven");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    secret = util_hex(hex, &n);
    rc = countermark_hmac_key_new_legacy((const uint8_t *)"hmac-sha1", 9, secret, n, NULL, 0, out);
    free(secret);
    expect_code(id, "countermark_hmac_key_new_legacy(sha1)", rc, COUNTERMARK_RESULT_OK);
    return rc;
}

/* A policy with a clock at `now` and a clock skew of `max_skew` seconds (JSON null or absent: the core's default). */
static countermark_result make_policy(const char *id, const json_t *now, const json_t *max_skew,
                                      const countermark_fost_policy **out) {
    const countermark_clock *clock = NULL;
    uint64_t skew = 0;
    const uint64_t *clock_skew = NULL;
    countermark_result rc;
    *out = NULL;
    if (json_is_integer(max_skew)) {
        skew = (uint64_t)json_integer_value(max_skew);
        clock_skew = &skew;
    }
    rc = clock_at(now, &clock);
    expect_code(id, "countermark_clock_new_fixed", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_fost_policy_new(clock, clock_skew, NULL, out);
        expect_code(id, "countermark_fost_policy_new", rc, COUNTERMARK_RESULT_OK);
    }
    countermark_clock_free(clock);
    return rc;
}

/* The origin-form target of `path` and `query` (malloc'd). */
static char *target_of(const char *path, const char *query) {
    size_t n = strlen(path) + strlen(query) + 2;
    char *t = malloc(n);
    if (t == NULL) exit(2);
    if (query[0] == '\0') {
        snprintf(t, n, "%s", path);
    } else {
        snprintf(t, n, "%s?%s", path, query);
    }
    return t;
}

/* A header line (borrowed strings). */
typedef struct {
    const char *name;
    const char *value;
} header;

/* The [name, value] pairs of a JSON object (in order) appended to hs[*n]. */
static int object_headers(const json_t *obj, header *hs, size_t cap, size_t *n) {
    const char *k;
    json_t *v;
    if (!json_is_object(obj)) return 0;
    json_object_foreach((json_t *)obj, k, v) {
        if (*n >= cap || !json_is_string(v)) return 0;
        hs[*n].name = k;
        hs[*n].value = json_string_value(v);
        (*n)++;
    }
    return 1;
}

/* A request like the Rust test's request_with: method, target, the headers in order, and the body only when it is
 * not empty. Reports failures itself. */
static countermark_result make_request(const char *id, const char *method, const char *target, const header *hs,
                                       size_t n, const char *body, countermark_request **out) {
    countermark_result rc;
    size_t i;
    *out = NULL;
    rc = countermark_request_new((const uint8_t *)method, strlen(method), (const uint8_t *)target, strlen(target), out);
    expect_code(id, "countermark_request_new", rc, COUNTERMARK_RESULT_OK);
    for (i = 0; rc == COUNTERMARK_RESULT_OK && i < n; i++) {
        rc = countermark_request_add_header(*out, (const uint8_t *)hs[i].name, strlen(hs[i].name),
                                            (const uint8_t *)hs[i].value, strlen(hs[i].value));
        expect_code(id, "countermark_request_add_header", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && body != NULL && body[0] != '\0') {
        rc = countermark_request_set_body(*out, (const uint8_t *)body, strlen(body));
        expect_code(id, "countermark_request_set_body", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc != COUNTERMARK_RESULT_OK) {
        countermark_request_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The value of the item called `name` of a result, or NULL. */
static const countermark_str *item(const countermark_verified *v, const char *name) {
    size_t i;
    for (i = 0; i < v->n_items; i++) {
        if (v->items[i].name.len == strlen(name) && memcmp(v->items[i].name.data, name, strlen(name)) == 0) {
            return &v->items[i].value;
        }
    }
    return NULL;
}

/* The server side of a request signature: parse (phase one), then verify with the case's key. Returns the outcome;
 * *verified gets the verified result on success. */
static countermark_result check_request(const char *id, const countermark_request *request,
                                        const countermark_hmac_key *key, const countermark_fost_policy *policy,
                                        vres *verified) {
    static vres parsed;
    countermark_result rc, rv;
    vres_reset(&parsed);
    vres_reset(verified);
    rc = countermark_fost_parse(request, VOUT(&parsed));
    CHECK((rc == COUNTERMARK_RESULT_OK) == (parsed.v.scheme == COUNTERMARK_SCHEME_FOST),
          at(id, "fost_parse writes its result only on success"));
    CHECK(!parsed.v.verified, at(id, "fost_parse: not verified"));
    rv = countermark_fost_verify(request, key, policy, VOUT(verified));
    CHECK((rv == COUNTERMARK_RESULT_OK) == (verified->v.scheme == COUNTERMARK_SCHEME_FOST),
          at(id, "fost_verify writes its result only on success"));
    if (rc != COUNTERMARK_RESULT_OK) {
        /* A request phase one refuses gets the same answer from phase two. */
        expect_code(id, "countermark_fost_verify after a failed countermark_fost_parse", rv, rc);
        vres_reset(verified);
        return rc;
    }
    if (rv == COUNTERMARK_RESULT_OK) {
        CHECK(verified->v.verified, at(id, "fost_verify: verified"));
        CHECK(parsed.v.created == verified->v.created, at(id, "parsed and verified created agree"));
        expect_str(id, "algorithm", verified->v.algorithm, "hmac-sha1");
    }
    return rv;
}

/* As check_request, for signed URLs. */
static countermark_result check_url(const char *id, const countermark_request *request,
                                    const countermark_hmac_key *key, const countermark_fost_policy *policy,
                                    vres *verified) {
    static vres parsed;
    countermark_result rc, rv;
    vres_reset(&parsed);
    vres_reset(verified);
    rc = countermark_fost_url_parse(request, VOUT(&parsed));
    CHECK((rc == COUNTERMARK_RESULT_OK) == (parsed.v.scheme == COUNTERMARK_SCHEME_FOST_URL),
          at(id, "fost_url_parse writes its result only on success"));
    rv = countermark_fost_url_verify(request, key, policy, VOUT(verified));
    CHECK((rv == COUNTERMARK_RESULT_OK) == (verified->v.scheme == COUNTERMARK_SCHEME_FOST_URL),
          at(id, "fost_url_verify writes its result only on success"));
    if (rc != COUNTERMARK_RESULT_OK) {
        expect_code(id, "countermark_fost_url_verify after a failed countermark_fost_url_parse", rv, rc);
        vres_reset(verified);
        return rc;
    }
    if (rv == COUNTERMARK_RESULT_OK) {
        CHECK(verified->v.verified, at(id, "fost_url_verify: verified"));
        CHECK(parsed.v.has_expires == verified->v.has_expires && parsed.v.expires == verified->v.expires,
              at(id, "parsed and verified expires agree"));
    }
    return rv;
}

/* The verified result of a request: key_id, user (X-FOST-User when signed, else the key) and the signed headers. */
static void check_verified_request(const char *id, const countermark_verified *v, const char *key, const header *hs,
                                   size_t n) {
    const char *user = key;
    const char *signed_names = NULL;
    size_t i;
    for (i = 0; i < n; i++) {
        if (strcmp(hs[i].name, "X-FOST-Headers") == 0) signed_names = hs[i].value;
    }
    /* The user is X-FOST-User when it is among the signed headers. */
    if (signed_names != NULL && strstr(signed_names, " X-FOST-User") != NULL) {
        for (i = 0; i < n; i++) {
            if (strcmp(hs[i].name, "X-FOST-User") == 0) user = hs[i].value;
        }
    }
    if (key != NULL) expect_str(id, "key_id", v->key_id, key);
    if (user != NULL) expect_str(id, "user", v->user, user);
    CHECK(v->has_created, at(id, "created"));
    /* Every signed header (other than X-FOST-Headers itself, when listed) is an item. */
    if (signed_names != NULL) {
        char list[1024];
        char *name = list;
        snprintf(list, sizeof list, "%s", signed_names);
        while (name != NULL) {
            char *space = strchr(name, ' ');
            if (space != NULL) *space = '\0';
            if (*name != '\0' && strcmp(name, "X-FOST-Headers") != 0) {
                for (i = 0; i < n; i++) {
                    if (strcmp(hs[i].name, name) == 0) {
                        const countermark_str *got = item(v, name);
                        CHECK(got != NULL, at(id, "signed header item"));
                        if (got != NULL) expect_str(id, "signed header item value", *got, hs[i].value);
                    }
                }
            }
            name = space ? space + 1 : NULL;
        }
    }
}

/* The key part of a `FOST key:signature` Authorization value (into buf), or NULL. */
static const char *auth_key(const header *hs, size_t n, char *buf, size_t cap) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (strcmp(hs[i].name, "Authorization") == 0 && strncmp(hs[i].value, "FOST ", 5) == 0) {
            const char *colon = strchr(hs[i].value + 5, ':');
            size_t len;
            if (colon == NULL) return NULL;
            len = (size_t)(colon - (hs[i].value + 5));
            if (len >= cap) return NULL;
            memcpy(buf, hs[i].value + 5, len);
            buf[len] = '\0';
            return buf;
        }
    }
    return NULL;
}

static int drive_request_signature(const char *id, const json_t *c) {
    const char *method = util_str(c, "method");
    const char *path = util_str(c, "path");
    const char *query = util_str(c, "query_string");
    const char *body = util_str(c, "body");
    const char *key_id = util_str(c, "key");
    const char *timestamp = util_str(c, "timestamp");
    const json_t *signed_headers = json_object_get(c, "signed_headers");
    const json_t *server = json_object_get(c, "server_check");
    header signed_hs[32];
    header sent[40];
    header want_sent[40];
    countermark_str names[32];
    size_t n_signed = 0;
    size_t n_sent = 0;
    size_t n_want = 0;
    size_t i;
    char *target;
    const countermark_hmac_key *key = NULL;
    const countermark_fost_signer *signer = NULL;
    const countermark_fost_policy *policy = NULL;
    countermark_request *request = NULL;
    countermark_request *server_request = NULL;
    countermark_claims *signed_claims = NULL;
    static vres verified;
    countermark_result rc;
    int known = 0;
    countermark_result want;
    if (method == NULL || path == NULL || query == NULL || body == NULL || key_id == NULL || timestamp == NULL ||
        !json_is_array(signed_headers) || json_array_size(signed_headers) > 32 || !json_is_object(server)) {
        util_check(0, at(id, "request_signature case lacks inputs"), "driven");
        return 0;
    }
    want = expected_code(util_str(server, "expect"), &known);
    if (!known || strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        util_check(0, at(id, "request_signature case with an unknown expect"), "driven");
        return 0;
    }
    for (i = 0; i < json_array_size(signed_headers); i++) {
        const json_t *pair = json_array_get(signed_headers, i);
        const char *n = json_string_value(json_array_get(pair, 0));
        const char *v = json_string_value(json_array_get(pair, 1));
        if (n == NULL || v == NULL) {
            util_check(0, at(id, "signed_headers are [name, value] string pairs"), "driven");
            return 0;
        }
        signed_hs[n_signed].name = n;
        signed_hs[n_signed].value = v;
        names[n_signed].data = (const uint8_t *)n;
        names[n_signed].len = strlen(n);
        n_signed++;
    }
    if (!object_headers(json_object_get(c, "request_headers"), want_sent, 40, &n_want)) {
        util_check(0, at(id, "request_headers is an object of strings"), "driven");
        return 0;
    }
    target = target_of(path, query);
    rc = case_key(id, c, &key);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_fost_signer_new((const uint8_t *)key_id, strlen(key_id), key, NULL, &signer);
        expect_code(id, "countermark_fost_signer_new", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) rc = make_request(id, method, target, signed_hs, n_signed, body, &request);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_fost_signer_sign(signer, request, n_signed ? names : NULL, n_signed,
                                          (const uint8_t *)timestamp, strlen(timestamp), &signed_claims);
        expect_code(id, "countermark_fost_signer_sign", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        size_t count = countermark_claims_count(signed_claims);
        expect_claim(id, signed_claims, "document", util_str(c, "document"));
        expect_claim(id, signed_claims, "signature", util_str(c, "signature"));
        expect_claim(id, signed_claims, "Authorization", util_str(c, "authorization"));
        expect_claim(id, signed_claims, "X-FOST-Headers", util_str(c, "x_fost_headers"));
        expect_claim(id, signed_claims, "X-FOST-Timestamp", timestamp);
        CHECK(count == 5, at(id, "three header claims, signature, document"));
        /* sent = the header claims (all but signature and document, in order), then the signed headers. */
        for (i = 0; i + 2 < count && n_sent < 40; i++) {
            countermark_str n = {NULL, 0};
            countermark_str v = {NULL, 0};
            rc = countermark_claims_at(signed_claims, i, &n, &v);
            expect_code(id, "countermark_claims_at", rc, COUNTERMARK_RESULT_OK);
            if (rc != COUNTERMARK_RESULT_OK) break;
            /* Views into signed_claims stay valid until it is freed; they are not NUL-terminated, so copy. */
            {
                char *name = malloc(n.len + 1);
                char *value = malloc(v.len + 1);
                if (name == NULL || value == NULL) exit(2);
                if (n.len) memcpy(name, n.data, n.len);
                if (v.len) memcpy(value, v.data, v.len);
                name[n.len] = '\0';
                value[v.len] = '\0';
                sent[n_sent].name = name;
                sent[n_sent].value = value;
                n_sent++;
            }
        }
        {
            size_t n_claim_headers = n_sent;
            for (i = 0; i < n_signed && n_sent < 40; i++) sent[n_sent++] = signed_hs[i];
            CHECK(n_sent == n_want, at(id, "request_headers count"));
            for (i = 0; i < n_sent && i < n_want; i++) {
                char what[64];
                snprintf(what, sizeof what, "request header %zu name", i);
                expect_bytes(id, what, (const uint8_t *)sent[i].name, strlen(sent[i].name), want_sent[i].name);
                snprintf(what, sizeof what, "request header %zu value", i);
                expect_bytes(id, what, (const uint8_t *)sent[i].value, strlen(sent[i].value), want_sent[i].value);
            }
            /* The server's verdict on the request as sent. */
            rc = make_request(id, method, target, sent, n_sent, body, &server_request);
            if (rc == COUNTERMARK_RESULT_OK) {
                rc = make_policy(id, json_object_get(server, "now"), json_object_get(server, "max_skew_seconds"),
                                 &policy);
            }
            if (rc == COUNTERMARK_RESULT_OK) {
                static vres parsed;
                rc = check_request(id, server_request, key, policy, &verified);
                expect_code(id, "server check of the signed request", rc, want);
                if (rc == COUNTERMARK_RESULT_OK) check_verified_request(id, &verified.v, key_id, sent, n_sent);
                vres_reset(&parsed);
                rc = countermark_fost_parse(server_request, VOUT(&parsed));
                expect_code(id, "countermark_fost_parse(signed request)", rc, COUNTERMARK_RESULT_OK);
                if (rc == COUNTERMARK_RESULT_OK) {
                    expect_str(id, "parse: key_id", parsed.v.key_id, key_id);
                    CHECK(parsed.v.has_created, at(id, "parse: created from the timestamp"));
                }
            }
            for (i = 0; i < n_claim_headers; i++) {
                free((char *)sent[i].name);
                free((char *)sent[i].value);
            }
        }
    }
    countermark_claims_free(signed_claims);
    countermark_request_free(server_request);
    countermark_request_free(request);
    countermark_fost_policy_free(policy);
    countermark_fost_signer_free(signer);
    countermark_hmac_key_free(key);
    free(target);
    return 1;
}

static int drive_verify_request(const char *id, const json_t *c) {
    const char *method = util_str(c, "method");
    const char *path = util_str(c, "path");
    const char *query = util_str(c, "query_string");
    const char *body = util_str(c, "body");
    header hs[40];
    size_t n = 0;
    char *target;
    const countermark_hmac_key *key = NULL;
    const countermark_fost_policy *policy = NULL;
    countermark_request *request = NULL;
    static vres verified;
    countermark_result rc;
    int known = 0;
    countermark_result want = expected_code(util_str(c, "expect"), &known);
    if (!known) {
        fprintf(stderr, "%s: cannot drive expect \"%s\"\n", id, util_str(c, "expect") ? util_str(c, "expect") : "");
        util_check(0, at(id, "unknown expect value"), "driven");
        return 0;
    }
    if (method == NULL || path == NULL || query == NULL || body == NULL ||
        !object_headers(json_object_get(c, "request_headers"), hs, 40, &n)) {
        util_check(0, at(id, "verify_request case lacks inputs"), "driven");
        return 0;
    }
    target = target_of(path, query);
    rc = case_key(id, c, &key);
    if (rc == COUNTERMARK_RESULT_OK) rc = make_request(id, method, target, hs, n, body, &request);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = make_policy(id, json_object_get(c, "now"), json_object_get(c, "max_skew_seconds"), &policy);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = check_request(id, request, key, policy, &verified);
        expect_code(id, "server check (fost_parse + fost_verify)", rc, want);
        if (rc == COUNTERMARK_RESULT_OK) {
            char buf[256];
            check_verified_request(id, &verified.v, auth_key(hs, n, buf, sizeof buf), hs, n);
        }
    }
    countermark_request_free(request);
    countermark_fost_policy_free(policy);
    countermark_hmac_key_free(key);
    free(target);
    return 1;
}

static int drive_url_signature(const char *id, const json_t *c) {
    const char *key_id = util_str(c, "key");
    const char *host = util_str(c, "host");
    const char *path = util_str(c, "path");
    const char *query = util_str(c, "query_string");
    const char *expires = util_str(c, "expires");
    const char *signed_url = util_str(c, "signed_url");
    const char *filtered = util_str(c, "filtered_query");
    const char *signed_query = util_str(c, "signed_query_string");
    const json_t *server = json_object_get(c, "server_check");
    const countermark_hmac_key *key = NULL;
    const countermark_fost_url_signer *signer = NULL;
    const countermark_fost_policy *policy = NULL;
    countermark_claims *signed_claims = NULL;
    static vres verified;
    countermark_request *request = NULL;
    countermark_result rc;
    countermark_result want;
    const char *scheme_end;
    char *target;
    char *url;
    size_t url_cap;
    int known = 0;
    int has_expiry;
    long long exp = 0;
    if (key_id == NULL || host == NULL || path == NULL || query == NULL || expires == NULL || signed_url == NULL ||
        filtered == NULL || signed_query == NULL || !json_is_object(server) ||
        (scheme_end = strstr(signed_url, "://")) == NULL) {
        util_check(0, at(id, "url_signature case lacks inputs"), "driven");
        return 0;
    }
    want = expected_code(util_str(server, "expect"), &known);
    if (!known || strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        util_check(0, at(id, "url_signature case with an unknown expect"), "driven");
        return 0;
    }
    has_expiry = expires[0] != '\0';
    if (has_expiry) {
        char *end = NULL;
        exp = strtoll(expires, &end, 10);
        CHECK(end != NULL && *end == '\0', at(id, "expires is an integer"));
    }
    target = target_of(path, query);
    url_cap = (size_t)(scheme_end - signed_url) + 3 + strlen(host) + strlen(target) + 1;
    url = malloc(url_cap);
    if (url == NULL) exit(2);
    snprintf(url, url_cap, "%.*s://%s%s", (int)(scheme_end - signed_url), signed_url, host, target);
    rc = case_key(id, c, &key);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_fost_url_signer_new((const uint8_t *)key_id, strlen(key_id), key, &signer);
        expect_code(id, "countermark_fost_url_signer_new", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_fost_url_signer_sign(signer, (const uint8_t *)url, strlen(url), has_expiry ? true : false,
                                              (int64_t)exp, &signed_claims);
        expect_code(id, "countermark_fost_url_signer_sign", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        size_t len = 0;
        const uint8_t *doc;
        expect_claim(id, signed_claims, "document", util_str(c, "document"));
        expect_claim(id, signed_claims, "signature", util_str(c, "signature"));
        expect_claim(id, signed_claims, "url", signed_url);
        doc = claim(signed_claims, "document", &len);
        if (filtered[0] != '\0' && doc != NULL) {
            char needle[2048];
            char *copy = malloc(len + 1);
            if (copy == NULL) exit(2);
            memcpy(copy, doc, len);
            copy[len] = '\0';
            snprintf(needle, sizeof needle, "?%s\n", filtered);
            CHECK(strstr(copy, needle) != NULL, at(id, "document holds ?<filtered_query>\\n"));
            free(copy);
        }
        {
            const char *q = strchr(signed_url, '?');
            CHECK(q != NULL && strcmp(q + 1, signed_query) == 0, at(id, "signed_url query == signed_query_string"));
        }
        /* The server's verdict on a GET of the signed URL (absolute target). */
        {
            const uint8_t *u = claim(signed_claims, "url", &len);
            char *signed_copy = malloc(len + 1);
            if (signed_copy == NULL) exit(2);
            if (u != NULL && len) memcpy(signed_copy, u, len);
            signed_copy[u != NULL ? len : 0] = '\0';
            rc = make_request(id, "GET", u != NULL ? signed_copy : signed_url, NULL, 0, NULL, &request);
            free(signed_copy);
        }
        if (rc == COUNTERMARK_RESULT_OK) rc = make_policy(id, json_object_get(server, "now"), NULL, &policy);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = check_url(id, request, key, policy, &verified);
            expect_code(id, "server check of the signed URL", rc, want);
            if (rc == COUNTERMARK_RESULT_OK) {
                expect_str(id, "key_id", verified.v.key_id, key_id);
                if (has_expiry) {
                    char want_expires[32];
                    snprintf(want_expires, sizeof want_expires, "%lld", (long long)verified.v.expires);
                    CHECK(verified.v.has_expires && strcmp(want_expires, expires) == 0, at(id, "expires"));
                } else {
                    CHECK(!verified.v.has_expires, at(id, "no expires without _e"));
                }
            }
        }
    }
    countermark_claims_free(signed_claims);
    countermark_request_free(request);
    countermark_fost_policy_free(policy);
    countermark_fost_url_signer_free(signer);
    countermark_hmac_key_free(key);
    free(url);
    free(target);
    return 1;
}

static int drive_verify_url(const char *id, const json_t *c) {
    const char *host = util_str(c, "host");
    const char *path = util_str(c, "path");
    const char *query = util_str(c, "query_string");
    const countermark_hmac_key *key = NULL;
    const countermark_fost_policy *policy = NULL;
    countermark_request *request = NULL;
    static vres verified;
    countermark_result rc;
    header host_header;
    char *target;
    int known = 0;
    countermark_result want = expected_code(util_str(c, "expect"), &known);
    if (!known) {
        fprintf(stderr, "%s: cannot drive expect \"%s\"\n", id, util_str(c, "expect") ? util_str(c, "expect") : "");
        util_check(0, at(id, "unknown expect value"), "driven");
        return 0;
    }
    if (host == NULL || path == NULL || query == NULL) {
        util_check(0, at(id, "verify_url case lacks inputs"), "driven");
        return 0;
    }
    host_header.name = "Host";
    host_header.value = host;
    target = target_of(path, query);
    rc = case_key(id, c, &key);
    if (rc == COUNTERMARK_RESULT_OK) rc = make_request(id, "GET", target, &host_header, 1, NULL, &request);
    if (rc == COUNTERMARK_RESULT_OK) rc = make_policy(id, json_object_get(c, "now"), NULL, &policy);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = check_url(id, request, key, policy, &verified);
        expect_code(id, "server check (fost_url_parse + fost_url_verify)", rc, want);
        if (rc == COUNTERMARK_RESULT_OK) {
            CHECK(vset(verified.v.key_id), at(id, "key_id"));
        }
    }
    countermark_request_free(request);
    countermark_fost_policy_free(policy);
    countermark_hmac_key_free(key);
    free(target);
    return 1;
}

static const util_op OPS[] = {
    {"request_signature", drive_request_signature},
    {"verify_request", drive_verify_request},
    {"url_signature", drive_url_signature},
    {"verify_url", drive_verify_url},
};

int main(void) {
    util_run_cases("fost", "fost.json", OPS, sizeof OPS / sizeof OPS[0], FOST_EXPECTED_CASES);
    return util_finish("fost");
}
