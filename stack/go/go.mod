module formance-sdk-ts/stack/ledger

go 1.23

// The ledger is github.com/formancehq/ledger at commit
// f43a7078e7e1b9f6a354307ef994431593bf57e0 (tag v2.4.12; the module path has
// no /v2, so Go sees it only as a v0.0.0-... pseudo-version).
// `node stack/cli.mjs pin` writes the require lines for it and its nested
// module pkg/client, copies the ledger's own replace directives (they only
// apply to the main module) and writes go.sum. Commit both files after it.
