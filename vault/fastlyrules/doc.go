// Package fastlyrules holds the rules of the Fastly secrets engine that do
// not depend on Vault's SDK: lease and token lifetimes, token names, what a
// revoke's answer means, and one-time passwords. The Vault backend
// (package fastlysecrets) and any native OpenBao adapter share them.
package fastlyrules
