#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *roots[16];
static size_t n_roots;
static unsigned long checks, failures;

json_t *util_cases(const char *file) {
    const char *dir = getenv("COUNTERMARK_VECTORS");
    char path[4096];
    json_error_t err;
    json_t *root;
    json_t *cases;
    if (dir == NULL) {
        dir = "../shared/vectors";
    }
    snprintf(path, sizeof path, "%s/%s", dir, file);
    root = json_load_file(path, 0, &err);
    if (root == NULL) {
        fprintf(stderr, "cannot read %s: %s (line %d)\n", path, err.text, err.line);
        exit(2);
    }
    if (n_roots < sizeof roots / sizeof roots[0]) {
        roots[n_roots++] = root;
    }
    cases = json_object_get(root, "cases");
    if (!json_is_array(cases) || json_array_size(cases) == 0) {
        fprintf(stderr, "%s has no cases\n", path);
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
