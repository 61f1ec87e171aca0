// Command vault-plugin-secrets-fastly serves the Fastly secrets engine to
// Vault or OpenBao as a multiplexed plugin, with the SDK's TLS provider. It
// runs only when the server starts it; run by hand it says so and exits 1.
package main

import (
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/sdk/plugin"

	"github.com/tokenward/fastlytokens/vault/fastlysecrets"
)

func main() {
	meta := &api.PluginAPIClientMeta{}
	flags := meta.FlagSet()
	if err := flags.Parse(os.Args[1:]); err != nil {
		fatal(err)
	}
	err := plugin.ServeMultiplex(&plugin.ServeOpts{
		BackendFactoryFunc: fastlysecrets.Factory,
		TLSProviderFunc:    api.VaultPluginTLSProvider(meta.GetTLSConfig()),
	})
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	hclog.New(&hclog.LoggerOptions{}).Error("vault-plugin-secrets-fastly", "error", err)
	os.Exit(1)
}
