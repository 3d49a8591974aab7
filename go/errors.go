package countermark

// #include "countermark.h"
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Code is a countermark_result: 0 success; 1-99 misuse of the API; 100-199 keys and algorithms; 200-299 input
// format; 300-399 verification; 400-499 shared state. Codes never change.
type Code uint32

// The result codes of the C ABI.
const (
	CodeOK                   Code = 0
	CodeNullParameter        Code = 1
	CodeInvalidParameter     Code = 2
	CodeInsufficientSize     Code = 3
	CodeInvalidUTF8          Code = 4
	CodeBuilderConsumed      Code = 5
	CodePanic                Code = 6
	CodeNotFound             Code = 7
	CodeNoCredentials        Code = 8
	CodeInvalidKey           Code = 100
	CodeUnsupportedAlgorithm Code = 101
	CodeUnknownKey           Code = 102
	CodeMalformed            Code = 200
	CodeTooLarge             Code = 201
	CodeInvalidValue         Code = 202
	CodeBadSignature         Code = 300
	CodeExpired              Code = 301
	CodeNotYetValid          Code = 302
	CodeReplayed             Code = 303
	CodeUnavailable          Code = 400
)

// Name is the code's stable name ("bad_signature"), the word the test vectors use; "unknown" for other numbers.
func (c Code) Name() string { return C.GoString(C.countermark_result_name(C.uint32_t(c))) }

// IsVerificationError reports whether the code refuses a credential (answer such a request with 401).
func (c Code) IsVerificationError() bool {
	return bool(C.countermark_result_is_verification_error(C.uint32_t(c)))
}

// Error is every error this package returns: the library's code and its message (never a secret).
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("countermark: %s (%s)", e.Message, e.Code.Name()) }

// Is makes errors.Is(err, ErrExpired) and friends compare codes.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// Sentinel errors, one per code, for errors.Is.
var (
	ErrNullParameter        = &Error{Code: CodeNullParameter, Message: "a required argument was nil"}
	ErrInvalidParameter     = &Error{Code: CodeInvalidParameter, Message: "an argument is out of range"}
	ErrInvalidUTF8          = &Error{Code: CodeInvalidUTF8, Message: "a text argument is not UTF-8"}
	ErrNotFound             = &Error{Code: CodeNotFound, Message: "not found"}
	ErrNoCredentials        = &Error{Code: CodeNoCredentials, Message: "the request carries no credentials of this scheme"}
	ErrInvalidKey           = &Error{Code: CodeInvalidKey, Message: "invalid key"}
	ErrUnsupportedAlgorithm = &Error{Code: CodeUnsupportedAlgorithm, Message: "unsupported algorithm"}
	ErrUnknownKey           = &Error{Code: CodeUnknownKey, Message: "unknown key"}
	ErrMalformed            = &Error{Code: CodeMalformed, Message: "malformed"}
	ErrTooLarge             = &Error{Code: CodeTooLarge, Message: "too large"}
	ErrInvalidValue         = &Error{Code: CodeInvalidValue, Message: "invalid value"}
	ErrBadSignature         = &Error{Code: CodeBadSignature, Message: "bad signature"}
	ErrExpired              = &Error{Code: CodeExpired, Message: "expired"}
	ErrNotYetValid          = &Error{Code: CodeNotYetValid, Message: "not yet valid"}
	ErrReplayed             = &Error{Code: CodeReplayed, Message: "replayed"}
	ErrUnavailable          = &Error{Code: CodeUnavailable, Message: "shared state unavailable"}
)

// check turns a result code into nil or an *Error with the library's message (read into a Go buffer).
func check(rc C.countermark_result) error {
	code := Code(rc)
	if code == CodeOK {
		return nil
	}
	var buf [256]byte
	var n C.size_t
	msg := code.Name()
	if C.countermark_error(C.uint32_t(code), (*C.uint8_t)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &n) ==
		C.COUNTERMARK_RESULT_OK {
		msg = string(buf[:n])
	}
	return &Error{Code: code, Message: msg}
}
