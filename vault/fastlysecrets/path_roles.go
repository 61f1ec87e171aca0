package fastlysecrets

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
	"github.com/tokenward/fastlytokens/wrapper"
)

const rolePrefix = "roles/"

func (b *backend) pathRoles() []*framework.Path {
	return []*framework.Path{
		{
			Pattern:      rolePrefix + framework.GenericNameRegex("name"),
			DisplayAttrs: &framework.DisplayAttributes{OperationPrefix: operationPrefix, OperationSuffix: "role"},
			Fields: map[string]*framework.FieldSchema{
				"name":     {Type: framework.TypeString, Description: "The role's name (letters, digits, - and _)."},
				"scopes":   {Type: framework.TypeCommaStringSlice, Description: "Fastly scopes of the tokens: " + wrapper.KnownScopesText(", ") + ". Required: there is no default. global lets a lease holder manage every token of the engine's user, the engine's own key included."},
				"services": {Type: framework.TypeCommaStringSlice, Description: "Service ids the tokens are limited to (default: all)."},
				"ttl":      {Type: framework.TypeDurationSecond, Description: "Lease TTL (default: the mount's)."},
				"max_ttl":  {Type: framework.TypeDurationSecond, Description: "Longest lease, and each token's lifetime at Fastly (default: 1 hour, capped by the mount's maximum)."},
			},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.CreateOperation: &framework.PathOperation{Callback: b.roleWrite},
				logical.UpdateOperation: &framework.PathOperation{Callback: b.roleWrite},
				logical.ReadOperation:   &framework.PathOperation{Callback: b.roleRead},
				logical.DeleteOperation: &framework.PathOperation{Callback: b.roleDelete},
			},
			ExistenceCheck: func(ctx context.Context, req *logical.Request, d *framework.FieldData) (bool, error) {
				r, err := b.role(ctx, req.Storage, d.Get("name").(string))
				return r != nil, err
			},
			HelpSynopsis: "What the tokens of a role may do, and how long they live.",
			HelpDescription: "scopes (required: " + wrapper.KnownScopesText(", ") + `), services
(default all), ttl (default the mount's), max_ttl (default 1 hour): each
token of the role expires at Fastly at its lease's latest end. A role with
global warns: its lease holders can manage every token of the engine's user,
the engine's own key included.`,
		},
		{
			Pattern:      rolePrefix + "?$",
			DisplayAttrs: &framework.DisplayAttributes{OperationPrefix: operationPrefix, OperationSuffix: "roles"},
			Operations: map[logical.Operation]framework.OperationHandler{
				logical.ListOperation: &framework.PathOperation{Callback: func(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
					names, err := req.Storage.List(ctx, rolePrefix)
					if err != nil {
						return nil, err
					}
					return logical.ListResponse(names), nil
				}},
			},
			HelpSynopsis:    "The roles.",
			HelpDescription: "Lists the names of the roles written at roles/NAME.",
		},
	}
}

// role reads a role; nil when there is none.
func (b *backend) role(ctx context.Context, s logical.Storage, name string) (*fastlyrules.Role, error) {
	entry, err := s.Get(ctx, rolePrefix+name)
	if err != nil || entry == nil {
		return nil, err
	}
	var r fastlyrules.Role
	if err := entry.DecodeJSON(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (b *backend) roleWrite(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)
	if !fastlyrules.ValidRoleName(name) {
		return logical.ErrorResponse("a role name is 1 to 64 letters, digits, - and _"), nil
	}
	r, err := b.role(ctx, req.Storage, name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		r = &fastlyrules.Role{}
	}
	if v, ok := d.GetOk("scopes"); ok {
		r.Scopes = v.([]string)
	}
	if len(r.Scopes) == 0 {
		return logical.ErrorResponse("scopes is required (" + wrapper.KnownScopesText(", ") + "): a role has no default scope"), nil
	}
	if v, ok := d.GetOk("services"); ok {
		r.Services = v.([]string)
	}
	if v, ok := d.GetOk("ttl"); ok {
		r.TTL = time.Duration(v.(int)) * time.Second
	}
	if v, ok := d.GetOk("max_ttl"); ok {
		r.MaxTTL = time.Duration(v.(int)) * time.Second
	}
	for _, s := range r.Scopes {
		if !slices.Contains(wrapper.KnownScopes(), wrapper.Scope(s)) {
			return logical.ErrorResponse(fmt.Sprintf("unknown scope %q: use one of %s", s, wrapper.KnownScopesText(", "))), nil
		}
	}
	for _, s := range r.Services {
		if wrapper.CheckTokenID(s) != nil { // service ids follow the same alphanumeric rule
			return logical.ErrorResponse(fmt.Sprintf("service id %q must be alphanumeric", s)), nil
		}
	}
	if err := fastlyrules.CheckLifetimes(r.TTL, r.MaxTTL, b.System().MaxLeaseTTL()); err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}
	entry, err := logical.StorageEntryJSON(rolePrefix+name, r)
	if err != nil {
		return nil, err
	}
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, err
	}
	if slices.Contains(r.Scopes, string(wrapper.ScopeGlobal)) {
		resp := &logical.Response{}
		resp.AddWarning("scope global: a lease holder can manage every token of the engine's user, the engine's own key included " +
			"(list and revoke it, revoke other leases): prefer purge_select, purge_all or global:read")
		return resp, nil
	}
	return nil, nil
}

func (b *backend) roleRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	r, err := b.role(ctx, req.Storage, d.Get("name").(string))
	if err != nil || r == nil {
		return nil, err
	}
	services := r.Services
	if services == nil {
		services = []string{}
	}
	return &logical.Response{Data: map[string]any{
		"scopes": r.Scopes, "services": services, "ttl": int64(r.TTL / time.Second), "max_ttl": int64(r.MaxTTL / time.Second),
	}}, nil
}

func (b *backend) roleDelete(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	return nil, req.Storage.Delete(ctx, rolePrefix+d.Get("name").(string))
}
