// Package include holds countermark.h, the C header the binding compiles against (cgo finds it through
// ${SRCDIR}/build/include). It has no Go code: this file makes the directory a package, so that `go mod vendor`
// keeps it (see includebuild.go in the module root). In the repository, `make ffi` links the header here.
package include
