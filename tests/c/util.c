#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *roots[16];
static size_t n_roots;
static unsigned long checks, failures;

json_t *util_root(const char *file) {
    const char *dir = getenv("COUNTERMARK_VECTORS");
    char path[4096];
    json_error_t err;
    json_t *root;
    if (dir == NULL) {
        dir = "../shared/vectors";
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    root = json_load_file(path, 0, &err);
    if (root == NULL) {
        fprintf(stderr, "cannot read %s: %s (line %d)\n", path, err.text, err.line);
        exit(2);
    }
    if (n_roots == sizeof roots / sizeof roots[0]) {
        fprintf(stderr, "util_root: too many vector files loaded\n");
        exit(2);
    }
    roots[n_roots++] = root;
    return root;
}

json_t *util_cases(const char *file) {
    json_t *cases = json_object_get(util_root(file), "cases");
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        fprintf(stderr, "%s has no cases\n", file);
        exit(2);
    }
    return cases;
}

const char *util_str(const json_t *obj, const char *key) {
    return json_string_value(json_object_get(obj, key));
}

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

uint8_t *util_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex);
    size_t i;
    uint8_t *out;
    if (n % 2 != 0) {
        fprintf(stderr, "odd hex length\n");
        exit(2);
    }
    out = malloc(n / 2 + 1);
    if (out == NULL) exit(2);
    for (i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]);
        int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fprintf(stderr, "bad hex\n");
            exit(2);
        }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    *len = n / 2;
    return out;
}

void util_check(int ok, const char *where, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAILED %s: %s\n", where, what);
    }
}

int util_finish(const char *suite) {
    size_t i;
    for (i = 0; i < n_roots; i++) {
        json_decref(roots[i]);
    }
    printf("%s: %lu checks, %lu failed\n", suite, checks, failures);
    return failures == 0 && checks > 0 ? 0 : 1;
}

static char where_buf[1024];

const char *at(const char *id, const char *what) {
    snprintf(where_buf, sizeof where_buf, "%s: %s", id ? id : "?", what);
    return where_buf;
}

void expect_code(const char *id, const char *what, countermark_result got, countermark_result want) {
    char msg[512];
    if (got != want) {
        fprintf(stderr, "%s: %s: got %s (%u), want %s (%u)\n", id, what, countermark_result_name(got),
                (unsigned)got, countermark_result_name(want), (unsigned)want);
    }
    snprintf(msg, sizeof msg, "%s returns %s", what, countermark_result_name(want));
    util_check(got == want, at(id, msg), "result code");
}

void expect_bytes(const char *id, const char *what, const uint8_t *data, size_t len, const char *want) {
    int ok = want != NULL && len == strlen(want) && (len == 0 || memcmp(data, want, len) == 0);
    if (!ok) {
        fprintf(stderr, "%s: %s:\n  got  \"%.*s\"\n  want \"%s\"\n", id, what, (int)len,
                data ? (const char *)data : "", want ? want : "(null)");
    }
    util_check(ok, at(id, what), "bytes equal");
}

void fail(const char *id, const char *what) { util_check(0, at(id, what), "driven"); }

void vres_reset(vres *r) {
    memset(r, 0, sizeof *r);
}

int vset(countermark_str s) {
    return s.len > 0 && s.data != NULL;
}

char *vdup(countermark_str s) {
    char *out = malloc(s.len + 1);
    if (out == NULL) abort();
    if (s.len > 0) memcpy(out, s.data, s.len);
    out[s.len] = '\0';
    return out;
}

void expect_str(const char *id, const char *what, countermark_str got, const char *want) {
    if (want == NULL) {
        fail(id, what);
        return;
    }
    expect_bytes(id, what, got.data, got.len, want);
}

static int is(const char *name, const char *a, const char *b, const char *c, const char *d, const char *e) {
    return strcmp(name, a) == 0 || (b && strcmp(name, b) == 0) || (c && strcmp(name, c) == 0) ||
           (d && strcmp(name, d) == 0) || (e && strcmp(name, e) == 0);
}

static const uint8_t *str_field(countermark_str s, size_t *len) {
    if (s.data == NULL) return NULL;
    *len = s.len;
    return s.data;
}

const uint8_t *vfield(vres *r, const char *name, size_t *len) {
    const countermark_verified *v = &r->v;
    *len = 0;
    if (v->scheme == COUNTERMARK_SCHEME_NONE) return NULL;
    if (is(name, "key_id", "key", "api_key", "keyid", "kid")) return str_field(v->key_id, len);
    if (is(name, "user", "username", "auth_user", NULL, NULL)) return str_field(v->user, len);
    if (is(name, "algorithm", "alg", NULL, NULL, NULL)) return str_field(v->algorithm, len);
    if (is(name, "nonce", NULL, NULL, NULL, NULL)) return str_field(v->nonce, len);
    if (is(name, "label", NULL, NULL, NULL, NULL)) return str_field(v->label, len);
    if (is(name, "tag", NULL, NULL, NULL, NULL)) return str_field(v->tag, len);
    if (is(name, "token", NULL, NULL, NULL, NULL)) return str_field(v->token, len);
    if (is(name, "component", NULL, NULL, NULL, NULL)) {
        return v->n_items > 0 ? str_field(v->items[0].name, len) : NULL;
    }
    if (is(name, "created", "signed_at", "timestamp", NULL, NULL)) {
        if (!v->has_created) return NULL;
        snprintf(r->num, sizeof r->num, "%lld", (long long)v->created);
    } else if (is(name, "expires", NULL, NULL, NULL, NULL)) {
        if (!v->has_expires) return NULL;
        snprintf(r->num, sizeof r->num, "%lld", (long long)v->expires);
    } else if (is(name, "time", NULL, NULL, NULL, NULL)) {
        if (v->scheme != COUNTERMARK_SCHEME_JWT) return NULL;
        if (v->time == (double)(long long)v->time) {
            snprintf(r->num, sizeof r->num, "%lld", (long long)v->time);
        } else {
            snprintf(r->num, sizeof r->num, "%.17g", v->time);
        }
    } else if (is(name, "key_index", NULL, NULL, NULL, NULL)) {
        if (v->scheme != COUNTERMARK_SCHEME_JWT || !v->verified) return NULL;
        snprintf(r->num, sizeof r->num, "%zu", v->key_index);
    } else if (is(name, "body_checked", NULL, NULL, NULL, NULL)) {
        if (v->scheme != COUNTERMARK_SCHEME_MESSAGE_SIGNATURE || !v->verified) return NULL;
        snprintf(r->num, sizeof r->num, "%s", v->body_checked ? "true" : "false");
    } else {
        return NULL;
    }
    *len = strlen(r->num);
    return (const uint8_t *)r->num;
}

