//go:build countermark_includebuild

package countermark

// This file is never built. Its imports make `go mod vendor` keep the directories that hold the header and the
// prebuilt static libraries: they have no Go code of their own (cgo reaches them through ${SRCDIR}), and vendoring
// copies only the directories of imported packages (golang/go#26366; wasmtime-go does the same).
import (
	_ "github.com/countermark/countermark/go/build/include"
	_ "github.com/countermark/countermark/go/build/linux-aarch64"
	_ "github.com/countermark/countermark/go/build/linux-x86_64"
)
