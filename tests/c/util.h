/* Shared helpers of the C tests: reading ../shared/vectors and counting checks. */
#ifndef COUNTERMARK_TEST_UTIL_H
#define COUNTERMARK_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "countermark.h"

/* Loads $COUNTERMARK_VECTORS/<file> and returns its root object (kept alive until util_finish; do not free it). */
json_t *util_root(const char *file);

/* Loads $COUNTERMARK_VECTORS/<file> and returns its `cases` array (the root is kept alive until util_finish). */
json_t *util_cases(const char *file);

/* The string member `key` of `obj`, or NULL. */
const char *util_str(const json_t *obj, const char *key);

/* Decodes lower- or upper-case hex into a new malloc'd buffer; *len gets its length. Aborts on bad input. */
uint8_t *util_hex(const char *hex, size_t *len);

/* Records one check; prints the message when it failed. */
void util_check(int ok, const char *where, const char *what);

/* Frees the loaded vectors, prints the counts and returns the process exit status. */
int util_finish(const char *suite);

/* "<case id>: <what>" for CHECK messages (valid until the next call). */
const char *at(const char *id, const char *what);

/* Checks that `got` is `want`, naming both codes when it is not. */
void expect_code(const char *id, const char *what, countermark_result got, countermark_result want);

/* Checks that a byte string equals a NUL-terminated text. */
void expect_bytes(const char *id, const char *what, const uint8_t *data, size_t len, const char *want);

/* Records a failed check naming the case: for a case (or part of one) that cannot be driven. */
void fail(const char *id, const char *what);

/* The value of the first claim called `name`, or NULL (a view: not NUL-terminated, length in *len). */
const uint8_t *claim(const countermark_claims *claims, const char *name, size_t *len);

/* Copies claim `name` into a new NUL-terminated string (malloc'd), or NULL when absent. */
char *claim_dup(const countermark_claims *claims, const char *name);

/* Checks claim `name` equals `want` (a NULL `want` is a failure: the vector lacks the expected value). */
void expect_claim(const char *id, const countermark_claims *claims, const char *name, const char *want);

/* A typed result and the buffer its text lives in. `v.scheme` stays COUNTERMARK_SCHEME_NONE until a call succeeds
 * (outputs are written only on success). Pass it to a parse/verify call as VOUT(&r). */
typedef struct {
    countermark_verified v;
    uint8_t buf[COUNTERMARK_VERIFIED_BUF_LEN];
    size_t n;
    char num[48];
} vres;
#define VOUT(r) &(r)->v, (r)->buf, sizeof (r)->buf, &(r)->n

/* Empties a result (scheme NONE, no text). */
void vres_reset(vres *r);

/* True when a text of a result is set (non-empty). */
int vset(countermark_str s);

/* Copies a text of a result into a new NUL-terminated string (malloc'd). */
char *vdup(countermark_str s);

/* Checks that a text of a result equals `want` (a NULL `want` is a failure: the vector lacks the expected value). */
void expect_str(const char *id, const char *what, countermark_str got, const char *want);

/* A field of a typed result by the name the vectors use for it, as text: `key_id` (also `key`, `api_key`, `keyid`,
 * `kid`), `user` (also `username`, `auth_user`), `algorithm` (also `alg`), `nonce`, `label`, `tag`, `token`,
 * `created` (also `signed_at`, `timestamp`; decimal Unix seconds), `expires`, `time` (JWT: whole seconds without a
 * fraction, else %.17g), `key_index`, `body_checked` (`true`/`false`), `component` (the first item's name). NULL
 * when the result does not have it. The text is a view into the result or into a buffer of `r` (until the next
 * call with it). */
const uint8_t *vfield(vres *r, const char *name, size_t *len);

/* Checks field `name` (as vfield) equals `want` (a NULL `want` is a failure). */
void expect_field(const char *id, vres *r, const char *name, const char *want);

/* Copies field `name` (as vfield) into a new NUL-terminated string (malloc'd), or NULL when absent. */
char *field_dup(vres *r, const char *name);

/* Standard padded base64 of `n` bytes (malloc'd, NUL-terminated). */
char *util_b64_encode(const uint8_t *in, size_t n);

/* Decodes `n` characters of standard padded base64 into a new malloc'd buffer (*len bytes), or NULL when the text
 * is not valid base64. */
uint8_t *util_b64_decode(const char *in, size_t n, size_t *len);

/* One `op` of a vector file and the function that drives a case of it (1 when the case was driven). */
typedef struct {
    const char *op;
    int (*drive)(const char *id, const json_t *c);
} util_op;

/* Drives every case of `file` by its `op`; a case without an op, with an unknown op, or that its driver could not
 * drive fails naming its id. Checks that all were driven and that the file holds `expected` cases. */
size_t util_run_cases(const char *suite, const char *file, const util_op *ops, size_t n_ops, size_t expected);

#define CHECK(cond, where) util_check((cond) ? 1 : 0, (where), #cond)

#endif