void expect_field(const char *id, vres *r, const char *name, const char *want) {
    size_t len = 0;
    const uint8_t *got = vfield(r, name, &len);
    char what[160];
    snprintf(what, sizeof what, "field %s", name);
    if (got == NULL || want == NULL) {
        fail(id, what);
        return;
    }
    expect_bytes(id, what, got, len, want);
}

char *field_dup(vres *r, const char *name) {
    size_t len = 0;
    const uint8_t *v = vfield(r, name, &len);
    char *out;
    if (v == NULL) return NULL;
    out = malloc(len + 1);
    if (out == NULL) abort();
    if (len > 0) memcpy(out, v, len);
    out[len] = '\0';
    return out;
}

const uint8_t *claim(const countermark_claims *claims, const char *name, size_t *len) {
    countermark_str v = {NULL, 0};
    if (countermark_claims_get(claims, (const uint8_t *)name, strlen(name), &v) != COUNTERMARK_RESULT_OK) {
        *len = 0;
        return NULL;
    }
    *len = v.len;
    return v.data != NULL ? v.data : (const uint8_t *)"";
}

char *claim_dup(const countermark_claims *claims, const char *name) {
    size_t len = 0;
    const uint8_t *v = claim(claims, name, &len);
    char *s;
    if (v == NULL) return NULL;
    s = malloc(len + 1);
    if (s == NULL) exit(2);
    if (len) memcpy(s, v, len);
    s[len] = '\0';
    return s;
}

void expect_claim(const char *id, const countermark_claims *claims, const char *name, const char *want) {
    size_t len = 0;
    const uint8_t *v = claim(claims, name, &len);
    char what[256];
    snprintf(what, sizeof what, "claim %s", name);
    CHECK(v != NULL, at(id, what));
    if (v != NULL) expect_bytes(id, what, v, len, want);
}

char *util_b64_encode(const uint8_t *in, size_t n) {
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}


uint8_t *util_b64_decode(const char *in, size_t n, size_t *len) {
    size_t i, o = 0;
    uint8_t *out;
    if (n % 4 != 0) return NULL;
    out = malloc(n / 4 * 3 + 1);
    if (out == NULL) exit(2);
    for (i = 0; i < n; i += 4) {
        int v[4];
        int k;
        for (k = 0; k < 4; k++) {
            char c = in[i + (size_t)k];
            if (c >= 'A' && c <= 'Z') v[k] = c - 'A';
            else if (c >= 'a' && c <= 'z') v[k] = c - 'a' + 26;
            else if (c >= '0' && c <= '9') v[k] = c - '0' + 52;
            else if (c == '+') v[k] = 62;
            else if (c == '/') v[k] = 63;
            else if (c == '=' && i + 4 == n && k >= 2) v[k] = -1;
            else {
                free(out);
                return NULL;
            }
        }
        if (v[2] < 0 && v[3] >= 0) {
            free(out);
            return NULL;
        }
        out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
        if (v[2] >= 0) out[o++] = (uint8_t)(((v[1] & 15) << 4) | (v[2] >> 2));
        if (v[3] >= 0) out[o++] = (uint8_t)(((v[2] & 3) << 6) | v[3]);
    }
    *len = o;
    return out;
}


size_t util_run_cases(const char *suite, const char *file, const util_op *ops, size_t n_ops, size_t expected) {
    json_t *cases = util_cases(file);
    size_t total = json_array_size(cases);
    size_t driven = 0;
    size_t i, k;
    char msg[128];
    for (i = 0; i < total; i++) {
        const json_t *c = json_array_get(cases, i);
        const char *id = util_str(c, "id");
        const char *op = util_str(c, "op");
        int ran = 0;
        if (id == NULL) id = "(case without id)";
        for (k = 0; op != NULL && k < n_ops; k++) {
            if (strcmp(op, ops[k].op) == 0) {
                ran = ops[k].drive(id, c);
                break;
            }
        }
        if (ran) {
            driven++;
        } else {
            fprintf(stderr, "%s: case not driven (op \"%s\")\n", id, op ? op : "(null)");
            util_check(0, at(id, "case not driven"), "driven");
        }
    }
    printf("%s: %zu of %zu cases driven\n", suite, driven, total);
    snprintf(msg, sizeof msg, "%s: every case driven", suite);
    util_check(driven == total, msg, "driven == total");
    snprintf(msg, sizeof msg, "%s holds %zu cases", file, expected);
    util_check(total == expected, msg, "the file's case count");
    return driven;
}
