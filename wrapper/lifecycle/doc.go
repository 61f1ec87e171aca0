// Package lifecycle runs the jobs people run on Fastly API tokens, built
// only on the public API of package wrapper:
//
//   - [Rotate] replaces a token with a new one of the same scopes and
//     services, proves the new key works before it revokes the old one, and
//     never leaves the caller without a working key it knows of;
//   - [RevokeLeaked] kills keys that leaked (into a log, a repository) by
//     their secret alone: it identifies each with GET /tokens/self and
//     revokes it;
//   - [RevokeAll] revokes many tokens by id in bulk batches, sorting out a
//     refused batch one id at a time, and reports every id in exactly one of
//     revoked, already gone or failed;
//   - [Audit] finds expired, expiring, never used, unused, never-expiring,
//     too long-lived and global-on-every-service tokens: a pure function.
//
// # What is not verified against Fastly
//
// Fastly's maximum bulk-revoke batch and its answer to unknown ids in a
// batch are undocumented: [DefaultBatchSize] is a conservative choice, and
// any refused batch is retried id by id. Whether Fastly lets a read-only
// (global:read) key revoke itself is unverified (api/ lets every key revoke
// itself); when it answers 403, [RevokeLeaked] revokes it by id with the
// Client's own key.
package lifecycle
