package archtest

// module is bankfeed's module path.
const module = "github.com/bankfeed/bankfeed"

// m names a package of the module; a path ending in "/..." names it and
// every package below it.
func m(path string) string { return module + "/" + path }

// rule is one dependency rule, over transitive dependencies: a package
// matching From depends, directly or through others, on none of Never;
// or, when Only is set, on nothing but the standard library and Only.
// Packages matching Except are exempt.
type rule struct {
	From   string
	Never  []string
	Only   []string
	Except []string
	Why    string
}

// mustExist are packages the rules are written for: a rename that left a
// rule matching nothing would silently drop it, so the test fails instead.
var mustExist = []string{
	m("flinks"), m("connector"), m("connector/connectortest"), m("client"), m("connectors/sandbox"),
	m("internal/session"), m("internal/secrets"), m("internal/institutions"), m("internal/authorize"),
	m("internal/accounts"), m("internal/logins"), m("internal/refresh"), m("internal/jobs"),
	m("internal/store"), m("internal/store/sqlitestore"), m("internal/store/pgstore"), m("internal/store/storetest"),
	m("internal/httpapi"), m("internal/tenants"), m("internal/vault"), m("internal/rotation"), m("internal/webhooks"), m("internal/app"),
	m("internal/enrich"), m("internal/fieldmatch"), m("internal/connect"), m("internal/metrics"), m("internal/certs"),
	m("cmd/bankfeed"), m("internal/vclock"), m("internal/reset"), m("internal/provision"), m("bankfeedtest"),
	m("internal/openapitest"),
	m("internal/faults"), m("internal/journal"), m("internal/inspector"), m("internal/detailjson"),
}

