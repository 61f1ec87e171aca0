// Command fastly-tokens runs the jobs people run on Fastly API tokens from a
// terminal, cron or CI: inspect, create, rotate, revoke (by id, in bulk, or
// by a leaked secret) and audit, built on the wrapper and lifecycle
// packages.
//
//	go install github.com/tokenward/fastlytokens/cmd/fastly-tokens@latest
//	export FASTLY_API_TOKEN=...        # or --token-file PATH (- for stdin)
//	fastly-tokens whoami
//	fastly-tokens audit --fail-on expired,expiring
//
// The key comes from FASTLY_API_TOKEN or --token-file, never from an
// argument (every process can read another's arguments). Exit status: 0
// done; 1 the operation failed, or audit found something; 2 usage: bad
// flags or arguments, no key, a revoke refused without --yes or declined,
// or a new secret bound for a stdout on /dev/null; 130
// interrupted (Ctrl-C ends a prompt or a read of stdin at once). Errors
// are one line on stderr starting "fastly-tokens: ". No secret (key,
// password, one-time password, leaked secret) is ever printed, except the
// one new secret that create and rotate print on stdout.
package main

import "os"

func main() {
	os.Exit(mainWith(systemIO(), os.Args[1:]))
}
