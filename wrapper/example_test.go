package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// simulator serves the seeded in-memory Fastly API on loopback (see
// package api), so the examples run without credentials or network, and
// returns its ordinary user.
func simulator() (baseURL string, user api.Account, stop func()) {
	demo, err := api.StartDemo()
	if err != nil {
		log.Fatal(err)
	}
	user, _ = demo.Accounts.ByRole(api.RoleUser)
	return demo.URL, user, demo.Close
}

func ExampleNew() {
	baseURL, user, stop := simulator()
	defer stop()

	// In production: wrapper.New(wrapper.WithToken(os.Getenv("FASTLY_API_TOKEN")))
	client, err := wrapper.New(
		wrapper.WithBaseURL(baseURL),
		wrapper.WithToken(user.Token),
		wrapper.WithUserAgent("token-rotator/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	me, err := client.Current(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Name, me.Scopes, me.UserAgent)
	// Output: demo global key [global] token-rotator/1.0
}

func ExampleClient_List() {
	baseURL, user, stop := simulator()
	defer stop()
	client, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(user.Token))
	if err != nil {
		log.Fatal(err)
	}

	tokens, err := client.List(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	// Fastly's order is not stable: sort for a report.
	slices.SortFunc(tokens, func(a, b wrapper.Token) int { return strings.Compare(a.Name, b.Name) })
	for _, t := range tokens {
		fmt.Printf("%-20s scopes=%v never expires=%t\n", t.Name, t.Scopes, t.ExpiresAt.IsZero())
	}
	// Output:
	// demo global key      scopes=[global] never expires=true
	// demo read-only key   scopes=[global:read] never expires=true
}

func ExampleClient_Create() {
	baseURL, user, stop := simulator()
	defer stop()
	client, err := wrapper.New(wrapper.WithBaseURL(baseURL))
	if err != nil {
		log.Fatal(err)
	}

	// One request: the credentials travel as form fields of this create only.
	created, err := client.Create(context.Background(), wrapper.CreateInput{
		Name:      "ci-purger",
		Scopes:    []wrapper.Scope{wrapper.ScopePurgeSelect},
		Services:  []string{"SU1Z0isxPaozGVKXdv0eY"},
		ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		Username:  user.Login,
		Password:  user.Password,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.Name, created.Scopes, created.Services, created.ExpiresAt.Format(time.DateOnly))
	fmt.Println("secret length:", len(created.AccessToken))
	// Printing never shows the secret: store created.AccessToken itself.
	fmt.Println("printed with the secret:", strings.Contains(fmt.Sprint(created), created.AccessToken))
	// Output:
	// ci-purger [purge_select] [SU1Z0isxPaozGVKXdv0eY] 2030-01-01
	// secret length: 32
	// printed with the secret: false
}

func ExampleClient_Sudo() {
	baseURL, user, stop := simulator()
	defer stop()
	client, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(user.Token))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The sudo flow: two requests, the password going to /sudo only.
	if _, err := client.Sudo(ctx, wrapper.SudoInput{Username: user.Login, Password: user.Password}); err != nil {
		log.Fatal(err)
	}
	created, err := client.Create(ctx, wrapper.CreateInput{Name: "rotated"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.Name, created.Scopes)
	// Output: rotated [global]
}

func ExampleClient_RevokeMany() {
	baseURL, user, stop := simulator()
	defer stop()
	client, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(user.Token))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Emergency: revoke every read-only token of the user in one request.
	tokens, err := client.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var leaked []string
	for _, t := range tokens {
		if t.HasScope(wrapper.ScopeGlobalRead) {
			leaked = append(leaked, t.ID)
		}
	}
	if err := client.RevokeMany(ctx, leaked...); err != nil {
		log.Fatal(err)
	}
	_, err = client.Get(ctx, leaked[0])
	fmt.Println(len(leaked), "revoked; still there:", !errors.Is(err, wrapper.ErrNotFound))
	// Output: 1 revoked; still there: false
}

// Errors are *wrapper.APIError values that match the sentinel errors.
func Example_errorHandling() {
	baseURL, user, stop := simulator()
	defer stop()
	ctx := context.Background()
	client, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(user.ReadOnlyToken))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.Get(ctx, "NoSuchTokenAtAll")
	fmt.Println(errors.Is(err, wrapper.ErrNotFound))

	err = client.Revoke(ctx, "SomeOtherToken") // a global:read key may revoke only itself
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	fmt.Println(errors.Is(err, wrapper.ErrForbidden))
	fmt.Println(err)

	err = client.Revoke(ctx, "../self")
	fmt.Println(errors.Is(err, wrapper.ErrInvalidInput))
	// Output:
	// true
	// 403 Read only tokens are not allowed to access this endpoint.
	// true
	// fastly: DELETE /tokens/SomeOtherToken: 403 Forbidden: Read only tokens are not allowed to access this endpoint.
	// true
}
