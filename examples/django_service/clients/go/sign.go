package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	countermark "github.com/countermark/countermark/go"
)

const (
	exitSigning = 1
	exitUsage   = 2
	secretEnv   = "COUNTERMARK_SECRET"
	usage       = `usage: sign SCHEME --key-id ID --method M --url URL [--body-file F] [--content-type CT] [--user NAME]
            [--private-key-file PEM]
SCHEME: hmac, fost, rfc9421 or jwt. The shared secret is read from ` + secretEnv + ` (base64) only.
Prints one ` + "`Name: value`" + ` line per header to add to the request.
`
)

var errHelp = errors.New("help requested")

// signError is a failure with its exit code.
type signError struct {
	code int
	msg  string
}

func (e *signError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &signError{exitUsage, fmt.Sprintf(format, args...)}
}

func signingErr(what string, err error) error {
	return &signError{exitSigning, fmt.Sprintf("%s: %v", what, err)}
}

// args is the parsed command line; nil pointers are options not given.
type args struct {
	scheme                                                          string
	keyID, method, url, bodyFile, contentType, user, privateKeyFile *string
}

// parseArgs reads SCHEME and the options (--name VALUE or --name=VALUE, each at most once, in any order).
func parseArgs(argv []string) (args, error) {
	var a args
	slots := map[string]**string{
		"--key-id": &a.keyID, "--method": &a.method, "--url": &a.url, "--body-file": &a.bodyFile,
		"--content-type": &a.contentType, "--user": &a.user, "--private-key-file": &a.privateKeyFile,
	}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if arg == "-h" || arg == "--help" {
			return a, errHelp
		}
		if !strings.HasPrefix(arg, "--") {
			if a.scheme != "" {
				return a, usageErr("unexpected argument '%s'", arg)
			}
			a.scheme = arg
			continue
		}
		name, value, inline := strings.Cut(arg, "=")
		slot, ok := slots[name]
		if !ok {
			return a, usageErr("unknown option '%s'", arg)
		}
		if !inline {
			if i+1 >= len(argv) {
				return a, usageErr("%s needs a value", name)
			}
			i++
			value = argv[i]
		}
		if *slot != nil {
			return a, usageErr("%s given twice", name)
		}
		*slot = &value
	}
	switch {
	case a.scheme == "":
		return a, usageErr("SCHEME is required (hmac, fost, rfc9421 or jwt)")
	case a.scheme != "hmac" && a.scheme != "fost" && a.scheme != "rfc9421" && a.scheme != "jwt":
		return a, usageErr("unknown scheme '%s' (hmac, fost, rfc9421 or jwt)", a.scheme)
	case a.method == nil:
		return a, usageErr("--method is required")
	case a.url == nil:
		return a, usageErr("--url is required")
	case a.scheme == "jwt" && a.user == nil:
		return a, usageErr("--user is required for jwt")
	case a.scheme == "jwt" && a.privateKeyFile == nil:
		return a, usageErr("--private-key-file is required for jwt")
	case a.scheme != "jwt" && a.keyID == nil:
		return a, usageErr("--key-id is required for %s", a.scheme)
	case !strings.HasPrefix(*a.url, "https://") && !strings.HasPrefix(*a.url, "http://"):
		return a, usageErr("--url: must be an absolute http:// or https:// URL")
	}
	return a, nil
}

// loadSecret reads the shared secret; the library reads it strictly (standard padded base64 of 16 to 1024 bytes,
// no whitespace), and each scheme derives its own key from it.
func loadSecret(text string, present bool) (*countermark.APISecret, error) {
	if !present {
		return nil, usageErr("%s is not set (the base64 text of 32 random bytes)", secretEnv)
	}
	secret, err := countermark.APISecretFromBase64Strict(text)
	if err != nil {
		return nil, usageErr("%s: %v", secretEnv, err)
	}
	return secret, nil
}

