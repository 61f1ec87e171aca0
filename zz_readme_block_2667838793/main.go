package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/tokenward/fastlytokens/wrapper"
)

func main() {
	// FASTLY_API_TOKEN is the key; FASTLY_API_URL, when set, another base URL.
	client, err := wrapper.New(wrapper.WithEnv())
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := client.List(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range tokens {
		soon := !t.ExpiresAt.IsZero() && time.Until(t.ExpiresAt) < 7*24*time.Hour
		fmt.Printf("%s %-30q scopes=%v expiring soon=%t\n", t.ID, t.Name, t.Scopes, soon)
	}
}
