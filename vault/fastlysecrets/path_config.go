package fastlysecrets

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
	"github.com/tokenward/fastlytokens/wrapper"
)

const configPath = "config"

// config is the engine's stored configuration (seal-wrapped). Its secrets
// are never returned by a read.
type config struct {
	APIURL     string `json:"api_url"`
	Login      string `json:"login"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
	Key        string `json:"key"`
}

// String never shows a secret.
func (c *config) String() string { return "fastly config for " + c.Login + " at " + c.APIURL }

// GoString is String.
func (c *config) GoString() string { return c.String() }

func (b *backend) pathConfig() *framework.Path {
	return &framework.Path{
		Pattern:      configPath,
		DisplayAttrs: &framework.DisplayAttributes{OperationPrefix: operationPrefix, OperationSuffix: "configuration"},
		Fields: map[string]*framework.FieldSchema{
			"api_url":     {Type: framework.TypeString, Description: "Fastly API base URL (https; http only on loopback).", Default: wrapper.DefaultBaseURL},
			"login":       {Type: framework.TypeString, Description: "The Fastly user's login."},
			"password":    {Type: framework.TypeString, Description: "The user's password (never returned).", DisplayAttrs: &framework.DisplayAttributes{Sensitive: true}},
			"totp_secret": {Type: framework.TypeString, Description: "Base32 two-factor secret, for accounts with 2FA (never returned).", DisplayAttrs: &framework.DisplayAttributes{Sensitive: true}},
			"key":         {Type: framework.TypeString, Description: "An API key of the same user, to read and revoke (never returned).", DisplayAttrs: &framework.DisplayAttributes{Sensitive: true}},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.CreateOperation: &framework.PathOperation{Callback: b.configWrite},
			logical.UpdateOperation: &framework.PathOperation{Callback: b.configWrite},
			logical.ReadOperation:   &framework.PathOperation{Callback: b.configRead},
			logical.DeleteOperation: &framework.PathOperation{Callback: b.configDelete},
		},
		ExistenceCheck: func(ctx context.Context, req *logical.Request, _ *framework.FieldData) (bool, error) {
			c, err := b.config(ctx, req.Storage)
			return c != nil, err
		},
		HelpSynopsis: "Where and as whom the engine signs in to Fastly.",
		HelpDescription: `api_url, login, password, optional totp_secret, and key (an API key of login's user).
A write checks the key (GET /tokens/self) and signs in once (POST /sudo)
before anything is stored; changing api_url or login needs password and key
(and totp_secret, when set) in the same write. A refused sign-in is not
repeated until config is written again. A read returns api_url, login and
which secrets are set, never a secret.`,
	}
}

// config reads the stored configuration; nil when there is none.
func (b *backend) config(ctx context.Context, s logical.Storage) (*config, error) {
	entry, err := s.Get(ctx, configPath)
	if err != nil || entry == nil {
		return nil, err
	}
	var c config
	if err := entry.DecodeJSON(&c); err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	return &c, nil
}

func (b *backend) saveConfig(ctx context.Context, s logical.Storage, c *config) error {
	entry, err := logical.StorageEntryJSON(configPath, c)
	if err != nil {
		return err
	}
	return s.Put(ctx, entry)
}

func (b *backend) configWrite(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	c, err := b.config(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if c == nil {
		c = &config{APIURL: wrapper.DefaultBaseURL}
	}
	if refusal := secretsGoWithTheirPlace(c, d); refusal != "" {
		return logical.ErrorResponse(refusal), nil
	}
	for field, into := range map[string]*string{"api_url": &c.APIURL, "login": &c.Login, "password": &c.Password, "totp_secret": &c.TOTPSecret, "key": &c.Key} {
		if v, ok := d.GetOk(field); ok {
			*into = v.(string)
			if field != "api_url" && field != "login" {
				*into = oneLine(*into)
			}
		}
	}
	if c.Login == "" || c.Password == "" || c.Key == "" {
		return logical.ErrorResponse("login, password and key are required"), nil
	}
	if _, err := url.Parse(c.APIURL); err != nil {
		return logical.ErrorResponse("api_url does not parse"), nil
	}
	if _, err := wrapper.New(wrapper.WithBaseURL(c.APIURL), wrapper.WithToken(c.Key), wrapper.WithBasicAuth(c.Login, c.Password)); err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}
	if c.TOTPSecret != "" {
		if _, _, err := fastlyrules.TOTP(c.TOTPSecret, b.now()); err != nil {
			return logical.ErrorResponse(err.Error()), nil
		}
	}
	client, owner, until, refusal := b.verifyConfig(ctx, c)
	if refusal != "" {
		return logical.ErrorResponse(refusal), nil
	}
	if err := b.saveConfig(ctx, req.Storage, c); err != nil {
		return nil, err
	}
	b.forgetSignIn()
	b.mu.Lock() // what the check learnt serves the new config generation
	b.ownerOf, b.owner, b.sudoUntil = fingerprint(c), owner, until
	b.cached, b.clientOf = client, generation(c)
	b.mu.Unlock()
	return nil, nil
}

// secretsGoWithTheirPlace refuses a write that changes api_url or login of
// a stored config without giving password and key (and totp_secret, when
// one is set) again: else the stored secrets would be sent to a new host,
// or for a new login, by whoever may write config but not read them.
func secretsGoWithTheirPlace(c *config, d *framework.FieldData) string {
	if c.Login == "" && c.Key == "" {
		return "" // a first write
	}
	moved := false
	for field, was := range map[string]string{"api_url": c.APIURL, "login": c.Login} {
		if v, ok := d.GetOk(field); ok && v.(string) != was {
			moved = true
		}
	}
	if !moved {
		return ""
	}
	needed := []string{"password", "key"}
	if c.TOTPSecret != "" {
		needed = append(needed, "totp_secret")
	}
	var missing []string
	for _, field := range needed {
		if _, ok := d.GetOk(field); !ok {
			missing = append(missing, field)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "changing api_url or login needs " + strings.Join(needed, ", ") + " in the same write (missing: " + strings.Join(missing, ", ") +
		"): the stored secrets are never sent to a new host or for a new login"
}

// oneLine strips one line ending from a secret read from a file (echo and
// jq -r end it with one).
func oneLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// verifyConfig checks the key and the credentials once, before they are
// stored: GET /tokens/self with the key (whose user it is), then POST
// /sudo as login (which Fastly refuses unless the key is login's). It
// returns the Client it used, the key's user and the sudo window, or why
// the config is refused.
func (b *backend) verifyConfig(ctx context.Context, c *config) (client *wrapper.Client, owner string, until time.Time, refusal string) {
	client, err := b.client(c)
	if err != nil {
		return nil, "", time.Time{}, err.Error()
	}
	self, err := client.Current(ctx)
	if err != nil {
		return nil, "", time.Time{}, "the key does not prove out at " + c.APIURL + " (GET /tokens/self): " + err.Error()
	}
	b.mu.Lock()
	code, err := b.oneTimeCode(ctx, c)
	b.mu.Unlock()
	if err != nil {
		return nil, "", time.Time{}, err.Error()
	}
	until, err = client.Sudo(ctx, wrapper.SudoInput{Username: c.Login, Password: c.Password, OTP: code})
	if err != nil {
		return nil, "", time.Time{}, "signing in as " + c.Login + " with the key (POST /sudo) failed; the key must be " + c.Login + "'s: " + err.Error()
	}
	return client, self.UserID, until, ""
}

func (b *backend) configRead(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	c, err := b.config(ctx, req.Storage)
	if err != nil || c == nil {
		return nil, err
	}
	return &logical.Response{Data: map[string]any{
		"api_url": c.APIURL, "login": c.Login,
		"password_set": c.Password != "", "totp_secret_set": c.TOTPSecret != "", "key_set": c.Key != "",
	}}, nil
}

func (b *backend) configDelete(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	b.forgetSignIn()
	return nil, req.Storage.Delete(ctx, configPath)
}

// errNotConfigured is the answer before config is written.
var errNotConfigured = errors.New("the engine is not configured: write config first")
