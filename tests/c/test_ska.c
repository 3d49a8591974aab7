/* Every case of ../shared/vectors/ska.json (ska 1.11.2) through the C ABI: countermark_url_signer_*.
 * Mirrors core/tests/ska_vectors.rs; then ska's legacy helpers (mirrors core/tests/ska_legacy_helpers.rs). */
#include <countermark.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SKA_EXPECTED_CASES 26
/* A clock before every vector's valid_until: what the case signs must validate then (as in the Rust test). */
#define SKA_EARLY_NOW 1000000000

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

static countermark_str str_of(const char *s) {
    countermark_str v;
    v.data = (const uint8_t *)s;
    v.len = s ? strlen(s) : 0;
    return v;
}

/* The algorithm of a ska signature class; NULL for one no vector should need. */
static const char *algorithm(const char *class_name) {
    if (class_name == NULL) return NULL;
    if (strcmp(class_name, "HMACSHA1Signature") == 0 || strcmp(class_name, "Signature") == 0) return "hmac-sha1";
    if (strcmp(class_name, "HMACSHA224Signature") == 0) return "hmac-sha224";
    if (strcmp(class_name, "HMACSHA256Signature") == 0) return "hmac-sha256";
    if (strcmp(class_name, "HMACSHA384Signature") == 0) return "hmac-sha384";
    if (strcmp(class_name, "HMACSHA512Signature") == 0) return "hmac-sha512";
    return NULL;
}

/* The case's parameter names (NULL members keep the defaults). */
static countermark_ska_param_names names_of(const json_t *c, int *has) {
    countermark_ska_param_names n;
    const json_t *p = json_object_get(c, "param_names");
    memset(&n, 0, sizeof n);
    *has = json_is_object(p);
    if (*has) {
        n.signature = str_of(util_str(p, "signature_param"));
        n.auth_user = str_of(util_str(p, "auth_user_param"));
        n.valid_until = str_of(util_str(p, "valid_until_param"));
        n.extra = str_of(util_str(p, "extra_param"));
    }
    return n;
}

/* A signer like the Rust test's: legacy key of the class's algorithm, the case's parameter names, and a fixed
 * clock at `now` (NULL: the system clock). Reports failures itself. */
