package main

import (
	"context"
	"log"

	"github.com/tokenward/fastlytokens/wrapper"
)

func main() {
	ctx := context.Background()
	key, login, password, otp := "key", "me@example.com", "password", "123456"

	// 1. Credentials in the call: one request; they go as form fields of
	//    this POST /tokens only. OTP goes as Fastly-OTP on this request only.
	anonymous, err := wrapper.New()
	if err != nil {
		log.Fatal(err)
	}
	_, _ = anonymous.Create(ctx, wrapper.CreateInput{Name: "ci", Username: login, Password: password, OTP: otp})

	// 2. HTTP Basic, sent on POST /tokens and POST /sudo only.
	basic, err := wrapper.New(wrapper.WithBasicAuth(login, password))
	if err != nil {
		log.Fatal(err)
	}
	_, _ = basic.Create(ctx, wrapper.CreateInput{Name: "ci"})

	// 3. The sudo flow: a key and the password, two requests in all; the
	//    password goes to /sudo only, creates in the next five minutes need none.
	client, err := wrapper.New(wrapper.WithToken(key))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Sudo(ctx, wrapper.SudoInput{Username: login, Password: password, OTP: otp}); err == nil {
		_, _ = client.Create(ctx, wrapper.CreateInput{Name: "rotated"})
	}
}
