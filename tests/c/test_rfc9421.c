/* Every case of ../shared/vectors/rfc9421.json (RFC 9421 Appendix B examples and cases generated with
 * http-message-signatures 3.0.0) through the C ABI: countermark_message_signer_*, countermark_message_policy_*,
 * countermark_message_verifying_key_*, countermark_message_signature_*, countermark_content_digest*,
 * countermark_signing_key_*, countermark_verifying_key_*, countermark_request_* and countermark_response_*.
 * Mirrors core/tests/rfc9421_vectors.rs.
 *
 * `expect` values without a code of their own map as the core (and ffi/src/result.rs) do: `missing_component`
 * (a required component is not covered) is MALFORMED; `bad_digest` (the body does not match the signed
 * Content-Digest) is BAD_SIGNATURE.
 *
 * Not exposed by the C ABI: the signature base of a parsed (unverified) signature. The Rust test checks it on the
 * published verify cases; here the same cases reproduce it by signing (countermark_message_signer_sign_* returns
 * signature_base), and the parsed parameters and components are checked against the case. */
#include <countermark.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define RFC9421_EXPECTED_CASES 27
#define MAX_COMPONENTS 32

/* Checks claim `name` equals `want`; with `want` NULL, checks there is no such claim. */
static void expect_claim_opt(const char *id, const countermark_claims *claims, const char *name, const char *want) {
    size_t len = 0;
    const uint8_t *v = claim(claims, name, &len);
    char what[256];
    if (want == NULL) {
        snprintf(what, sizeof what, "no claim %s", name);
        CHECK(v == NULL, at(id, what));
        return;
    }
    snprintf(what, sizeof what, "claim %s", name);
    CHECK(v != NULL, at(id, what));
    if (v != NULL) expect_bytes(id, what, v, len, want);
}

/* Checks field `name` of a typed result (as vfield) equals `want`; with `want` NULL, that it has no such field. */
static void expect_field_opt(const char *id, vres *r, const char *name, const char *want) {
    size_t len = 0;
    const uint8_t *v = vfield(r, name, &len);
    char what[256];
    if (want == NULL) {
        snprintf(what, sizeof what, "no field %s", name);
        CHECK(v == NULL, at(id, what));
        return;
    }
    snprintf(what, sizeof what, "field %s", name);
    CHECK(v != NULL, at(id, what));
    if (v != NULL) expect_bytes(id, what, v, len, want);
}

/* Checks an integer field against a JSON integer (or its absence against JSON null / absent). */
static void expect_int_field(const char *id, vres *r, const char *name, const json_t *want) {
    char buf[64];
    if (json_is_integer(want)) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(want));
        expect_field_opt(id, r, name, buf);
    } else {
        expect_field_opt(id, r, name, NULL);
    }
}

/* The serialised form of a component as the case writes it: bare names (`@path`) get quotes. */
static void serialised_component(const char *c, char *buf, size_t cap) {
    if (c[0] == '"') {
        snprintf(buf, cap, "%s", c);
    } else {
        snprintf(buf, cap, "\"%s\"", c);
    }
}

/* Checks the covered components of a result (its items, in order) against the case's covered_components. */
static void expect_components(const char *id, vres *r, const json_t *covered) {
    size_t i;
    CHECK(r->v.n_items == json_array_size(covered), at(id, "one item per covered component"));
    for (i = 0; i < r->v.n_items && i < json_array_size(covered); i++) {
        const char *want = json_string_value(json_array_get(covered, i));
        char ser[512];
        if (want == NULL) {
            fail(id, "covered_components holds a non-string");
            return;
        }
        serialised_component(want, ser, sizeof ser);
        expect_bytes(id, "component item", r->v.items[i].name.data, r->v.items[i].name.len, ser);
        expect_bytes(id, "component item value (empty)", r->v.items[i].value.data, r->v.items[i].value.len, "");
    }
}

/* The countermark_result an error `expect` stands for; *known is 0 for a value no rfc9421 vector should have. */
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
        {"unsupported_algorithm", COUNTERMARK_RESULT_UNSUPPORTED_ALGORITHM},
        {"unknown_key", COUNTERMARK_RESULT_UNKNOWN_KEY},
        /* The core's (and the ffi's) mapping: see the top of this file. */
        {"missing_component", COUNTERMARK_RESULT_MALFORMED},
        {"bad_digest", COUNTERMARK_RESULT_BAD_SIGNATURE},
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

/* ------------------------------------------------------------------------------------------------------------- */
/* Messages. */

/* A request or a response built from a case's `message`. */
typedef struct {
    countermark_request *request;
    countermark_response *response;
} msg;

static void msg_free(msg *m) {
    countermark_request_free(m->request);
    countermark_response_free(m->response);
    m->request = NULL;
    m->response = NULL;
}

