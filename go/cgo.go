package countermark

// The header and one prebuilt static library per platform live inside the module (build/), as in wasmtime-go:
// `make go-module` writes them there for a release; in the repository `make ffi` links them to include/ and
// target/release/. The archive is named by its path so that no libcountermark.so elsewhere can be taken instead;
// the libraries after it are those `rustc --print native-static-libs` names (its -lutil, -lrt and -lc are glibc's
// libc since glibc 2.17 for what the Rust standard library uses, and libc is linked anyway).

// #cgo CFLAGS: -I${SRCDIR}/build/include
// #cgo linux,amd64 LDFLAGS: ${SRCDIR}/build/linux-x86_64/libcountermark.a
// #cgo linux,arm64 LDFLAGS: ${SRCDIR}/build/linux-aarch64/libcountermark.a
// #cgo LDFLAGS: -lgcc_s -lm -ldl -pthread
// #include <stdlib.h>
// #include "countermark.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// The ABI symbol: linking against a library of another ABI version fails here, at link time.
var abiVersion = uint32(C.countermark_abi_0_2())

// Version is the version of the linked library ("MAJOR.MINOR.PATCH").
func Version() string { return C.GoString(C.countermark_version()) }

// ptrOf returns the address of the first byte of b, or nil for an empty slice (C reads len bytes at most and
// keeps nothing after the call returns).
func ptrOf(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b)))
}

// strPtr is ptrOf for a string (read-only: C never writes through input pointers).
func strPtr(s string) *C.uint8_t {
	if len(s) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s)))
}

func cstr(s string) C.countermark_str {
	return C.countermark_str{data: strPtr(s), len: C.size_t(len(s))}
}

// cstrs copies strings into C memory as countermark_str values (a Go slice holding pointers to Go memory may
// not be passed to C). The returned function frees it.
func cstrs(items []string) (*C.countermark_str, func()) {
	if len(items) == 0 {
		return nil, func() {}
	}
	n := C.size_t(len(items)) * C.size_t(unsafe.Sizeof(C.countermark_str{}))
	total := n
	for _, s := range items {
		total += C.size_t(len(s))
	}
	block := C.malloc(total)
	arr := unsafe.Slice((*C.countermark_str)(block), len(items))
	text := unsafe.Slice((*byte)(unsafe.Add(block, n)), int(total-n))
	off := 0
	for i, s := range items {
		copy(text[off:], s)
		if len(s) == 0 {
			arr[i] = C.countermark_str{}
		} else {
			arr[i] = C.countermark_str{data: (*C.uint8_t)(unsafe.Pointer(&text[off])), len: C.size_t(len(s))}
		}
		off += len(s)
	}
	return (*C.countermark_str)(block), func() { C.free(block) }
}

// takeBytes copies library-owned bytes into Go memory and frees (wipes) them.
func takeBytes(b *C.countermark_bytes) []byte {
	out := C.GoBytes(unsafe.Pointer(b.data), C.int(b.len))
	C.countermark_bytes_free(b)
	return out
}

func goStr(s C.countermark_str) string {
	if s.len == 0 {
		return ""
	}
	return C.GoStringN((*C.char)(unsafe.Pointer(s.data)), C.int(s.len))
}

// Claim is one name and value of what a signer produced (a header line to add, named as on the wire, or a value
// such as the signature). Parse and verify results are *Verified.
type Claim struct {
	Name  string
	Value string
}

// Claims are the ordered name/value pairs a signer returned.
type Claims []Claim

// Get returns the first value called name.
func (c Claims) Get(name string) (string, bool) {
	for _, cl := range c {
		if cl.Name == name {
			return cl.Value, true
		}
	}
	return "", false
}

// Value returns the first value called name, or "".
func (c Claims) Value(name string) string {
	v, _ := c.Get(name)
	return v
}

// All returns every value called name, in order.
func (c Claims) All(name string) []string {
	var out []string
	for _, cl := range c {
		if cl.Name == name {
			out = append(out, cl.Value)
		}
	}
	return out
}

// takeClaims copies a claims handle into Go values and frees it.
func takeClaims(h *C.countermark_claims) Claims {
	defer C.countermark_claims_free(h)
	n := int(C.countermark_claims_count(h))
	out := make(Claims, 0, n)
	for i := 0; i < n; i++ {
		var name, value C.countermark_str
		if C.countermark_claims_at(h, C.size_t(i), &name, &value) == C.COUNTERMARK_RESULT_OK {
			out = append(out, Claim{Name: goStr(name), Value: goStr(value)})
		}
	}
	return out
}

func keepAlive(xs ...any) {
	for _, x := range xs {
		runtime.KeepAlive(x)
	}
}
