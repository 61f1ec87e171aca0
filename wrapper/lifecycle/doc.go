// Package lifecycle runs the jobs people run on Fastly API tokens, built
// only on the public API of package wrapper. Each report says only what the
// server proved: "revoked" means this call's revoke was answered 2xx.
//
//   - [Rotate] replaces a token with a new one of the same scopes, services
//     and owner, proves the new key works, hands it to [RotateInput].Store,
//     and only then revokes the old one; a replacement owned by anyone else
//     is revoked ([ErrOwnerChange]), and a new key that cannot be delivered
//     is revoked while the old one is kept;
//   - [RevokeLeaked] kills keys that leaked (into a log, a repository) by
//     their secret alone: it normalises and de-duplicates the secrets, proves
//     the Client's own key, identifies each leaked key with GET /tokens/self
//     and revokes it; [LeakResult].APIHost says which API judged it;
//   - [RevokeAll] revokes many tokens by id in bulk batches, sorts out a
//     refused batch with reads, stops writing at a rate limit or after three
//     failed batches in a row, revokes the Client's own key last, and reports
//     every id in exactly one of revoked, not found (revoked earlier, or not
//     visible to this key) or failed;
//   - [Audit] finds expired, expiring, never used, unused, never-expiring,
//     too long-lived and global-on-every-service tokens: a pure function.
//
// # What is not verified against Fastly
//
// Fastly's maximum bulk-revoke batch and its answer to unknown or foreign ids
// in a batch are undocumented: [DefaultBatchSize] is a conservative choice,
// and a batch refused with 403 or 404 is taken to have revoked none of its
// ids (api/ behaves so) before it is sorted out with reads. Fastly answers
// 404 both for a token revoked earlier and for one this key may not see, so
// [RevokeReport].NotFound never claims a token is dead. Whether Fastly lets a
// read-only (global:read) key revoke itself is unverified (api/ lets every
// key revoke itself); when it answers 401 or 403, [RevokeLeaked] revokes it
// by id with the Client's own key. That a key refused with 401 or 403 on GET
// /tokens/self by an API that accepts the Client's own key is dead there is
// this package's reading of Fastly's documented errors.
package lifecycle
