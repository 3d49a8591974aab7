// Package linux_x86_64 holds libcountermark.a for linux/amd64, the prebuilt static library cgo links into a program
// built for that platform (see the #cgo lines of cgo.go). It has no Go code: this file makes the directory a
// package, so that `go mod vendor` keeps it (see includebuild.go in the module root). In the repository, `make
// ffi` links the library it builds here for the platform it builds on; `make go-module` copies real ones.
package linux_x86_64
