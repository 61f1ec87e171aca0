// Package openapi holds the contract: the OpenAPI 3.0 description of Fastly's
// token endpoints as they behave on the wire. gen/ is generated from it and
// api/ validates every request against it.
package openapi

import _ "embed"

// Spec is the contract, tokens.yaml, as bytes.
//
//go:embed tokens.yaml
var Spec []byte
