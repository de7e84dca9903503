module formance-sdk-ts/stack/ledger

go 1.23

// Not pinned yet: `node stack/cli.mjs pin` adds the require lines for
// github.com/formancehq/ledger and github.com/formancehq/ledger/pkg/client at
// commit f43a7078e7e1b9f6a354307ef994431593bf57e0 (tag v2.4.12), copies the
// ledger's own replace directives (google.golang.org/genproto, ...) and
// writes go.sum. Commit the result.