static countermark_result make_signer(const char *id, const json_t *c, const json_t *now,
                                      const countermark_url_signer **out) {
    const char *alg = algorithm(util_str(c, "signature_class"));
    const char *hex = util_str(c, "secret_key_hex");
    const countermark_hmac_key *key = NULL;
    countermark_key_ring_builder *builder = NULL;
    const countermark_key_ring *ring = NULL;
    const countermark_clock *clock = NULL;
    countermark_ska_param_names names;
    int has_names = 0;
    countermark_result rc;
    *out = NULL;
    if (alg == NULL || hex == NULL) {
        fprintf(stderr, "%s: no algorithm for class \"%s\" or no secret_key_hex\n", id,
                util_str(c, "signature_class") ? util_str(c, "signature_class") : "(null)");
        util_check(0, at(id, "signature_class / secret_key_hex usable"), "driven");
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    {
        size_t n = 0;
        uint8_t *secret = util_hex(hex, &n);
        rc = countermark_hmac_key_new_legacy((const uint8_t *)alg, strlen(alg), secret, n, NULL, 0, &key);
        free(secret);
    }
    expect_code(id, "countermark_hmac_key_new_legacy", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_key_ring_builder_new(key, &builder);
        expect_code(id, "countermark_key_ring_builder_new", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_key_ring_builder_build(builder, &ring);
        expect_code(id, "countermark_key_ring_builder_build", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && now != NULL) {
        rc = clock_at(now, &clock);
        expect_code(id, "countermark_clock_new_fixed", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        names = names_of(c, &has_names);
        rc = countermark_url_signer_new(ring, clock, has_names ? &names : NULL, out);
        expect_code(id, "countermark_url_signer_new", rc, COUNTERMARK_RESULT_OK);
    }
    countermark_clock_free(clock);
    countermark_key_ring_free(ring);
    countermark_key_ring_builder_free(builder);
    countermark_hmac_key_free(key);
    return rc;
}

/* str(valid_until) as Python writes it, into buf; 0 when the type is unknown. */
static int valid_until_text(const json_t *c, char *buf, size_t cap) {
    const char *type = util_str(c, "valid_until_type");
    const json_t *v = json_object_get(c, "valid_until");
    if (type == NULL) return 0;
    if (strcmp(type, "str") == 0 && json_is_string(v)) {
        snprintf(buf, cap, "%s", json_string_value(v));
        return 1;
    }
    if (strcmp(type, "int") == 0 && json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return 1;
    }
    if (strcmp(type, "float") == 0 && json_is_number(v)) {
        double d = json_number_value(v);
        int prec;
        if (d == floor(d) && fabs(d) < 1e16) {
            snprintf(buf, cap, "%.0f.0", d); /* Python: 1378045287.0 */
            return 1;
        }
        for (prec = 1; prec <= 17; prec++) { /* Python's repr: the shortest text that reads back */
            snprintf(buf, cap, "%.*g", prec, d);
            if (strtod(buf, NULL) == d) break;
        }
        return 1;
    }
    return 0;
}

/* A field of a validation result as text (NUL-terminated copy in buf), or 0 when absent: `auth_user` (the user),
 * `valid_until` (expires, whole Unix seconds), `extra.<key>` (the item named key). */
static int claim_into(const countermark_verified *r, const char *name, char *buf, size_t cap) {
    countermark_str v = {NULL, 0};
    size_t i;
    if (r->scheme != COUNTERMARK_SCHEME_SKA || !r->verified) return 0;
    if (strcmp(name, "auth_user") == 0) {
        v = r->user;
    } else if (strcmp(name, "valid_until") == 0) {
        if (!r->has_expires) return 0;
        snprintf(buf, cap, "%lld", (long long)r->expires);
        return 1;
    } else if (strncmp(name, "extra.", 6) == 0) {
        int found = 0;
        for (i = 0; i < r->n_items; i++) {
            if (r->items[i].name.len == strlen(name + 6) &&
                memcmp(r->items[i].name.data, name + 6, r->items[i].name.len) == 0) {
                v = r->items[i].value;
                found = 1;
            }
        }
        if (!found) return 0;
    } else {
        return 0;
    }
    if (v.len >= cap) return 0;
    if (v.len > 0) memcpy(buf, v.data, v.len);
    buf[v.len] = '\0';
    return 1;
}

/* Name of a parameter: the case's param_names member, or ska's default. */
static const char *param_name(const json_t *c, const char *member, const char *fallback) {
    const json_t *p = json_object_get(c, "param_names");
    const char *v = json_is_object(p) ? util_str(p, member) : NULL;
    return v ? v : fallback;
}

/* quote_plus (safe: letters, digits, `_.-~`) of `s` appended to buf. */
static void quote_plus(char *buf, size_t cap, const char *s) {
    static const char digits[] = "0123456789ABCDEF";
    size_t n = strlen(buf);
    for (; *s != '\0' && n + 4 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
            ch == '.' || ch == '-' || ch == '~') {
            buf[n++] = (char)ch;
        } else if (ch == ' ') {
            buf[n++] = '+';
        } else {
            buf[n++] = '%';
            buf[n++] = digits[ch >> 4];
            buf[n++] = digits[ch & 15];
        }
    }
    buf[n] = '\0';
}

/* Whole seconds of a valid_until text ("1628580000.5" -> "1628580000"), in buf. */
static void whole_secs(const char *vu, char *buf, size_t cap) {
    snprintf(buf, cap, "%lld", (long long)floor(atof(vu)));
}

/* Checks the result of a successful validation: user, expires and every signed extra item of `params`. */
static void check_signed_claims(const char *id, const json_t *c, const countermark_verified *claims,
                                const countermark_pair *params, size_t n_params) {
    const char *user_param = param_name(c, "auth_user_param", "auth_user");
    const char *vu_param = param_name(c, "valid_until_param", "valid_until");
    const char *extra_param = param_name(c, "extra_param", "extra");
    char got[4096];
    size_t i;
    for (i = 0; i < n_params; i++) {
        const countermark_pair *p = &params[i];
        int is_user = p->name.len == strlen(user_param) && memcmp(p->name.data, user_param, p->name.len) == 0;
        int is_vu = p->name.len == strlen(vu_param) && memcmp(p->name.data, vu_param, p->name.len) == 0;
        if (is_user || is_vu) {
            const char *claim_name = is_user ? "auth_user" : "valid_until";
            int found = claim_into(claims, claim_name, got, sizeof got);
            CHECK(found, at(id, is_user ? "auth_user claim" : "valid_until claim"));
            if (found) {
                char want[4096];
                snprintf(want, sizeof want, "%.*s", (int)p->value.len, (const char *)p->value.data);
                if (is_vu) {
                    char secs[64];
                    whole_secs(want, secs, sizeof secs);
                    snprintf(want, sizeof want, "%s", secs);
                }
                expect_bytes(id, claim_name, (const uint8_t *)got, strlen(got), want);
            }
        }
    }
    /* extra.<key> for each key listed in the extra parameter */
    for (i = 0; i < n_params; i++) {
        const countermark_pair *p = &params[i];
        if (p->name.len == strlen(extra_param) && memcmp(p->name.data, extra_param, p->name.len) == 0) {
            char list[4096];
            char *k = list;
            snprintf(list, sizeof list, "%.*s", (int)p->value.len, (const char *)p->value.data);
            while (k != NULL) {
                size_t j;
                char name[512];
                char *comma = strchr(k, ',');
                if (comma != NULL) *comma = '\0';
                if (*k == '\0') {
                    k = comma ? comma + 1 : NULL;
                    continue;
                }
                snprintf(name, sizeof name, "extra.%.500s", k);
                for (j = 0; j < n_params; j++) {
                    if (params[j].name.len == strlen(k) && memcmp(params[j].name.data, k, strlen(k)) == 0) {
                        char want[4096];
                        int found = claim_into(claims, name, got, sizeof got);
                        CHECK(found, at(id, "extra.<key> claim for a signed extra item"));
                        snprintf(want, sizeof want, "%.*s", (int)params[j].value.len,
                                 (const char *)params[j].value.data);
                        if (found) expect_bytes(id, name, (const uint8_t *)got, strlen(got), want);
                    }
                }
                k = comma ? comma + 1 : NULL;
            }
        }
    }
}

/* generate_signature | sign_url | signature_to_dict */
static int drive_generate(const char *id, const json_t *c, const char *op) {
    const countermark_url_signer *signer = NULL;
    const countermark_url_signer *early = NULL;
    countermark_claims *params = NULL;
    char vu[128];
    char *extra_json = NULL;
    const json_t *extra = json_object_get(c, "extra");
    const char *user = util_str(c, "auth_user");
    const char *want_sig = util_str(c, "signature");
    const char *sig_param = param_name(c, "signature_param", "signature");
    countermark_result rc;
    const json_t *early_now;
    if (strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        util_check(0, at(id, "signing case whose expect is not valid"), "driven");
        return 0;
    }
    if (user == NULL || !json_is_object(extra) || !valid_until_text(c, vu, sizeof vu)) {
        util_check(0, at(id, "signing case lacks auth_user / extra / valid_until"), "driven");
        return 0;
    }
    extra_json = json_dumps(extra, JSON_COMPACT);
    if (extra_json == NULL) exit(2);
    if (make_signer(id, c, json_object_get(c, "now"), &signer) != COUNTERMARK_RESULT_OK) {
        free(extra_json);
        return 1;
    }
    rc = countermark_url_signer_sign_params(signer, (const uint8_t *)user, strlen(user),
                                            NULL, (const uint8_t *)vu, strlen(vu),
                                            (const uint8_t *)extra_json, strlen(extra_json), &params);
    expect_code(id, "countermark_url_signer_sign_params", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        size_t n = countermark_claims_count(params);
        size_t i;
        countermark_pair *pairs = calloc(n + 1, sizeof *pairs);
        static vres data;
        if (pairs == NULL) exit(2);
        for (i = 0; i < n; i++) {
            rc = countermark_claims_at(params, i, &pairs[i].name, &pairs[i].value);
            expect_code(id, "countermark_claims_at", rc, COUNTERMARK_RESULT_OK);
        }
        /* The signature is the first parameter, under the signature parameter name. */
        CHECK(n >= 3, at(id, "signature, user and expiry parameters"));
        if (n >= 1) {
            expect_bytes(id, "first parameter name", pairs[0].name.data, pairs[0].name.len, sig_param);
            if (want_sig != NULL) {
                expect_bytes(id, "signature", pairs[0].value.data, pairs[0].value.len, want_sig);
            }
        }
        if (strcmp(op, "signature_to_dict") == 0) {
            const json_t *dict = json_object_get(c, "signature_dict");
            const char *k;
            const json_t *v;
            size_t j = 0;
            CHECK(json_is_object(dict) && json_object_size(dict) == n, at(id, "signature_dict size"));
            json_object_foreach((json_t *)dict, k, v) {
                char what[256];
                if (j >= n) break;
                snprintf(what, sizeof what, "signature_dict item %zu name", j);
                expect_bytes(id, what, pairs[j].name.data, pairs[j].name.len, k);
                snprintf(what, sizeof what, "signature_dict item %zu (%s) value", j, k);
                expect_bytes(id, what, pairs[j].value.data, pairs[j].value.len, json_string_value(v));
                j++;
            }
        }
        /* What we generate validates while it has not expired. */
        early_now = json_integer(SKA_EARLY_NOW);
        rc = make_signer(id, c, early_now, &early);
        json_decref((json_t *)early_now);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_url_signer_validate(early, pairs, n, VOUT(&data));
            expect_code(id, "countermark_url_signer_validate(own parameters)", rc, COUNTERMARK_RESULT_OK);
            if (rc == COUNTERMARK_RESULT_OK) check_signed_claims(id, c, &data.v, pairs, n);
            vres_reset(&data);
        }
        if (strcmp(op, "sign_url") == 0) {
            const char *url = util_str(c, "url");
            const char *suffix = util_str(c, "suffix");
            const char *want_url = util_str(c, "signed_url");
            countermark_bytes out = {NULL, 0};
            if (url == NULL || suffix == NULL || want_url == NULL) {
                util_check(0, at(id, "sign_url case lacks url / suffix / signed_url"), "driven");
            } else {
                /* With the case's suffix (ska's to_url). */
                rc = countermark_url_signer_sign_url(signer, (const uint8_t *)url, strlen(url), (const uint8_t *)user,
                                                     strlen(user), NULL,
                                                     (const uint8_t *)vu, strlen(vu), (const uint8_t *)extra_json,
                                                     strlen(extra_json), (const uint8_t *)suffix, strlen(suffix),
                                                     &out);
                expect_code(id, "countermark_url_signer_sign_url(suffix)", rc, COUNTERMARK_RESULT_OK);
                if (rc == COUNTERMARK_RESULT_OK) expect_bytes(id, "signed_url (suffix)", out.data, out.len, want_url);
                countermark_bytes_free(&out);
                /* The native separator choice gives the same URL. */
                rc = countermark_url_signer_sign_url(signer, (const uint8_t *)url, strlen(url), (const uint8_t *)user,
                                                     strlen(user), NULL,
                                                     (const uint8_t *)vu, strlen(vu), (const uint8_t *)extra_json,
                                                     strlen(extra_json), NULL, 0, &out);
                expect_code(id, "countermark_url_signer_sign_url(no suffix)", rc, COUNTERMARK_RESULT_OK);
                if (rc == COUNTERMARK_RESULT_OK) expect_bytes(id, "signed_url (native)", out.data, out.len, want_url);
                countermark_bytes_free(&out);
                /* The recorded signed URL validates before it expires. */
                if (early != NULL) {
                    rc = countermark_url_signer_validate_url(early, (const uint8_t *)want_url, strlen(want_url), VOUT(&data));
                    expect_code(id, "countermark_url_signer_validate_url(signed_url)", rc, COUNTERMARK_RESULT_OK);
                    if (rc == COUNTERMARK_RESULT_OK) {
                        char got[256];
                        char secs[64];
                        whole_secs(vu, secs, sizeof secs);
                        CHECK(claim_into(&data.v, "auth_user", got, sizeof got) && strcmp(got, user) == 0,
                              at(id, "validate_url user"));
                        CHECK(claim_into(&data.v, "valid_until", got, sizeof got) && strcmp(got, secs) == 0,
                              at(id, "validate_url expires"));
                    }
                }
            }
        }
        free(pairs);
    }
    countermark_claims_free(params);
    countermark_url_signer_free(early);
    countermark_url_signer_free(signer);
    free(extra_json);
    return 1;
}

static int drive_validate(const char *id, const json_t *c) {
    const countermark_url_signer *signer = NULL;
    const json_t *data = json_object_get(c, "data");
    const char *expect = util_str(c, "expect");
    countermark_pair *pairs;
    static vres claims;
    countermark_result want = COUNTERMARK_RESULT_OK;
    countermark_result rc;
    int any_error = 0;
    size_t n;
    size_t i = 0;
    const char *k;
    const json_t *v;
    char url[8192];
    if (!json_is_object(data) || expect == NULL || json_object_get(c, "now") == NULL) {
        util_check(0, at(id, "validate case lacks data / expect / now"), "driven");
        return 0;
    }
    if (strcmp(expect, "valid") == 0) {
        want = COUNTERMARK_RESULT_OK;
    } else if (strcmp(expect, "bad_signature") == 0) {
        want = COUNTERMARK_RESULT_BAD_SIGNATURE;
    } else if (strcmp(expect, "expired") == 0) {
        want = COUNTERMARK_RESULT_EXPIRED;
    } else if (strcmp(expect, "bad_signature+expired") == 0) {
        want = COUNTERMARK_RESULT_BAD_SIGNATURE; /* reported first when the signature is also expired */
    } else if (strcmp(expect, "error") == 0) {
        any_error = 1;
    } else {
        fprintf(stderr, "%s: cannot drive expect value \"%s\"\n", id, expect);
        util_check(0, at(id, "unknown expect value"), "driven");
        return 0;
    }
    if (make_signer(id, c, json_object_get(c, "now"), &signer) != COUNTERMARK_RESULT_OK) return 1;
    n = json_object_size(data);
    pairs = calloc(n + 1, sizeof *pairs);
    if (pairs == NULL) exit(2);
    snprintf(url, sizeof url, "https://e.com/api/?");
    json_object_foreach((json_t *)data, k, v) {
        const char *s = json_string_value(v);
        CHECK(s != NULL, at(id, "data values are strings"));
        pairs[i].name = str_of(k);
        pairs[i].value = str_of(s ? s : "");
        if (i > 0) strncat(url, "&", sizeof url - strlen(url) - 1);
        quote_plus(url, sizeof url, k);
        strncat(url, "=", sizeof url - strlen(url) - 1);
        quote_plus(url, sizeof url, s ? s : "");
        i++;
    }
    rc = countermark_url_signer_validate(signer, pairs, n, VOUT(&claims));
    if (any_error) {
        if (rc == COUNTERMARK_RESULT_OK) fprintf(stderr, "%s: the reference crashed; any rejection is fine, got ok\n", id);
        util_check(rc != COUNTERMARK_RESULT_OK, at(id, "countermark_url_signer_validate rejects"), "non-OK");
    } else {
        expect_code(id, "countermark_url_signer_validate", rc, want);
        if (rc == COUNTERMARK_RESULT_OK) {
            char got[1024];
            const char *user_param = param_name(c, "auth_user_param", "auth_user");
            int found = claim_into(&claims.v, "auth_user", got, sizeof got);
            CHECK(found, at(id, "auth_user claim"));
            if (found) {
                const char *w = util_str(data, user_param);
                expect_bytes(id, "auth_user", (const uint8_t *)got, strlen(got), w);
            }
            check_signed_claims(id, c, &claims.v, pairs, n);
        }
    }
    vres_reset(&claims);
    /* The same parameters in a URL query (quote_plus-encoded) give the same verdict. */
    rc = countermark_url_signer_validate_url(signer, (const uint8_t *)url, strlen(url), VOUT(&claims));
    if (any_error) {
        util_check(rc != COUNTERMARK_RESULT_OK, at(id, "countermark_url_signer_validate_url rejects"), "non-OK");
    } else {
        expect_code(id, "countermark_url_signer_validate_url", rc, want);
        if (rc == COUNTERMARK_RESULT_OK) check_signed_claims(id, c, &claims.v, pairs, n);
    }
    vres_reset(&claims);
    free(pairs);
    countermark_url_signer_free(signer);
    return 1;
}

static int drive_generate_signature(const char *id, const json_t *c) {
    return drive_generate(id, c, "generate_signature");
}
static int drive_sign_url(const char *id, const json_t *c) { return drive_generate(id, c, "sign_url"); }
static int drive_signature_to_dict(const char *id, const json_t *c) {
    return drive_generate(id, c, "signature_to_dict");
}

static const util_op OPS[] = {
    {"generate_signature", drive_generate_signature},
    {"sign_url", drive_sign_url},
    {"signature_to_dict", drive_signature_to_dict},
    {"validate", drive_validate},
};

/* ska's legacy helpers (HMAC-MD5, javascript_value_dumper, javascript_quoter): every case of
 * core/tests/data/ska_legacy_helpers.json, computed by the real ska 1.11.2 (see gen_ska_legacy_helpers.py there),
 * through countermark_url_signer_with_helpers. Run from the repository root (run.sh does). */
#define SKA_LEGACY_CASES 140
#define SKA_LEGACY_NOW 1378000000

static const countermark_url_signer *legacy_signer(const char *alg, const char *secret, const char *dumper,
                                                   const char *quoter) {
    const countermark_hmac_key *key = NULL;
    countermark_key_ring_builder *builder = NULL;
    const countermark_key_ring *ring = NULL;
    const countermark_clock *clock = NULL;
    const countermark_url_signer *plain = NULL;
    const countermark_url_signer *out = NULL;
    countermark_result rc =
        countermark_hmac_key_new_legacy((const uint8_t *)alg, strlen(alg), (const uint8_t *)secret, strlen(secret),
                                        NULL, 0, &key);
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_key_ring_builder_new(key, &builder);
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_key_ring_builder_build(builder, &ring);
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_clock_new_fixed(SKA_LEGACY_NOW, 0, &clock);
    if (rc == COUNTERMARK_RESULT_OK) rc = countermark_url_signer_new(ring, clock, NULL, &plain);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_url_signer_with_helpers(plain, (const uint8_t *)dumper, dumper ? strlen(dumper) : 0,
                                                 (const uint8_t *)quoter, quoter ? strlen(quoter) : 0, &out);
    }
    CHECK(rc == COUNTERMARK_RESULT_OK, "legacy signer built");
    countermark_url_signer_free(plain);
    countermark_clock_free(clock);
    countermark_key_ring_free(ring);
    countermark_key_ring_builder_free(builder);
    countermark_hmac_key_free(key);
    return out;
}

static void legacy_helpers(void) {
    json_error_t err;
    json_t *root = json_load_file("core/tests/data/ska_legacy_helpers.json", 0, &err);
    const json_t *cases = json_object_get(root, "cases");
    const countermark_url_signer *signer = NULL;
    const countermark_url_signer *other = NULL;
    size_t i;
    CHECK(json_is_array(cases) && json_array_size(cases) == SKA_LEGACY_CASES, "ska_legacy_helpers.json loaded");
    for (i = 0; json_is_array(cases) && i < json_array_size(cases); i++) {
        const json_t *c = json_array_get(cases, i);
        const char *alg = util_str(c, "algorithm");
        const char *vu = util_str(c, "valid_until");
        const char *want = util_str(c, "signature");
        char id[64];
        char *extra_json = json_dumps(json_object_get(c, "extra"), JSON_COMPACT);
        countermark_claims *params = NULL;
        static vres data;
        countermark_result rc;
        snprintf(id, sizeof id, "legacy-%zu-%s-%s-%s", i, alg, util_str(c, "value_dumper"), util_str(c, "quoter"));
        if (extra_json == NULL) exit(2);
        /* The case names the hash as ska's class does (md5, sha1, ...); the library spells it hmac-md5, ... */
        char one_spelling[32];
        snprintf(one_spelling, sizeof one_spelling, "hmac-%s", alg);
        signer = legacy_signer(one_spelling, util_str(c, "secret"), util_str(c, "value_dumper"), util_str(c, "quoter"));
        rc = countermark_url_signer_sign_params(signer, (const uint8_t *)"user", 4, NULL,
                                                (const uint8_t *)vu, strlen(vu), (const uint8_t *)extra_json,
                                                strlen(extra_json), &params);
        expect_code(id, "countermark_url_signer_sign_params", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            size_t n = countermark_claims_count(params);
            size_t j;
            countermark_pair *pairs = calloc(n + 1, sizeof *pairs);
            if (pairs == NULL) exit(2);
            for (j = 0; j < n; j++) countermark_claims_at(params, j, &pairs[j].name, &pairs[j].value);
            expect_bytes(id, "signature", pairs[0].value.data, pairs[0].value.len, want);
            /* What it signed validates, with the same helpers. */
            rc = countermark_url_signer_validate(signer, pairs, n, VOUT(&data));
            expect_code(id, "countermark_url_signer_validate", rc, COUNTERMARK_RESULT_OK);
            vres_reset(&data);
            /* The JavaScript quoter's link of a value the two quoters write differently: refused by ska's default
             * quoter, which signs other text. */
            if (json_object_get(json_object_get(c, "extra"), "punct") != NULL &&
                strcmp(util_str(c, "quoter"), "javascript") == 0) {
                rc = countermark_url_signer_with_helpers(signer, NULL, 0, (const uint8_t *)"python", 6, &other);
                expect_code(id, "with_helpers(quoter=python)", rc, COUNTERMARK_RESULT_OK);
                rc = countermark_url_signer_validate(other, pairs, n, VOUT(&data));
                expect_code(id, "default quoter refuses a JavaScript-quoted link", rc,
                            COUNTERMARK_RESULT_BAD_SIGNATURE);
                vres_reset(&data);
                countermark_url_signer_free(other);
                other = NULL;
            }
            free(pairs);
        }
        countermark_claims_free(params);
        countermark_url_signer_free(signer);
        free(extra_json);
    }
    /* Unknown helper names are refused. */
    signer = legacy_signer("hmac-md5", "your-secret-key", NULL, NULL);
    CHECK(countermark_url_signer_with_helpers(signer, (const uint8_t *)"js", 2, NULL, 0, &other) ==
              COUNTERMARK_RESULT_INVALID_VALUE,
          "value_dumper \"js\" refused");
    CHECK(countermark_url_signer_with_helpers(signer, NULL, 0, (const uint8_t *)"php", 3, &other) ==
              COUNTERMARK_RESULT_INVALID_VALUE,
          "quoter \"php\" refused");
    CHECK(other == NULL, "nothing written on refusal");
    countermark_url_signer_free(signer);
    json_decref(root);
}

int main(void) {
    legacy_helpers();
    util_run_cases("ska", "ska.json", OPS, sizeof OPS / sizeof OPS[0], SKA_EXPECTED_CASES);
    return util_finish("ska");
}
