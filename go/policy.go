package countermark

// #include "countermark.h"
import "C"

import (
	"runtime"
	"strings"
	"time"
)

// The defaults of the policies whose constructors take a duration, read from the header (whose values a test
// keeps equal to the core's): pass them to get the core's default policy.
const (
	// DefaultFostClockSkew is how far a FOST timestamp may be from the clock, either side (the reference's).
	DefaultFostClockSkew = time.Duration(C.COUNTERMARK_FOST_DEFAULT_CLOCK_SKEW_SECS) * time.Second
	// DefaultHMACHeaderMaxAge is how old an HMAC-header request may be (HMAC_AUTH_REQUEST_TIMEOUT).
	DefaultHMACHeaderMaxAge = time.Duration(C.COUNTERMARK_HMAC_HEADER_DEFAULT_MAX_AGE_SECS) * time.Second
	// DefaultJWTClockSkew is how far a JWT's time may be from the clock, either side (asymmetric-jwt-auth's).
	DefaultJWTClockSkew = time.Duration(C.COUNTERMARK_JWT_DEFAULT_CLOCK_SKEW_SECS) * time.Second
	// DefaultMessageClockSkew is how far an RFC 9421 created may be ahead of the clock.
	DefaultMessageClockSkew = time.Duration(C.COUNTERMARK_MESSAGE_DEFAULT_CLOCK_SKEW_SECS) * time.Second
	// DefaultSkaLifetime is how long a ska signature is valid when SignOptions.Lifetime is not set.
	DefaultSkaLifetime = time.Duration(C.COUNTERMARK_SKA_DEFAULT_LIFETIME_SECS) * time.Second
	// DefaultMessageMaxAge is how old an RFC 9421 created may be.
	DefaultMessageMaxAge = time.Duration(C.COUNTERMARK_MESSAGE_DEFAULT_MAX_AGE_SECS) * time.Second
)

// PolicyDefaults is the core's default policy of every request scheme, one Describe line each (fost,
// hmac_header, rfc9421, jwt): a policy built with the Default* values (or, for RFC 9421, with empty options)
// describes itself as exactly its scheme's line.
func PolicyDefaults() []string {
	var out C.countermark_bytes
	if C.countermark_policy_defaults(&out) != C.COUNTERMARK_RESULT_OK {
		return nil
	}
	return strings.Split(string(takeBytes(&out)), "\n")
}

// describe runs one of the C describe functions; "" when the handle is closed.
func describe(call func(out *C.countermark_bytes) C.countermark_result) string {
	var out C.countermark_bytes
	if call(&out) != C.COUNTERMARK_RESULT_OK {
		return ""
	}
	return string(takeBytes(&out))
}

// Describe gives the policy's settings as one line, e.g. "fost max_skew=300s seen_signatures=off".
func (p *FostPolicy) Describe() string {
	defer runtime.KeepAlive(p)
	return describe(func(out *C.countermark_bytes) C.countermark_result {
		return C.countermark_fost_policy_describe(p.p, out)
	})
}

// Describe gives the policy's settings as one line, e.g. "hmac_header timeout=5s seen_signatures=off".
func (p *HMACHeaderPolicy) Describe() string {
	defer runtime.KeepAlive(p)
	return describe(func(out *C.countermark_bytes) C.countermark_result {
		return C.countermark_hmac_header_policy_describe(p.p, out)
	})
}

// Describe gives the policy's settings as one line, e.g. "jwt tolerance=20s nonce_store=on".
func (p *JWTPolicy) Describe() string {
	defer runtime.KeepAlive(p)
	return describe(func(out *C.countermark_bytes) C.countermark_result {
		return C.countermark_jwt_policy_describe(p.p, out)
	})
}

// Describe gives the policy's settings as one line, e.g. "rfc9421 max_skew=5s max_age=300s ...".
func (p *MessagePolicy) Describe() string {
	defer runtime.KeepAlive(p)
	return describe(func(out *C.countermark_bytes) C.countermark_result {
		return C.countermark_message_policy_describe(p.p, out)
	})
}
