// A program of a Go user of the countermark module (tests/go-module-test.sh builds it in a temporary module):
// a token made and verified, a tampered one refused with ErrBadSignature, an RFC 9421 request signed and verified.
package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	countermark "github.com/countermark/countermark/go"
)

func check(what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	key, err := countermark.NewHMACKey("hmac-sha256", []byte("a secret of 16+ bytes"), "key-1")
	check("key", err)
	defer key.Close()
	ring, err := countermark.NewKeyRing(key)
	check("ring", err)
	defer ring.Close()
	tokens, err := countermark.NewTokens(ring, countermark.TokensOptions{})
	check("tokens", err)
	defer tokens.Close()

	token, err := tokens.Create("alice", "42")
	check("create", err)
	maxAge := 5 * time.Minute
	v, err := tokens.Verify(token, &maxAge)
	check("verify", err)
	tampered := []byte(token)
	tampered[0] ^= 1 // 'a' -> '`': the first field changes, the signature does not
	if _, err := tokens.Verify(string(tampered), &maxAge); !errors.Is(err, countermark.ErrBadSignature) {
		fmt.Fprintf(os.Stderr, "a tampered token: want ErrBadSignature, got %v\n", err)
		os.Exit(1)
	}

	signer, err := countermark.NewMessageSigner(key, "hmac-sha256", countermark.MessageSignerOptions{})
	check("signer", err)
	defer signer.Close()
	req := &countermark.Request{Method: "GET", Target: "/items?page=2", Scheme: "https", Authority: "api.example.com"}
	claims, err := signer.Sign(req)
	check("sign request", err)
	for _, c := range claims {
		req.AddHeader(c.Name, c.Value)
	}
	mkey, err := countermark.NewHMACMessageKey(key)
	check("message key", err)
	defer mkey.Close()
	policy, err := countermark.NewMessagePolicy(countermark.MessagePolicyOptions{})
	check("policy", err)
	defer policy.Close()
	verified, err := countermark.VerifyMessageSignature(req, mkey, policy)
	check("verify request", err)

	fmt.Printf("countermark %s: token fields %v, tampered token refused; RFC 9421 request verified, key id %s\n",
		countermark.Version(), v.Fields(), verified.KeyID)
}