// rules are bankfeed's dependency rules (docs/architecture.md). Each
// reason is printed with a violation.
var rules = []rule{
	// The public packages: what a third party imports.
	{From: m("flinks"), Only: []string{},
		Why: "flinks is the public wire format, shared by the server and the SDK: standard library only"},
	{From: m("connector/..."), Only: []string{m("flinks"), m("connector")},
		Why: "the connector contract and its suite are public: a connector written outside bankfeed needs nothing internal"},
	{From: m("client"), Only: []string{m("flinks")},
		Why: "the Go SDK talks to a server over HTTP: it shares the wire types and nothing else"},
	{From: m("internal/enrich"), Only: []string{m("flinks")},
		Why: "enrichment is pure computation over the wire types: no store, no service, no I/O"},
	{From: m("internal/fieldmatch"), Only: []string{m("flinks")},
		Why: "FieldMatch's scoring is pure: its normalisation is tested alone, without a store or a session"},
	{From: m("internal/connect"), Only: []string{m("flinks")},
		Why: "the Connect widget is a client of the public API: its server side serves files, and holds no engine, store or service"},
	{From: m("internal/certs"), Only: []string{},
		Why: "TLS files and the local CA are the standard library's crypto: nothing of bankfeed's"},
	{From: m("internal/vclock"), Only: []string{m("internal/store"), m("connector"), m("flinks")},
		Why: "the virtual clock is an offset kept in the store: it knows no service, and every service knows it only as a func() time.Time"},
	{From: m("internal/reset"), Only: []string{m("internal/store"), m("connector"), m("flinks")},
		Why: "a reset deletes rows through the store contract, in one transaction; the parts of the control plane add theirs by hooks"},
	{From: m("internal/provision"), Never: []string{m("internal/httpapi"), m("internal/jobs"), m("connectors/..."),
		"github.com/riverqueue/river/..."},
		Why: "saving a login drives the conversations' engine and waits for the jobs' fetch; it serves no request, runs no job, and knows the sandbox bank only by the answers app hands it"},
	{From: m("connectors/..."), Only: []string{m("connector"), m("flinks")},
		Why: "a connector imports only the public contract, as a third party's would"},

	// Only the composition root chooses implementations.
	{From: m("..."), Never: []string{m("internal/store/sqlitestore"), m("internal/store/pgstore/...")},
		Except: []string{m("internal/app"), m("cmd/bankfeed"), m("bankfeedtest"), m("internal/store/pgstore/pgtest")},
		Why:    "only internal/app chooses a store implementation; everything else works on the store contract"},
	{From: m("..."), Never: []string{"modernc.org/sqlite/...", "github.com/riverqueue/river/riverdriver/riversqlite/..."},
		Except: []string{m("internal/app"), m("cmd/bankfeed"), m("bankfeedtest"), m("internal/store/sqlitestore")},
		Why:    "only sqlitestore, and internal/app which opens it, may depend on SQLite's driver"},
	{From: m("..."), Never: []string{"github.com/jackc/pgx/v5/...", "github.com/riverqueue/river/riverdriver/riverpgxv5/..."},
		Except: []string{m("internal/app"), m("cmd/bankfeed"), m("bankfeedtest"), m("internal/store/pgstore/...")},
		Why:    "only pgstore (and its test helper), and internal/app which opens it, may depend on PostgreSQL's driver"},
	{From: m("..."), Never: []string{"github.com/prometheus/..."},
		Except: []string{m("internal/metrics"), m("internal/app"), m("cmd/bankfeed"), m("bankfeedtest")},
		Why:    "Prometheus is internal/metrics' business: the services report through functions internal/app wires to it (which the command and bankfeedtest run)"},
	{From: m("..."), Never: []string{m("internal/app")}, Except: []string{m("cmd/bankfeed"), m("bankfeedtest")},
		Why: "internal/app is the composition root: nothing is built on it but the command, and bankfeedtest, which runs it in a test"},
	{From: m("bankfeedtest"), Never: []string{m("internal/store/storetest"), m("internal/store/pgstore/pgtest"), m("connector/connectortest")},
		Why: "bankfeedtest is what integrators import: the server and the SDK, never bankfeed's own test helpers"},
	{From: m("..."), Never: []string{m("cmd/...")},
		Why: "commands are the outermost layer"},

	// Dependencies point inward.
	// (fmt depends on os, so the standard library's I/O is named by what a
	// machine would use it for: a database, the network, processes.)
	{From: m("internal/session"), Never: []string{m("internal/store/..."), m("internal/secrets"), m("internal/vault"),
		m("internal/institutions"), "database/sql", "net", "net/http", "os/exec", "github.com/riverqueue/river/..."},
		Why: "the session machine is pure: (state, event, now) -> next state, with no I/O"},
	{From: m("internal/store"), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/logins"),
		m("internal/refresh"), m("internal/jobs"), m("internal/httpapi"), m("internal/secrets"), m("internal/session"),
		m("internal/vault"), m("internal/tenants")},
		Why: "the store contract stores rows; business rules live above it"},
	{From: m("internal/store/..."), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/logins"),
		m("internal/refresh"), m("internal/jobs"), m("internal/httpapi"), m("internal/secrets"), m("internal/session")},
		Why: "the stores and their suite know the contract, not the services above it"},
	{From: m("internal/vault"), Never: []string{m("internal/...")},
		Why: "the vault seals bytes; it knows nothing of bankfeed's rows"},
	{From: m("internal/secrets"), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/logins"),
		m("internal/refresh"), m("internal/httpapi"), m("internal/jobs")},
		Why: "what is sealed, and for which row, is below the services that seal"},
	{From: m("internal/rotation"), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/logins"),
		m("internal/refresh"), m("internal/httpapi"), m("internal/jobs")},
		Why: "key rotation needs the sealed columns and their AAD names (secrets), not the engine"},
	{From: m("internal/accounts"), Never: []string{m("internal/authorize"), m("internal/logins"), m("internal/refresh"), m("internal/httpapi")},
		Why: "the data endpoints read sessions and snapshots; conversations and the HTTP surface are elsewhere"},
	{From: m("internal/logins"), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/refresh"), m("internal/httpapi")},
		Why: "saved-login administration stands beside the conversations, not on them"},
	{From: m("internal/refresh"), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/logins"),
		m("internal/httpapi"), m("internal/jobs")},
		Why: "authorize uses refresh's job and replay rule, never the reverse; jobs runs refresh, not the reverse"},
	{From: m("internal/authorize"), Never: []string{m("internal/httpapi"), m("internal/jobs"), m("internal/accounts"),
		m("internal/logins"), "github.com/riverqueue/river/..."},
		Why: "conversations return results; the HTTP surface renders them and the jobs engine is wired by app"},
	{From: m("internal/httpapi"), Never: []string{m("internal/jobs"), "github.com/riverqueue/river/...", "database/sql"},
		Why: "the HTTP surface calls services; it neither runs jobs nor touches a database"},
	{From: m("internal/jobs"), Never: []string{m("internal/httpapi"), m("internal/authorize"), m("internal/logins")},
		Why: "jobs is River and the workers of refresh and webhooks: it runs no conversation and serves no request " +
			"(accounts reaches it through webhooks, whose bodies are the data endpoints' answers)"},
	{From: m("internal/metrics"), Never: []string{m("internal/authorize"), m("internal/accounts"), m("internal/logins"),
		m("internal/refresh"), m("internal/jobs"), m("internal/httpapi"), m("internal/webhooks"), m("internal/tenants"),
		m("internal/secrets"), m("internal/vault"), "github.com/riverqueue/river/..."},
		Why: "metrics counts what it is told and what the store contract reads; it knows none of the services that tell it"},
	{From: m("internal/faults"), Never: []string{m("internal/httpapi"), m("internal/jobs"), m("internal/authorize"),
		m("internal/accounts"), m("internal/logins"), m("internal/refresh"), m("internal/secrets"), m("internal/vault"),
		"github.com/riverqueue/river/..."},
		Why: "fault rules read sessions and logins to match a request, nothing more; the HTTP surface applies them (the status table comes in by Config)"},
	{From: m("internal/journal"), Never: []string{m("internal/httpapi"), m("internal/jobs"), m("internal/authorize"),
		m("internal/accounts"), m("internal/logins"), m("internal/refresh"), m("internal/webhooks"), m("internal/secrets"),
		m("internal/vault"), "github.com/riverqueue/river/..."},
		Why: "the journal records what the HTTP surface hands it and what the store's writes show; it knows no service, and no key"},
	{From: m("internal/inspector"), Never: []string{m("internal/httpapi"), m("internal/jobs"), m("internal/authorize"),
		m("internal/accounts"), m("internal/logins"), m("internal/refresh"), m("internal/secrets"), m("internal/vault"),
		"github.com/riverqueue/river/..."},
		Why: "the inspector's page and views read rows; they neither unseal nor run anything"},
	{From: m("internal/webhooks"), Never: []string{m("internal/httpapi"), m("internal/jobs"), m("internal/authorize"),
		m("internal/logins"), "github.com/riverqueue/river/..."},
		Why: "webhooks writes and sends deliveries; jobs runs its job, and the HTTP surface and app wire it (the status table comes in by Config)"},

	{From: m("internal/detailjson"), Only: []string{m("flinks")},
		Why: "detailjson writes a wire body, as encoding/json would: it knows the wire types and nothing of where they come from"},

	// The OpenAPI validator is for tests: the server never validates its
	// own traffic, and ships without kin-openapi.
	{From: m("..."), Never: []string{m("internal/openapitest"), "github.com/getkin/kin-openapi/..."},
		Except: []string{m("internal/openapitest")},
		Why:    "only tests validate traffic against the OpenAPI document; no package of the server or its SDK depends on the validator"},
}
