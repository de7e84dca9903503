// Command ledger is the Formance ledger (github.com/formancehq/ledger), built
// from the commit pinned in go.mod, for the SDK's end-to-end tests.
// It only calls the ledger's own cobra root command: `ledger serve --help`.
package main

import "github.com/formancehq/ledger/cmd"

func main() {
	cmd.Execute()
}