// sign returns the header lines ("Name: value") that sign the request a describes.
func sign(a args, secretText string, hasSecret bool) ([]string, error) {
	var body []byte
	if a.bodyFile != nil {
		var err error
		if body, err = os.ReadFile(*a.bodyFile); err != nil {
			return nil, usageErr("cannot read %s: %v", *a.bodyFile, err)
		}
	}
	req := &countermark.Request{Method: *a.method, Target: *a.url}
	if a.contentType != nil {
		req.AddHeader("Content-Type", *a.contentType)
	}
	if len(body) > 0 {
		req.Body = body
	}
	// The binding builds the library's request on every call, so a bad method, URL or Content-Type would only
	// show up when signing: check them now, as the other clients do (exit 2). The request has no credentials
	// yet, so any other answer than phase one's "not this scheme" (nil, nil) is about the request itself.
	if v, err := countermark.ParseFost(req); err != nil || v != nil {
		return nil, usageErr("--method/--url/--content-type: %v", err)
	}

	if a.scheme == "jwt" {
		return signJWT(a)
	}
	secret, err := loadSecret(secretText, hasSecret)
	if err != nil {
		return nil, err
	}
	defer secret.Close()
	switch a.scheme {
	case "hmac":
		return signHMAC(a, req, secret)
	case "fost":
		return signFost(a, req, secret)
	default:
		return signRFC9421(a, req, secret)
	}
}

func signHMAC(a args, req *countermark.Request, secret *countermark.APISecret) ([]string, error) {
	signer, err := countermark.NewHMACHeaderSigner(*a.keyID, secret, "hmac-sha256", nil)
	if err != nil {
		return nil, signingErr("cannot sign the request", err)
	}
	defer signer.Close()
	claims, err := signer.Sign(req, "")
	if err != nil {
		return nil, signingErr("cannot sign the request", err)
	}
	return []string{"Authorization: " + claims.Value("Authorization")}, nil
}

func signFost(a args, req *countermark.Request, secret *countermark.APISecret) ([]string, error) {
	// FOST's key is the base64 text itself, as django-fost-authn deployments store it: the library derives it.
	key, err := secret.FostKey()
	if err != nil {
		return nil, usageErr("%s: %v", secretEnv, err)
	}
	defer key.Close()
	signer, err := countermark.NewFostSigner(*a.keyID, key, nil)
	if err != nil {
		return nil, signingErr("cannot sign the request", err)
	}
	defer signer.Close()
	var headers []string
	if a.contentType != nil {
		headers = []string{"Content-Type"}
	}
	claims, err := signer.Sign(req, headers, "")
	if err != nil {
		return nil, signingErr("cannot sign the request", err)
	}
	var lines []string
	for _, name := range []string{"Authorization", "X-FOST-Timestamp", "X-FOST-Headers"} {
		lines = append(lines, name+": "+claims.Value(name))
	}
	return lines, nil
}

func signRFC9421(a args, req *countermark.Request, secret *countermark.APISecret) ([]string, error) {
	key, err := secret.MessageSignatureKey()
	if err != nil {
		return nil, usageErr("%s: %v", secretEnv, err)
	}
	defer key.Close()
	signer, err := countermark.NewMessageSigner(key, "", countermark.MessageSignerOptions{
		Label:        "sig1",
		KeyID:        *a.keyID,
		RandomNonces: true,
	})
	if err != nil {
		return nil, signingErr("cannot sign the request", err)
	}
	defer signer.Close()
	// The library's default coverage: @method @authority @path, @query when the URL has one, and content-digest
	// (with the Content-Digest to send) when there is a body.
	claims, err := signer.SignWithDefaultCoverage(req)
	if err != nil {
		return nil, signingErr("cannot sign the request", err)
	}
	var lines []string
	if digest := claims.Value("Content-Digest"); digest != "" {
		lines = append(lines, "Content-Digest: "+digest)
	}
	return append(lines, "Signature-Input: "+claims.Value("Signature-Input"), "Signature: "+claims.Value("Signature")), nil
}

func signJWT(a args) ([]string, error) {
	pem, err := os.ReadFile(*a.privateKeyFile)
	if err != nil {
		return nil, usageErr("cannot read %s: %v", *a.privateKeyFile, err)
	}
	key, err := countermark.SigningKeyFromPEM(pem)
	clear(pem)
	if err != nil {
		return nil, usageErr("--private-key-file: %v", err)
	}
	defer key.Close()
	token, err := countermark.SignJWT(key, *a.user, nil)
	if err != nil {
		return nil, signingErr("cannot sign the JWT", err)
	}
	return []string{"Authorization: JWT " + token}, nil
}
