package countermark

import (
	"errors"
	"testing"
)

// OpenSSH public key lines load through VerifyingKeyFromPEM, as asymmetric-jwt-auth accepts them, under the kid
// that library gives the same key (asym_jwt.json's ed25519 and rsa2048 keys); weak keys are refused.
func TestVerifyingKeyFromPEMReadsOpenSSHLines(t *testing.T) {
	for _, c := range []struct{ line, kid string }{
		{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8zE35ly55c3ZGEFKDW7M3yCQx421CF+7tpPhOeMY9b alice@laptop",
			"92685be48873dc1daf91a8cef085dcc41d31c5928f1562e57b4553984cb09f6a"},
		{"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCbcQrY3FuaEex7kczuKaKNEa2986dPdzV3pMt3Q/kIp9FwygViz6geoszYmOWS5kqkXn9wsLj7e5Bqzs2G9N9aJsKNwnp0Zd542w9F4yj42Cba+WX7seMA0im5/bN65zVbeBLjFynGuJ+GtKI3k+5jdsS7sUyJcOrlzyMybYmDdjo9T9Khq4nzDULluarr3vZ1V0e/CZpSRqmTw0JJXJwKLuDFVSRjmn8ysbZqMnv+Zq0wy0RcyUkMZQOifYw/KdiwhzCKB/WE+0G1BwaH+zs6GJGI+mfNOj+NIAUJv51QHryMCrFBb/CmNySUJBa0wvx1+nzrEpWEz+l8DM7r4RVJ",
			"c473541c70f6c3843424399a2c46fac8a4c9476648ade4b4fa78c702f5c606b5"},
	} {
		k := must(VerifyingKeyFromPEM([]byte(c.line)))(t)
		if got := must(k.KeyID())(t); got != c.kid {
			t.Fatalf("KeyID() = %q, want %q", got, c.kid)
		}
		k.Close()
	}
	// The Ed25519 identity point (small order): refused.
	identity := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, err := VerifyingKeyFromPEM([]byte(identity)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("small-order key: err = %v, want ErrInvalidKey", err)
	}
}
