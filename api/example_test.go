package api_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// A rotation job tested against the in-memory API, with a clock the test
// controls: the old key expires, the new one keeps working.
func Example() {
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	var elapsed atomic.Int64 // the server reads the clock from its own goroutines
	now := func() time.Time { return start.Add(time.Duration(elapsed.Load())) }
	sim, err := api.New(api.WithClock(now))
	if err != nil {
		log.Fatal(err)
	}
	customer := sim.AddCustomer()
	userID, err := sim.AddUser(api.UserSpec{Login: "ops@example.com", Password: "correct horse", CustomerID: customer})
	if err != nil {
		log.Fatal(err)
	}
	_, oldKey, err := sim.AddToken(api.TokenSpec{UserID: userID, Name: "old", ExpiresAt: now().Add(time.Hour)})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	ctx := context.Background()

	old, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(oldKey))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := old.Sudo(ctx, wrapper.SudoInput{Password: "correct horse"}); err != nil {
		log.Fatal(err)
	}
	fresh, err := old.Create(ctx, wrapper.CreateInput{Name: "new", ExpiresAt: now().Add(90 * 24 * time.Hour)})
	if err != nil {
		log.Fatal(err)
	}

	elapsed.Add(int64(2 * time.Hour)) // the old key has expired
	_, err = old.Current(ctx)
	fmt.Println("old key:", errors.Is(err, wrapper.ErrUnauthorized))

	rotated, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(fresh.AccessToken))
	if err != nil {
		log.Fatal(err)
	}
	me, err := rotated.Current(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new key:", me.Name, me.ExpiresAt.Format(time.DateOnly))
	// Output:
	// old key: true
	// new key: new 2027-02-26
}
