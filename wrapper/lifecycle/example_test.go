package lifecycle_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// setup starts an in-memory API with one user and returns a Client with
// that user's key, the user's login and password, and the server.
func setup() (*wrapper.Client, string, string, *api.Server, func()) {
	sim, err := api.New()
	if err != nil {
		log.Fatal(err)
	}
	customer := sim.AddCustomer()
	userID, err := sim.AddUser(api.UserSpec{Login: "ops@example.com", Password: "correct horse", CustomerID: customer})
	if err != nil {
		log.Fatal(err)
	}
	_, key, err := sim.AddToken(api.TokenSpec{UserID: userID, Name: "ops key"})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(key))
	if err != nil {
		log.Fatal(err)
	}
	return client, userID, "correct horse", sim, srv.Close
}

func ExampleRotate() {
	client, userID, password, sim, stop := setup()
	defer stop()
	ctx := context.Background()
	oldID, _, err := sim.AddToken(api.TokenSpec{UserID: userID, Name: "deploy", Scope: "purge_all"})
	if err != nil {
		log.Fatal(err)
	}
	secrets := map[string]string{} // your secret store
	rot, err := lifecycle.Rotate(ctx, client, oldID, lifecycle.RotateInput{
		Username: "ops@example.com", Password: password,
		// Called before the old token is revoked; an error keeps the old one.
		Store: func(_ context.Context, created wrapper.CreatedToken) error {
			secrets["deploy"] = created.AccessToken
			return nil
		},
	})
	if err != nil {
		log.Fatal(err) // when rot.New.ID is set, that token is live: store rot.New.AccessToken anyway
	}
	fmt.Println("new token:", rot.New.Name, rot.New.Scopes, "stored secret of", len(secrets["deploy"]), "characters")
	fmt.Println("old revoked:", rot.OldRevoked)
	// Output:
	// new token: deploy [purge_all] stored secret of 32 characters
	// old revoked: true
}

func ExampleRevokeLeaked() {
	client, userID, _, sim, stop := setup()
	defer stop()
	_, leaked, err := sim.AddToken(api.TokenSpec{UserID: userID, Name: "pasted into a log"})
	if err != nil {
		log.Fatal(err)
	}
	results := lifecycle.RevokeLeaked(context.Background(), client, []string{leaked, "NotAKeyAnyoneHasxxxxxxxxxxxxxxxx"})
	for _, r := range results {
		fmt.Printf("%q %s\n", r.Name, r.Outcome)
	}
	// Output:
	// "pasted into a log" revoked
	// "" already_invalid
}

func ExampleRevokeAll() {
	client, userID, _, sim, stop := setup()
	defer stop()
	ctx := context.Background()
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		id, _, err := sim.AddToken(api.TokenSpec{UserID: userID, Name: name})
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := client.Revoke(ctx, ids[1]); err != nil {
		log.Fatal(err)
	}
	report, err := lifecycle.RevokeAll(ctx, client, ids, lifecycle.RevokeAllOptions{})
	fmt.Println(len(report.Revoked), "revoked,", len(report.NotFound), "not found,", len(report.Failed), "failed, error:", err)
	// Output:
	// 2 revoked, 1 not found, 0 failed, error: <nil>
}

func ExampleAudit() {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tokens := []wrapper.Token{
		{ID: "a1", Name: "ci", Scopes: []wrapper.Scope{wrapper.ScopePurgeAll}, Services: []string{"svc"},
			CreatedAt: now.AddDate(0, -2, 0), LastUsedAt: now.Add(-time.Hour), ExpiresAt: now.AddDate(0, 0, 3)},
		{ID: "b2", Name: "forgotten", Scopes: []wrapper.Scope{wrapper.ScopeGlobal},
			CreatedAt: now.AddDate(-1, 0, 0), LastUsedAt: now.AddDate(0, 0, -120)},
	}
	for _, f := range lifecycle.Audit(tokens, lifecycle.Policy{}, now) {
		fmt.Printf("%-20s %-10s %s\n", f.Kind, f.Token.Name, f.Detail)
	}
	// Output:
	// expiring             ci         expires in 3 days
	// unused               forgotten  last used 120 days ago
	// no_expiry            forgotten  never expires
	// global_all_services  forgotten  global scope on every service
}
