//go:build tools

// Package tools pins the code generator, so `go generate ./...` runs the
// same oapi-codegen for everyone. It is never built into the library.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
