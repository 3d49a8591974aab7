package countermark

import (
	"strings"
	"testing"
	"time"
)

// Every default lives in the core: a policy built from the Default* values, or with empty options, is the
// core's default policy of its scheme. A restated default in this binding (or a header macro) fails here.
func TestDefaultPoliciesAreTheCores(t *testing.T) {
	defaults := PolicyDefaults()
	if len(defaults) != 4 {
		t.Fatalf("PolicyDefaults() = %q, want 4 lines", defaults)
	}
	isDefault := func(scheme, got string) {
		t.Helper()
		for _, line := range defaults {
			if line == got && strings.HasPrefix(line, scheme+" ") {
				return
			}
		}
		t.Errorf("%s: %q is not the core's default (%q)", scheme, got, defaults)
	}
	fost, err := NewFostPolicy(FostPolicyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fost.Close()
	isDefault("fost", fost.Describe())
	hmac, err := NewHMACHeaderPolicy(HMACHeaderPolicyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer hmac.Close()
	isDefault("hmac_header", hmac.Describe())
	jwt, err := NewJWTPolicy(JWTPolicyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer jwt.Close()
	isDefault("jwt", jwt.Describe())
	msg, err := NewMessagePolicy(MessagePolicyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer msg.Close()
	isDefault("rfc9421", msg.Describe())
}

// What the caller sets reaches the core, and only that changes.
func TestPolicyOptionsReachTheCore(t *testing.T) {
	age := 60 * time.Second
	keyid := false
	msg, err := NewMessagePolicy(MessagePolicyOptions{MaxAge: &age, RequireKeyID: &keyid, RequireBodyDigest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer msg.Close()
	got := msg.Describe()
	for _, want := range []string{" max_age=60s ", " require_key_id=off ", " clock_skew=5s ", " require_body_digest=on "} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	fost, err := NewFostPolicy(FostPolicyOptions{ClockSkew: dur(30 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	defer fost.Close()
	if got := fost.Describe(); got != "fost clock_skew=30s nonce_store=off" {
		t.Errorf("fost: %q", got)
	}
}
