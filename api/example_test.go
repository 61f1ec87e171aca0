package api_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tokenward/fastlytokens/api"
)

// A test of code that creates tokens, against the in-memory API with a
// clock the test controls: the sudo flow, then the old key expires.
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

	send := func(method, path, key, body string) *http.Response {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Fastly-Key", key)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		return resp
	}
	sudo := send("POST", "/sudo", oldKey, "username=ops%40example.com&password=correct+horse")
	_ = sudo.Body.Close()
	fmt.Println("sudo:", sudo.Status)

	resp := send("POST", "/tokens", oldKey, "name=new&expires_at=2027-02-26T12%3A00%3A00Z")
	var created struct {
		Name        string `json:"name"`
		ExpiresAt   string `json:"expires_at"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		log.Fatal(err)
	}
	_ = resp.Body.Close()
	fmt.Println("created:", created.Name, created.ExpiresAt)

	elapsed.Add(int64(2 * time.Hour)) // the old key has expired
	for _, key := range []string{oldKey, created.AccessToken} {
		resp := send("GET", "/tokens/self", key, "")
		_ = resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// sudo: 200 OK
	// created: new 2027-02-26T12:00:00Z
	// 401 Unauthorized
	// 200 OK
}