/* A header line appended after the message's own (borrowed strings). */
typedef struct {
    const char *name;
    const char *value;
} header;

/* The request of a `message` object (type request), with `extra` header lines appended, body always set. */
static countermark_result build_request(const char *id, const json_t *m, const header *extra, size_t n_extra,
                                        countermark_request **out) {
    const char *method = util_str(m, "method");
    const char *url = util_str(m, "url");
    const char *body = util_str(m, "body");
    const json_t *headers = json_object_get(m, "headers");
    countermark_result rc;
    size_t i;
    *out = NULL;
    if (method == NULL || url == NULL || body == NULL || !json_is_array(headers)) {
        fail(id, "request message lacks method / url / body / headers");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    rc = countermark_request_new((const uint8_t *)method, strlen(method), (const uint8_t *)url, strlen(url), out);
    expect_code(id, "countermark_request_new", rc, COUNTERMARK_RESULT_OK);
    for (i = 0; rc == COUNTERMARK_RESULT_OK && i < json_array_size(headers); i++) {
        const json_t *h = json_array_get(headers, i);
        const char *n = json_string_value(json_array_get(h, 0));
        const char *v = json_string_value(json_array_get(h, 1));
        if (n == NULL || v == NULL) {
            fail(id, "headers are [name, value] string pairs");
            rc = COUNTERMARK_RESULT_NULL_PARAMETER;
            break;
        }
        rc = countermark_request_add_header(*out, (const uint8_t *)n, strlen(n), (const uint8_t *)v, strlen(v));
        expect_code(id, "countermark_request_add_header", rc, COUNTERMARK_RESULT_OK);
    }
    for (i = 0; rc == COUNTERMARK_RESULT_OK && i < n_extra; i++) {
        rc = countermark_request_add_header(*out, (const uint8_t *)extra[i].name, strlen(extra[i].name),
                                            (const uint8_t *)extra[i].value, strlen(extra[i].value));
        expect_code(id, "countermark_request_add_header(extra)", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_request_set_body(*out, (const uint8_t *)body, strlen(body));
        expect_code(id, "countermark_request_set_body", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc != COUNTERMARK_RESULT_OK) {
        countermark_request_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The request or response of a case's `message`, with `extra` header lines appended. */
static countermark_result build_message(const char *id, const json_t *m, const header *extra, size_t n_extra,
                                        msg *out) {
    const char *type = util_str(m, "type");
    countermark_result rc;
    out->request = NULL;
    out->response = NULL;
    if (type == NULL) {
        fail(id, "message has no type");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    if (strcmp(type, "request") == 0) return build_request(id, m, extra, n_extra, &out->request);
    if (strcmp(type, "response") == 0) {
        const json_t *status = json_object_get(m, "status");
        const json_t *headers = json_object_get(m, "headers");
        const char *body = util_str(m, "body");
        countermark_request *req = NULL;
        size_t i;
        if (!json_is_integer(status) || !json_is_array(headers) || body == NULL) {
            fail(id, "response message lacks status / headers / body");
            return COUNTERMARK_RESULT_NULL_PARAMETER;
        }
        rc = countermark_response_new((uint16_t)json_integer_value(status), &out->response);
        expect_code(id, "countermark_response_new", rc, COUNTERMARK_RESULT_OK);
        for (i = 0; rc == COUNTERMARK_RESULT_OK && i < json_array_size(headers); i++) {
            const json_t *h = json_array_get(headers, i);
            const char *n = json_string_value(json_array_get(h, 0));
            const char *v = json_string_value(json_array_get(h, 1));
            if (n == NULL || v == NULL) {
                fail(id, "headers are [name, value] string pairs");
                rc = COUNTERMARK_RESULT_NULL_PARAMETER;
                break;
            }
            rc = countermark_response_add_header(out->response, (const uint8_t *)n, strlen(n), (const uint8_t *)v,
                                                 strlen(v));
            expect_code(id, "countermark_response_add_header", rc, COUNTERMARK_RESULT_OK);
        }
        for (i = 0; rc == COUNTERMARK_RESULT_OK && i < n_extra; i++) {
            rc = countermark_response_add_header(out->response, (const uint8_t *)extra[i].name, strlen(extra[i].name),
                                                 (const uint8_t *)extra[i].value, strlen(extra[i].value));
            expect_code(id, "countermark_response_add_header(extra)", rc, COUNTERMARK_RESULT_OK);
        }
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_response_set_body(out->response, (const uint8_t *)body, strlen(body));
            expect_code(id, "countermark_response_set_body", rc, COUNTERMARK_RESULT_OK);
        }
        if (rc == COUNTERMARK_RESULT_OK) rc = build_request(id, json_object_get(m, "request"), NULL, 0, &req);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_response_set_request(out->response, req);
            expect_code(id, "countermark_response_set_request", rc, COUNTERMARK_RESULT_OK);
        }
        /* The response keeps its own copy. */
        countermark_request_free(req);
        if (rc != COUNTERMARK_RESULT_OK) msg_free(out);
        return rc;
    }
    fail(id, "unknown message type");
    return COUNTERMARK_RESULT_INVALID_PARAMETER;
}

/* ------------------------------------------------------------------------------------------------------------- */
/* Keys. */

static json_t *keys_root;

/* The entry of `keys` named `keyid`, or NULL. */
static const json_t *key_entry(const char *keyid) {
    return json_object_get(json_object_get(keys_root, "keys"), keyid);
}

/* The case's HMAC key (hmac-sha256) from an entry's secret_hex. */
static countermark_result hmac_key(const char *id, const json_t *entry, const countermark_hmac_key **out) {
    const char *hex = util_str(entry, "secret_hex");
    uint8_t *secret;
    size_t n = 0;
    countermark_result rc;
    *out = NULL;
    if (hex == NULL) {
        fail(id, "HMAC key entry lacks secret_hex");
        return COUNTERMARK_RESULT_NULL_PARAMETER;
    }
    secret = util_hex(hex, &n);
    rc = countermark_hmac_key_new((const uint8_t *)"hmac-sha256", 11, secret, n, NULL, 0, out);
    free(secret);
    expect_code(id, "countermark_hmac_key_new(sha256)", rc, COUNTERMARK_RESULT_OK);
    return rc;
}

/* The verifier's key for `keyid`, bound to the verifier's algorithm `alg`: the entry's key when its algorithm is
 * the verifier's, else (a verifier configured for another algorithm) a key of the verifier's algorithm.
 * UNKNOWN_KEY for a keyid the verifier does not know. */
static countermark_result verifying_key(const char *id, const char *keyid, const char *alg,
                                        const countermark_message_verifying_key **out) {
    const json_t *entry = keyid ? key_entry(keyid) : NULL;
    countermark_result rc;
    *out = NULL;
    if (entry == NULL) return COUNTERMARK_RESULT_UNKNOWN_KEY;
    if (util_str(entry, "algorithm") == NULL || strcmp(util_str(entry, "algorithm"), alg) != 0) {
        const char *k;
        json_t *v;
        entry = NULL;
        json_object_foreach(json_object_get(keys_root, "keys"), k, v) {
            const char *a = util_str(v, "algorithm");
            if (a != NULL && strcmp(a, alg) == 0 && util_str(v, "public_pem") != NULL) {
                entry = v;
                break;
            }
        }
        if (entry == NULL) {
            fail(id, "no key of the verifier's algorithm in keys");
            return COUNTERMARK_RESULT_INVALID_PARAMETER;
        }
    }
    if (strcmp(alg, "hmac-sha256") == 0) {
        const countermark_hmac_key *key = NULL;
        rc = hmac_key(id, entry, &key);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_message_verifying_key_new_hmac(key, out);
            expect_code(id, "countermark_message_verifying_key_new_hmac", rc, COUNTERMARK_RESULT_OK);
        }
        countermark_hmac_key_free(key);
    } else {
        const char *pem = util_str(entry, "public_pem");
        const countermark_verifying_key *vk = NULL;
        if (pem == NULL) {
            fail(id, "key entry lacks public_pem");
            return COUNTERMARK_RESULT_NULL_PARAMETER;
        }
        rc = countermark_verifying_key_from_pem((const uint8_t *)pem, strlen(pem), &vk);
        expect_code(id, "countermark_verifying_key_from_pem", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_message_verifying_key_new_public(vk, (const uint8_t *)alg, strlen(alg), out);
            expect_code(id, "countermark_message_verifying_key_new_public", rc, COUNTERMARK_RESULT_OK);
        }
        countermark_verifying_key_free(vk);
    }
    return rc;
}

/* The name of the first key of `keys` with algorithm `alg`, or NULL. */
static const char *first_key_of(const char *alg) {
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(keys_root, "keys"), k, v) {
        const char *a = util_str(v, "algorithm");
        if (a != NULL && strcmp(a, alg) == 0) return k;
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------------------------- */
/* Verifying. */

/* The case's verifier policy: its clock, skew and max age, the case's label, and the body check when asked. */
static countermark_result make_policy(const char *id, const json_t *c, int body_check,
                                      const countermark_message_policy **out) {
    const json_t *v = json_object_get(c, "verifier");
    const json_t *now = json_object_get(v, "now");
    const json_t *skew = json_object_get(v, "max_clock_skew_seconds");
    const json_t *max_age = json_object_get(v, "max_age_seconds");
    const char *label = util_str(c, "label");
    countermark_message_policy_builder *b = NULL;
    const countermark_clock *clock = NULL;
    countermark_result rc;
    *out = NULL;
    if (!json_is_integer(now) || !json_is_integer(skew) || json_integer_value(skew) < 0 ||
        !(json_is_null(max_age) || json_is_integer(max_age)) || label == NULL) {
        fail(id, "verifier lacks now / max_clock_skew_seconds / max_age_seconds, or no label");
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    rc = countermark_clock_new_fixed((int64_t)json_integer_value(now), 0, &clock);
    expect_code(id, "countermark_clock_new_fixed", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_policy_builder_new(&b);
        expect_code(id, "countermark_message_policy_builder_new", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_policy_builder_set_clock(b, clock);
        expect_code(id, "countermark_message_policy_builder_set_clock", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_policy_builder_set_clock_skew(b, (uint64_t)json_integer_value(skew));
        expect_code(id, "countermark_message_policy_builder_set_clock_skew", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = json_is_integer(max_age)
                 ? countermark_message_policy_builder_set_max_age(b, (uint64_t)json_integer_value(max_age))
                 : countermark_message_policy_builder_set_no_max_age(b);
        expect_code(id, "countermark_message_policy_builder_set_(no_)max_age", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_policy_builder_set_label(b, (const uint8_t *)label, strlen(label));
        expect_code(id, "countermark_message_policy_builder_set_label", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_policy_builder_check_content_digest(b, body_check != 0);
        expect_code(id, "countermark_message_policy_builder_check_content_digest", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_policy_builder_build(b, out);
        expect_code(id, "countermark_message_policy_builder_build", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        /* A built builder is consumed. */
        const countermark_message_policy *again = NULL;
        countermark_result r2 = countermark_message_policy_builder_build(b, &again);
        expect_code(id, "countermark_message_policy_builder_build twice", r2, COUNTERMARK_RESULT_BUILDER_CONSUMED);
        CHECK(again == NULL, at(id, "no policy from a consumed builder"));
    }
    countermark_message_policy_builder_free(b);
    countermark_clock_free(clock);
    return rc;
}

static countermark_result msg_parse(const msg *m, const char *label, vres *out) {
    const uint8_t *l = (const uint8_t *)label;
    size_t n = label ? strlen(label) : 0;
    countermark_result rc;
    vres_reset(out);
    rc = m->request ? countermark_message_signature_parse(m->request, l, n, VOUT(out))
                    : countermark_message_signature_parse_response(m->response, l, n, VOUT(out));
    CHECK(rc != COUNTERMARK_RESULT_OK || (out->v.scheme == COUNTERMARK_SCHEME_MESSAGE_SIGNATURE && !out->v.verified),
          at(m->request ? "parse" : "parse_response", "a claimed RFC 9421 result"));
    return rc;
}

static countermark_result msg_verify(const msg *m, const countermark_message_verifying_key *key,
                                     const countermark_message_policy *policy, vres *out) {
    countermark_result rc;
    vres_reset(out);
    rc = m->request ? countermark_message_signature_verify(m->request, key, policy, VOUT(out))
                    : countermark_message_signature_verify_response(m->response, key, policy, VOUT(out));
    return rc;
}

/* Parses and verifies the message's signature labelled as the case says, looking the key up by keyid, under a
 * fresh policy (so a nonce is new to it). Returns the outcome; *verified gets the claims on success (caller frees).
 * `body_check` < 0 takes the case's body_check. */
static countermark_result verify_message(const char *id, const json_t *c, const msg *m, int body_check,
                                         vres *verified) {
    const char *alg = util_str(json_object_get(c, "verifier"), "algorithm");
    const countermark_message_policy *policy = NULL;
    const countermark_message_verifying_key *key = NULL;
    static vres parsed;
    char *keyid = NULL;
    countermark_result rc;
    vres_reset(verified);
    if (alg == NULL) {
        fail(id, "verifier.algorithm missing");
        return COUNTERMARK_RESULT_INVALID_PARAMETER;
    }
    if (body_check < 0) body_check = json_is_true(json_object_get(c, "body_check"));
    rc = make_policy(id, c, body_check, &policy);
    if (rc != COUNTERMARK_RESULT_OK) return rc;
    rc = msg_parse(m, util_str(c, "label"), &parsed);
    CHECK((rc == COUNTERMARK_RESULT_OK) == (parsed.v.scheme == COUNTERMARK_SCHEME_MESSAGE_SIGNATURE),
          at(id, "message_signature_parse writes its result only on success"));
    if (rc != COUNTERMARK_RESULT_OK) {
        /* Phase two refuses the message the same way, whatever the key. */
        countermark_result rv = verifying_key(id, first_key_of(alg), alg, &key);
        if (rv == COUNTERMARK_RESULT_OK) {
            rv = msg_verify(m, key, policy, verified);
            expect_code(id, "countermark_message_signature_verify after a failed parse", rv, rc);
            vres_reset(verified);
        } else {
            fail(id, "no key of the verifier's algorithm for phase two");
        }
        countermark_message_verifying_key_free(key);
        countermark_message_policy_free(policy);
        return rc;
    }
    keyid = vset(parsed.v.key_id) ? vdup(parsed.v.key_id) : NULL;
    rc = verifying_key(id, keyid, alg, &key);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = msg_verify(m, key, policy, verified);
        CHECK((rc == COUNTERMARK_RESULT_OK) == (verified->v.scheme == COUNTERMARK_SCHEME_MESSAGE_SIGNATURE),
              at(id, "message_signature_verify writes its result only on success"));
        if (rc == COUNTERMARK_RESULT_OK) {
            CHECK(verified->v.verified, at(id, "verify: verified"));
            expect_field_opt(id, verified, "label", util_str(c, "label"));
            expect_field_opt(id, verified, "algorithm", alg);
            expect_field_opt(id, verified, "keyid", keyid);
            if (!body_check) expect_field_opt(id, verified, "body_checked", "false");
        }
    }
    free(keyid);
    countermark_message_verifying_key_free(key);
    countermark_message_policy_free(policy);
    return rc;
}

/* ------------------------------------------------------------------------------------------------------------- */
/* Signing. */

/* The claims of signing the case's message with its key, components and parameters (NULL on failure, which is
 * reported). Checks the base, the parameters, Signature-Input, the label, and the signature when deterministic. */
static countermark_claims *sign_case(const char *id, const json_t *c) {
    const char *key_id = util_str(c, "key_id");
    const char *alg = util_str(c, "algorithm");
    const char *label = util_str(c, "label");
    const json_t *entry = key_id ? key_entry(key_id) : NULL;
    const json_t *params = json_object_get(c, "params");
    const json_t *covered = json_object_get(c, "covered_components");
    const json_t *created = json_object_get(params, "created");
    const json_t *expires = json_object_get(params, "expires");
    const char *nonce = util_str(params, "nonce");
    const char *tag = util_str(params, "tag");
    const char *alg_param = util_str(params, "alg");
    const json_t *deterministic = json_object_get(c, "deterministic");
    countermark_message_signer_builder *b = NULL;
    const countermark_message_signer *signer = NULL;
    const countermark_hmac_key *hkey = NULL;
    const countermark_signing_key *skey = NULL;
    countermark_str comps[MAX_COMPONENTS];
    countermark_claims *out = NULL;
    msg m = {NULL, NULL};
    size_t n = 0, i;
    countermark_result rc;
    if (key_id == NULL || alg == NULL || label == NULL || entry == NULL || !json_is_object(params) ||
        !json_is_array(covered) || json_array_size(covered) > MAX_COMPONENTS || !json_is_integer(created) ||
        !json_is_boolean(deterministic)) {
        fail(id, "sign inputs missing (a known key_id, algorithm, label, params.created, covered_components, "
                 "deterministic)");
        return NULL;
    }
    for (i = 0; i < json_array_size(covered); i++) {
        const char *s = json_string_value(json_array_get(covered, i));
        if (s == NULL) {
            fail(id, "covered_components are strings");
            return NULL;
        }
        comps[n].data = (const uint8_t *)s;
        comps[n].len = strlen(s);
        n++;
    }
    if (strcmp(alg, "hmac-sha256") == 0) {
        rc = hmac_key(id, entry, &hkey);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_message_signer_builder_new_hmac(hkey, &b);
            expect_code(id, "countermark_message_signer_builder_new_hmac", rc, COUNTERMARK_RESULT_OK);
        }
    } else {
        const char *pem = util_str(entry, "private_pem");
        if (pem == NULL) {
            fail(id, "key entry lacks private_pem");
            return NULL;
        }
        rc = countermark_signing_key_from_pem((const uint8_t *)pem, strlen(pem), &skey);
        expect_code(id, "countermark_signing_key_from_pem", rc, COUNTERMARK_RESULT_OK);
        if (rc == COUNTERMARK_RESULT_OK) {
            rc = countermark_message_signer_builder_new_asymmetric(skey, (const uint8_t *)alg, strlen(alg), &b);
            expect_code(id, "countermark_message_signer_builder_new_asymmetric", rc, COUNTERMARK_RESULT_OK);
        }
    }
    /* The builder keeps its own key reference. */
    countermark_hmac_key_free(hkey);
    countermark_signing_key_free(skey);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_signer_builder_set_label(b, (const uint8_t *)label, strlen(label));
        expect_code(id, "countermark_message_signer_builder_set_label", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_signer_builder_set_key_id(b, (const uint8_t *)key_id, strlen(key_id));
        expect_code(id, "countermark_message_signer_builder_set_key_id", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_signer_builder_set_components(b, n ? comps : NULL, n);
        expect_code(id, "countermark_message_signer_builder_set_components", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_signer_builder_set_created(b, (int64_t)json_integer_value(created));
        expect_code(id, "countermark_message_signer_builder_set_created", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && json_is_integer(expires)) {
        rc = countermark_message_signer_builder_set_expires(b, (int64_t)json_integer_value(expires));
        expect_code(id, "countermark_message_signer_builder_set_expires", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && nonce != NULL) {
        rc = countermark_message_signer_builder_set_nonce(b, (const uint8_t *)nonce, strlen(nonce));
        expect_code(id, "countermark_message_signer_builder_set_nonce", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && tag != NULL) {
        rc = countermark_message_signer_builder_set_tag(b, (const uint8_t *)tag, strlen(tag));
        expect_code(id, "countermark_message_signer_builder_set_tag", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK && alg_param != NULL) {
        CHECK(strcmp(alg_param, alg) == 0, at(id, "params.alg is the case's algorithm"));
        rc = countermark_message_signer_builder_include_alg(b, true);
        expect_code(id, "countermark_message_signer_builder_include_alg", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = countermark_message_signer_builder_build(b, &signer);
        expect_code(id, "countermark_message_signer_builder_build", rc, COUNTERMARK_RESULT_OK);
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        countermark_result r2 = countermark_message_signer_builder_set_tag(b, (const uint8_t *)"x", 1);
        expect_code(id, "a setter on a consumed signer builder", r2, COUNTERMARK_RESULT_BUILDER_CONSUMED);
    }
    countermark_message_signer_builder_free(b);
    if (rc == COUNTERMARK_RESULT_OK) rc = build_message(id, json_object_get(c, "message"), NULL, 0, &m);
    if (rc == COUNTERMARK_RESULT_OK) {
        rc = m.request ? countermark_message_signer_sign_request(signer, m.request, &out)
                       : countermark_message_signer_sign_response(signer, m.response, &out);
        expect_code(id, "countermark_message_signer_sign_*", rc, COUNTERMARK_RESULT_OK);
        CHECK((rc == COUNTERMARK_RESULT_OK) == (out != NULL), at(id, "sign writes claims only on success"));
    }
    if (rc == COUNTERMARK_RESULT_OK) {
        size_t len = 0;
        const uint8_t *sig;
        expect_claim_opt(id, out, "signature_base", util_str(c, "signature_base"));
        expect_claim_opt(id, out, "signature_params", util_str(c, "signature_params"));
        expect_claim_opt(id, out, "Signature-Input", util_str(c, "signature_input"));
        expect_claim_opt(id, out, "label", label);
        sig = claim(out, "Signature", &len);
        CHECK(sig != NULL, at(id, "claim Signature"));
        if (sig != NULL && util_str(c, "signature_header") != NULL) {
            const char *want = util_str(c, "signature_header");
            int same = len == strlen(want) && memcmp(sig, want, len) == 0;
            if (json_is_true(deterministic)) {
                expect_bytes(id, "deterministic Signature", sig, len, want);
            } else {
                CHECK(!same, at(id, "a randomised signature differs from the published one"));
            }
        } else {
            fail(id, "signature_header missing");
        }
    }
    msg_free(&m);
    countermark_message_signer_free(signer);
    if (rc != COUNTERMARK_RESULT_OK) {
        countermark_claims_free(out);
        out = NULL;
    }
    return out;
}

/* A copy of `header` (`label=:base64:`) with one bit of the decoded signature flipped (malloc'd), or NULL. */
static char *flip_signature_bit(const char *h) {
    const char *eq = strchr(h, '=');
    const char *start;
    const char *end;
    uint8_t *sig;
    size_t n = 0;
    char *b64;
    char *out;
    size_t cap;
    if (eq == NULL || eq[1] != ':') return NULL;
    start = eq + 2;
    end = strchr(start, ':');
    if (end == NULL) return NULL;
    sig = util_b64_decode(start, (size_t)(end - start), &n);
    if (sig == NULL || n == 0) {
        free(sig);
        return NULL;
    }
    sig[0] ^= 1;
    b64 = util_b64_encode(sig, n);
    free(sig);
    cap = (size_t)(eq - h) + strlen(b64) + 4;
    out = malloc(cap);
    if (out == NULL) exit(2);
    snprintf(out, cap, "%.*s=:%s:", (int)(eq - h), h, b64);
    free(b64);
    return out;
}

/* Checks the verified claims of a signature the case describes. */
static void check_verified(const char *id, const json_t *c, vres *v) {
    const json_t *params = json_object_get(c, "params");
    expect_field_opt(id, v, "label", util_str(c, "label"));
    expect_field_opt(id, v, "keyid", util_str(c, "key_id"));
    expect_field_opt(id, v, "algorithm", util_str(json_object_get(c, "verifier"), "algorithm"));
    expect_int_field(id, v, "created", json_object_get(params, "created"));
    expect_int_field(id, v, "expires", json_object_get(params, "expires"));
    expect_field_opt(id, v, "nonce", util_str(params, "nonce"));
    expect_field_opt(id, v, "tag", util_str(params, "tag"));
    expect_components(id, v, json_object_get(c, "covered_components"));
}

/* Checks the parsed (unverified) claims of a signature the case describes, including the alg parameter. */
static void check_parsed(const char *id, const json_t *c, const msg *m) {
    const json_t *params = json_object_get(c, "params");
    static vres p;
    countermark_result rc = msg_parse(m, util_str(c, "label"), &p);
    expect_code(id, "countermark_message_signature_parse", rc, COUNTERMARK_RESULT_OK);
    if (rc != COUNTERMARK_RESULT_OK) return;
    expect_field_opt(id, &p, "label", util_str(c, "label"));
    expect_field_opt(id, &p, "keyid", util_str(c, "key_id"));
    expect_field_opt(id, &p, "alg", util_str(params, "alg"));
    expect_int_field(id, &p, "created", json_object_get(params, "created"));
    expect_int_field(id, &p, "expires", json_object_get(params, "expires"));
    expect_field_opt(id, &p, "nonce", util_str(params, "nonce"));
    expect_field_opt(id, &p, "tag", util_str(params, "tag"));
    expect_components(id, &p, json_object_get(c, "covered_components"));
}

static int drive_sign(const char *id, const json_t *c) {
    countermark_claims *signed_claims;
    char *ours;
    const char *published = util_str(c, "signature_header");
    const char *sigs[2];
    size_t i;
    if (strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        fail(id, "sign case with an expect other than valid");
        return 0;
    }
    signed_claims = sign_case(id, c);
    if (signed_claims == NULL) return 0;
    ours = claim_dup(signed_claims, "Signature");
    sigs[0] = ours;
    sigs[1] = published;
    /* Our own signature verifies, and so does the published one. */
    for (i = 0; i < 2; i++) {
        header extra[2];
        msg m = {NULL, NULL};
        static vres v;
        countermark_result rc;
        if (sigs[i] == NULL) {
            fail(id, "no signature to verify");
            continue;
        }
        extra[0].name = "Signature-Input";
        extra[0].value = util_str(c, "signature_input");
        extra[1].name = "Signature";
        extra[1].value = sigs[i];
        if (extra[0].value == NULL) {
            fail(id, "signature_input missing");
            continue;
        }
        rc = build_message(id, json_object_get(c, "message"), extra, 2, &m);
        if (rc == COUNTERMARK_RESULT_OK) {
            check_parsed(id, c, &m);
            rc = verify_message(id, c, &m, -1, &v);
            expect_code(id, i == 0 ? "verify our signature" : "verify the published signature", rc,
                        COUNTERMARK_RESULT_OK);
            if (rc == COUNTERMARK_RESULT_OK) {
                check_verified(id, c, &v);
                expect_field_opt(id, &v, "body_checked", "false");
            }
        }
        msg_free(&m);
    }
    free(ours);
    countermark_claims_free(signed_claims);
    return 1;
}

static int drive_verify(const char *id, const json_t *c) {
    const char *input = util_str(c, "signature_input");
    const char *signature = util_str(c, "signature_header");
    const char *expect = util_str(c, "expect");
    header extra[2];
    msg m = {NULL, NULL};
    static vres v;
    countermark_result rc, want;
    int known = 0;
    if (input == NULL || signature == NULL || expect == NULL || util_str(c, "label") == NULL) {
        fail(id, "verify case lacks signature_input / signature_header / expect / label");
        return 0;
    }
    want = expected_code(expect, &known);
    if (!known) {
        fprintf(stderr, "%s: unexpected expect value %s\n", id, expect);
        fail(id, "unknown expect value");
        return 0;
    }
    if (json_object_get(c, "covered_components") != NULL) {
        /* The published examples: reproduce the base and Signature-Input, and check a fresh signature verifies. */
        countermark_claims *signed_claims = sign_case(id, c);
        if (signed_claims != NULL) {
            char *sig = claim_dup(signed_claims, "Signature");
            char *sin = claim_dup(signed_claims, "Signature-Input");
            if (sig != NULL && sin != NULL) {
                static vres fresh;
                extra[0].name = "Signature-Input";
                extra[0].value = sin;
                extra[1].name = "Signature";
                extra[1].value = sig;
                rc = build_message(id, json_object_get(c, "message"), extra, 2, &m);
                if (rc == COUNTERMARK_RESULT_OK) {
                    rc = verify_message(id, c, &m, -1, &fresh);
                    expect_code(id, "verify a fresh signature", rc, COUNTERMARK_RESULT_OK);
                    if (rc == COUNTERMARK_RESULT_OK) check_verified(id, c, &fresh);
                }
                msg_free(&m);
            } else {
                fail(id, "sign claims lack Signature / Signature-Input");
            }
            free(sig);
            free(sin);
            countermark_claims_free(signed_claims);
        }
    }
    extra[0].name = "Signature-Input";
    extra[0].value = input;
    extra[1].name = "Signature";
    extra[1].value = signature;
    rc = build_message(id, json_object_get(c, "message"), extra, 2, &m);
    if (rc != COUNTERMARK_RESULT_OK) return 0;
    if (util_str(c, "signature_base") != NULL) check_parsed(id, c, &m);
    rc = verify_message(id, c, &m, -1, &v);
    expect_code(id, "verify the case's signature", rc, want);
    if (strcmp(expect, "valid") == 0) {
        if (rc == COUNTERMARK_RESULT_OK && json_object_get(c, "covered_components") != NULL) check_verified(id, c, &v);
        /* Its negative twin: one flipped bit of the signature is refused. */
        {
            char *flipped = flip_signature_bit(signature);
            msg m2 = {NULL, NULL};
            static vres v2;
            if (flipped == NULL) {
                fail(id, "signature_header is not label=:base64:");
            } else {
                extra[1].value = flipped;
                if (build_message(id, json_object_get(c, "message"), extra, 2, &m2) == COUNTERMARK_RESULT_OK) {
                    countermark_result r2 = verify_message(id, c, &m2, -1, &v2);
                    expect_code(id, "verify with one signature bit flipped", r2, COUNTERMARK_RESULT_BAD_SIGNATURE);
                }
                msg_free(&m2);
                free(flipped);
            }
        }
    } else if (strcmp(expect, "bad_digest") == 0) {
        /* The headers themselves verify: only the body check fails. */
        static vres v2;
        countermark_result r2 = verify_message(id, c, &m, 0, &v2);
        expect_code(id, "verify without the body check", r2, COUNTERMARK_RESULT_OK);
        if (r2 == COUNTERMARK_RESULT_OK) expect_field_opt(id, &v2, "body_checked", "false");
    }
    msg_free(&m);
    return 1;
}

static int drive_content_digest(const char *id, const json_t *c) {
    const char *alg = util_str(c, "algorithm");
    const char *body = util_str(c, "body");
    const char *want = util_str(c, "content_digest");
    const json_t *body_length = json_object_get(c, "body_length");
    countermark_bytes value = {NULL, 0};
    countermark_result rc;
    if (alg == NULL || body == NULL || want == NULL || !json_is_integer(body_length)) {
        fail(id, "content_digest case lacks algorithm / body / content_digest / body_length");
        return 0;
    }
    if (strcmp(util_str(c, "expect") ? util_str(c, "expect") : "", "valid") != 0) {
        fail(id, "content_digest case with an expect other than valid");
        return 0;
    }
    CHECK((json_int_t)strlen(body) == json_integer_value(body_length), at(id, "body_length"));
    rc = countermark_content_digest((const uint8_t *)body, strlen(body), (const uint8_t *)alg, strlen(alg), &value);
    expect_code(id, "countermark_content_digest", rc, COUNTERMARK_RESULT_OK);
    if (rc == COUNTERMARK_RESULT_OK) {
        expect_bytes(id, "Content-Digest value", value.data, value.len, want);
        rc = countermark_content_digest_verify(value.data, value.len, (const uint8_t *)body, strlen(body));
        expect_code(id, "countermark_content_digest_verify(own value)", rc, COUNTERMARK_RESULT_OK);
    }
    rc = countermark_content_digest_verify((const uint8_t *)want, strlen(want), (const uint8_t *)body, strlen(body));
    expect_code(id, "countermark_content_digest_verify", rc, COUNTERMARK_RESULT_OK);
    {
        size_t n = strlen(body);
        char *altered = malloc(n + 2);
        if (altered == NULL) exit(2);
        memcpy(altered, body, n);
        altered[n] = ' ';
        altered[n + 1] = '\0';
        rc = countermark_content_digest_verify((const uint8_t *)want, strlen(want), (const uint8_t *)altered, n + 1);
        expect_code(id, "countermark_content_digest_verify(altered body)", rc, COUNTERMARK_RESULT_BAD_SIGNATURE);
        free(altered);
    }
    countermark_bytes_free(&value);
    return 1;
}

static const util_op OPS[] = {
    {"sign", drive_sign},
    {"verify", drive_verify},
    {"content_digest", drive_content_digest},
};

int main(void) {
    keys_root = util_root("rfc9421.json");
    if (!json_is_object(json_object_get(keys_root, "keys"))) {
        CHECK(0, "rfc9421.json has keys");
        return util_finish("rfc9421");
    }
    util_run_cases("rfc9421", "rfc9421.json", OPS, sizeof OPS / sizeof OPS[0], RFC9421_EXPECTED_CASES);
    return util_finish("rfc9421");
}
