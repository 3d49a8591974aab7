// Command sign prints the header lines that sign one HTTP request, in one of four schemes, through the
// countermark Go binding (../../../../go, over the C ABI).
//
//	sign SCHEME --key-id ID --method M --url URL [--body-file F] [--content-type CT] [--user NAME]
//	            [--private-key-file PEM]
//
// The same interface and output as `countermark request sign` and the C client (../c/sign.c). The shared
// secret comes from the environment variable COUNTERMARK_SECRET only (base64 of 32 random bytes). Exit codes:
// 0 signed, 1 the request could not be signed, 2 usage or configuration error.
//
// Build (after `make ffi` in the repository root): go build -o OUTPUT .
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run signs as the command line asks and returns the exit code.
func run(argv []string, stdout, stderr io.Writer) int {
	a, err := parseArgs(argv)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "sign: %v\n%s", err, usage)
		return exitUsage
	}
	secret, hasSecret := os.LookupEnv(secretEnv)
	lines, err := sign(a, secret, hasSecret)
	if err != nil {
		fmt.Fprintf(stderr, "sign: %v\n", err)
		var se *signError
		if errors.As(err, &se) {
			return se.code
		}
		return exitSigning
	}
	if _, err := io.WriteString(stdout, strings.Join(lines, "\n")+"\n"); err != nil {
		fmt.Fprintf(stderr, "sign: cannot write to stdout: %v\n", err)
		return exitUsage
	}
	return 0
}
