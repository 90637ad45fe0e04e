package httpapi_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/httpapi"
	"github.com/bankfeed/bankfeed/internal/inspector"
	"github.com/bankfeed/bankfeed/internal/webhooks"
)

// This file turns the table of openapi_routes_test.go and the wire types
// into the OpenAPI document (openapi.json). The schemas are derived from the
// Go types by the rules encoding/json follows when it writes them, so a
// field added to a wire type reaches the document by regenerating it, and
// the end-to-end tests, which validate every response against the
// document, fail until it is.

// obj is a JSON object of the document.
type obj = map[string]any

// docGen builds one document.
type docGen struct {
	schemas obj                     // components.schemas
	named   map[reflect.Type]string // response-side component of a type
	// requestNamed are the components of request bodies.
	requestNamed map[string]reflect.Type
	comments     map[string]string      // doc comments of the wire types: "Type" and "Type.Field"
	examples     map[string]map[int]obj // real responses, by operationId and status
}

func newDocGen() *docGen {
	return &docGen{schemas: obj{}, named: map[reflect.Type]string{}, comments: wireComments(), examples: realExamples()}
}

// The real responses the document shows as examples: those a scripted
// session records (internal/app's TestOpenAPIExamples), and the golden 203
// of every MFA flow.
const (
	examplesDir = "../app/testdata/openapi-examples"
	goldenDir   = "../app/testdata/golden"
)

// realExamples reads the examples, by operationId and status.
func realExamples() map[string]map[int]obj {
	out := map[string]map[int]obj{}
	add := func(op string, status int, name, file string) {
		data, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			panic(fmt.Sprintf("openapi: example %s: %v", file, err))
		}
		if out[op] == nil {
			out[op] = map[int]obj{}
		}
		if out[op][status] == nil {
			out[op][status] = obj{}
		}
		out[op][status][name] = obj{"summary": strings.ReplaceAll(name, "_", " "), "value": v}
	}
	recorded, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	if err != nil {
		panic(err)
	}
	for _, file := range recorded {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(file), ".json"), ".")
		if len(parts) != 3 {
			panic("openapi: an example is named <operationId>.<status>.<name>.json, not " + file)
		}
		status, err := strconv.Atoi(parts[1])
		if err != nil {
			panic("openapi: an example is named <operationId>.<status>.<name>.json, not " + file)
		}
		add(parts[0], status, parts[2], file)
	}
	golden, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		panic(err)
	}
	for _, file := range golden {
		add("Authorize", http.StatusNonAuthoritativeInfo, strings.TrimSuffix(filepath.Base(file), ".json"), file)
	}
	return out
}

// Types with a JSON form of their own (a MarshalJSON or UnmarshalJSON
// method), or with a fixed set of values.
var (
	moneyType     = reflect.TypeFor[flinks.Money]()
	boolType      = reflect.TypeFor[flinks.Bool]()
	responsesType = reflect.TypeFor[flinks.SecurityResponses]()
	codeType      = reflect.TypeFor[flinks.Code]()
	challengeType = reflect.TypeFor[flinks.ChallengeType]()
	timeType      = reflect.TypeFor[time.Time]()
	rawType       = reflect.TypeFor[json.RawMessage]()
)

// ownForm panics for a type with a JSON form of its own that the generator
// does not know: its schema cannot be derived from its Go type.
func ownForm(t reflect.Type) {
	p := reflect.PointerTo(t)
	if p.Implements(reflect.TypeFor[json.Marshaler]()) || p.Implements(reflect.TypeFor[json.Unmarshaler]()) {
		panic("openapi: " + t.String() + " has a JSON form of its own: give it a schema in response and request")
	}
}

// allCodes is every FlinksCode, sorted.
func allCodes() []flinks.Code {
	return slices.Sorted(maps.Keys(httpapi.StatusTable()))
}

// challengeTypes are the values of flinks.ChallengeType.
var challengeTypes = []flinks.ChallengeType{flinks.QuestionAndAnswer, flinks.MultipleChoice,
	flinks.MultipleChoiceMultipleAnswers, flinks.ImageSelection, flinks.TextOrCall, flinks.WaitUntilEUAccept}

// response returns the schema of a body bankfeed writes: exact, since
// bankfeed is exact in what it sends. Structs become components (named
// after the Go type) that allow no property they do not list and require
// every property encoding/json always writes.
func (g *docGen) response(t reflect.Type) obj {
	switch {
	case t == moneyType:
		return obj{"type": "number", "description": "An amount in dollars, with at most two decimals."}
	case t == timeType:
		return obj{"type": "string", "format": "date-time"}
	case t == codeType:
		return obj{"type": "string", "enum": allCodes()}
	case t == challengeType:
		return obj{"type": "string", "enum": challengeTypes}
	case t == rawType:
		return obj{"description": "Any JSON value, as recorded."}
	}
	if t.Kind() != reflect.Pointer {
		ownForm(t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.response(t.Elem()))
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t, true)
		}
		name := t.Name()
		if n, ok := componentNames[t]; ok {
			name = n
		}
		if have, ok := g.named[t]; ok {
			return ref(have)
		}
		if _, taken := g.schemas[name]; taken {
			panic("openapi: two wire types named " + name)
		}
		g.named[t] = name
		g.schemas[name] = obj{} // a placeholder, for recursive types
		g.schemas[name] = g.object(t, true)
		return ref(name)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": "string", "contentEncoding": "base64"}
		}
		// encoding/json writes a nil slice as null.
		return nullable(obj{"type": "array", "items": g.response(t.Elem())})
	case reflect.Map:
		return nullable(obj{"type": "object", "additionalProperties": g.response(t.Elem())})
	}
	return scalar(t)
}

// request returns the schema of a body bankfeed reads: as lenient as its
// decoder (docs/data.md, reference section 15). Keys match
// case-insensitively and unknown keys are ignored, so no key is required
// (a missing one is the handler's INVALID_REQUEST, with a message that says
// which) and other keys are allowed; booleans may be strings. Nested
// structs are inlined: a component name is a response type's.
func (g *docGen) request(t reflect.Type) obj {
	switch {
	case t == boolType:
		// The strings strconv.ParseBool reads, around blanks; blank is false.
		return obj{"type": []string{"boolean", "string", "null"}, "pattern": `^\s*(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)?\s*$`,
			"description": "A boolean; the strings \"true\" and \"false\" (and the other spellings of Go's strconv.ParseBool; blank for false) are accepted too."}
	case t == responsesType:
		answer := obj{"type": []string{"string", "number"}}
		return obj{"type": []string{"object", "null"}, "description": "Answers by prompt: a string or a list of strings each.",
			"additionalProperties": obj{"type": []string{"string", "array", "null"}, "items": answer}}
	case t == moneyType:
		return obj{"type": []string{"number", "string", "null"}}
	}
	if t.Kind() != reflect.Pointer {
		ownForm(t)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.request(t.Elem()))
	case reflect.Struct:
		return g.object(t, false)
	case reflect.Slice:
		return nullable(obj{"type": "array", "items": g.request(t.Elem())})
	case reflect.Map:
		return nullable(obj{"type": "object", "additionalProperties": g.request(t.Elem())})
	}
	s := scalar(t)
	if t.Kind() == reflect.String || t.Kind() == reflect.Int || t.Kind() == reflect.Float64 {
		// encoding/json reads null into any field as its zero value.
		s = nullable(s)
	}
	return s
}

// componentNames name the components of the types outside package flinks,
// whose Go names say less out of their package.
var componentNames = map[reflect.Type]string{
	reflect.TypeFor[webhooks.View]():              "WebhookDelivery",
	reflect.TypeFor[webhooks.AttemptView]():       "WebhookAttempt",
	reflect.TypeFor[httpapi.DeliveriesResponse](): "WebhookDeliveries",
	reflect.TypeFor[httpapi.TestRequest]():        "WebhookTestRequest",
	reflect.TypeFor[inspector.Login]():            "SandboxLogin",
	reflect.TypeFor[inspector.Detail]():           "SandboxLoginDetail",
	reflect.TypeFor[inspector.Session]():          "SandboxSession",
	reflect.TypeFor[inspector.Account]():          "SandboxAccount",
	reflect.TypeFor[inspector.Transaction]():      "SandboxTransaction",
}

// timestamp is the pattern of flinks.TimeLayout; date of a calendar day.
const (
	timestamp = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{7}$`
	date      = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
)

// fieldRules are the values a field takes beyond its Go type: in requests,
// as the handlers check them (internal/accounts/options.go), a value
// outside them being an INVALID_REQUEST; in responses, as bankfeed writes
// them.
var fieldRules = map[string]obj{
	"Login.LastRefresh":              {"pattern": timestamp, "description": "UTC, as yyyy-MM-ddTHH:mm:ss.fffffff (no zone suffix)."},
	"IneligibleCard.LastRefreshDate": {"pattern": timestamp},
	"Transaction.Date":               {"pattern": date},
	"Error.Message":                  {"minLength": 1},
	"Error.ValidationDetails":        {"description": "The problems of each field, by field name."},
	"DataRequest.DaysOfTransactions": {"pattern": anyCase("Days90", "Days365", "Days360"),
		"description": "Days90 (the default) or Days365, in any case; Days360 reads as Days365."},
	"DataRequest.NumberOfStatements": {"pattern": anyCase("MostRecent", "Months3", "Months12"),
		"description": "MostRecent (the default), Months3 or Months12, in any case."},
	"DataRequest.DateFrom":        {"pattern": `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`, "description": "A date as yyyy-MM-dd."},
	"DataRequest.DateTo":          {"pattern": `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`, "description": "A date as yyyy-MM-dd."},
	"FieldMatchRequest.Threshold": {"minimum": 0, "maximum": 1},
}

// anyCase is a pattern matching any of words in any case, or nothing: a
// JSON Schema pattern has no case-insensitive flag.
func anyCase(words ...string) string {
	var alts []string
	for _, w := range words {
		var b strings.Builder
		for _, r := range w {
			if lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r)); lo != up {
				b.WriteString("[" + up + lo + "]")
			} else {
				b.WriteRune(r)
			}
		}
		alts = append(alts, b.String())
	}
	return "^(" + strings.Join(alts, "|") + ")?$"
}

func scalar(t reflect.Type) obj {
	switch t.Kind() {
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return obj{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return obj{"type": "number"}
	case reflect.Interface:
		return obj{}
	}
	panic("openapi: no schema for " + t.String())
}

// requestComponent is request's schema of a body, as a component named after
// its type.
func (g *docGen) requestComponent(t reflect.Type) obj {
	name := t.Name()
	if n, ok := componentNames[t]; ok {
		name = n
	}
	if _, taken := g.schemas[name]; taken {
		if g.requestNamed[name] != t {
			panic("openapi: two wire types named " + name)
		}
		return ref(name)
	}
	if g.requestNamed == nil {
		g.requestNamed = map[string]reflect.Type{}
	}
	g.requestNamed[name] = t
	g.schemas[name] = g.request(t)
	return ref(name)
}

// object is the schema of a struct, by encoding/json's field rules:
// the json tag's name or the field's, omitempty and omitzero fields optional, embedded
// structs' fields promoted.
func (g *docGen) object(t reflect.Type, exact bool) obj {
	props := obj{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || !f.IsExported() && !f.Anonymous {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			var s obj
			if exact {
				s = g.response(f.Type)
			} else {
				s = g.request(f.Type)
			}
			if c := g.comments[t.Name()+"."+f.Name]; c != "" && t.PkgPath() == flinksPkg {
				s = describe(s, c)
			}
			if extra, ok := fieldRules[t.Name()+"."+f.Name]; ok && t.PkgPath() == flinksPkg {
				s = clone(s)
				for k, v := range extra {
					s[k] = v
				}
			}
			props[name] = s
			if o := strings.Split(opts, ","); !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := obj{"type": "object", "properties": props}
	if exact {
		s["additionalProperties"] = false
		if len(required) > 0 {
			s["required"] = required
		}
	}
	if c := g.comments[t.Name()]; c != "" && t.PkgPath() == flinksPkg {
		s["description"] = c
	}
	return s
}

const flinksPkg = "github.com/bankfeed/bankfeed/flinks"

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// nullable adds null to the values s allows.
func nullable(s obj) obj {
	switch t := s["type"].(type) {
	case string:
		out := clone(s)
		out["type"] = []string{t, "null"}
		if e, ok := s["enum"]; ok {
			out["enum"] = append(toAnySlice(e), nil)
		}
		return out
	case []string:
		if slices.Contains(t, "null") {
			return s
		}
		out := clone(s)
		out["type"] = append(slices.Clone(t), "null")
		return out
	}
	return obj{"oneOf": []any{s, obj{"type": "null"}}}
}

// describe attaches a description to s, a $ref too: 3.1 allows keywords
// beside a $ref.
func describe(s obj, text string) obj {
	out := clone(s)
	out["description"] = text
	return out
}

func clone(s obj) obj {
	out := make(obj, len(s))
	for k, v := range s {
		out[k] = v
	}
	return out
}

func toAnySlice(v any) []any {
	rv := reflect.ValueOf(v)
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

// wireComments reads the doc comments of package flinks' types and fields,
// so that the document's descriptions are the code's.
func wireComments() map[string]string {
	fset := token.NewFileSet()
	dir := filepath.Join("..", "..", "flinks")
	entries, err := os.ReadDir(dir)
	if err != nil {
		panic(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			panic(err)
		}
		files = append(files, f)
	}
	p, err := doc.NewFromFiles(fset, files, flinksPkg)
	if err != nil {
		panic(err)
	}
	out := map[string]string{}
	for _, t := range p.Types {
		out[t.Name] = oneParagraph(t.Doc)
		for _, spec := range t.Decl.Specs {
			ts, ok := spec.(*ast.TypeSpec)
			if !ok {
				continue
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, f := range st.Fields.List {
				text := f.Doc.Text()
				if text == "" {
					text = f.Comment.Text()
				}
				for _, n := range f.Names {
					if text != "" {
						out[t.Name+"."+n.Name] = oneParagraph(text)
					}
				}
			}
		}
	}
	return out
}

var spaces = regexp.MustCompile(`\s+`)

func oneParagraph(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// pathParams lists the {names} of a path template.
var pathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// build returns the whole document.
func (g *docGen) build(ops []operation) obj {
	paths := obj{}
	for _, op := range ops {
		method, path, ok := strings.Cut(op.Pattern, " ")
		if !ok {
			panic("openapi: pattern without a method: " + op.Pattern)
		}
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		if _, dup := item[strings.ToLower(method)]; dup {
			panic("openapi: two operations for " + op.Pattern)
		}
		item[strings.ToLower(method)] = g.operation(op, path)
	}
	for id, byStatus := range g.examples {
		for status := range byStatus {
			if !slices.ContainsFunc(ops, func(op operation) bool {
				_, ok := op.OK[status]
				_, isErr := op.Errors[status]
				return op.ID == id && (ok || isErr)
			}) {
				panic(fmt.Sprintf("openapi: an example of %s %d, which the document does not describe", id, status))
			}
		}
	}
	errSchema := g.response(reflect.TypeFor[flinks.Error]())
	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": obj{
			"title":   "bankfeed",
			"version": "3",
			"description": "The Flinks v3 BankingServices API as bankfeed serves it, with its enrichment endpoints, " +
				"its sandbox control surface (/sandbox/v1/) and its health check. Operation names under " +
				"/v3/{customerId}/BankingServices/ are matched case-insensitively; this document spells them " +
				"as bankfeed's routes do. Every error body has the Error shape: its HttpStatusCode equals the " +
				"HTTP status and its FlinksCode is one of the codes listed for that status.",
			"license": obj{"name": "See the bankfeed repository"},
		},
		"servers": []any{obj{"url": "/", "description": "the bankfeed server that serves this document"}},
		"tags":    tags,
		"paths":   paths,
		"components": obj{
			"schemas": g.schemas,
			"responses": obj{
				"Unrouted": obj{
					"description": "No route matches: 404 for an unknown path, 405 (with an Allow header) for a known path " +
						"and another method. Neither belongs to an operation of this document.",
					"content": obj{"application/json": obj{"schema": obj{"allOf": []any{errSchema, obj{
						"properties": obj{
							"HttpStatusCode": obj{"enum": []int{http.StatusNotFound, http.StatusMethodNotAllowed}},
							"FlinksCode":     obj{"const": flinks.CodeMethodNotAvailable},
						}}}}}},
				},
			},
			"securitySchemes": obj{
				schemeAuthKey: obj{"type": "apiKey", "in": "header", "name": "flinks-auth-key",
					"description": "On /Authorize, a single-use authorize token from /GenerateAuthorizeToken; on " +
						"/GenerateAuthorizeToken, the customer's secret key. The public sandbox customer needs none."},
				schemeAPIKey: obj{"type": "apiKey", "in": "header", "name": "x-api-key",
					"description": "The customer's API key, on every endpoint but /Authorize and /GenerateAuthorizeToken. " +
						"The public sandbox customer needs none."},
				schemeBearer: obj{"type": "http", "scheme": "bearer",
					"description": "The customer's secret key, on /GetNightlyRefreshStatus."},
				schemeAdmin: obj{"type": "http", "scheme": "bearer",
					"description": "The server's admin key (--admin-key), on the sandbox control surface: required when " +
						"set, and the surface exists outside sandbox mode only with it."},
			},
		},
	}
}

// operation is one operation object.
func (g *docGen) operation(op operation, path string) obj {
	out := obj{"operationId": op.ID, "summary": op.Summary, "tags": []string{op.Tag}}
	if op.Description != "" {
		out["description"] = op.Description
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		params = append(params, obj{"name": m[1], "in": "path", "required": true, "schema": obj{"type": "string"},
			"description": pathParamText[m[1]]})
	}
	for _, q := range op.Query {
		s := obj{"type": q.Type}
		if q.Type == "integer" {
			s["minimum"] = 0
		}
		params = append(params, obj{"name": q.Name, "in": "query", "required": false, "schema": s, "description": q.Text})
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	switch {
	case op.Security == secNone:
	case op.Required:
		out["security"] = []any{obj{string(op.Security): []string{}}}
	case op.OrToken:
		out["security"] = []any{obj{}, obj{string(op.Security): []string{}}, obj{schemeAuthKey: []string{}}}
	default:
		// The public sandbox customer (and the control surface in sandbox
		// mode without an admin key) takes no credential: the empty
		// requirement says so.
		out["security"] = []any{obj{}, obj{string(op.Security): []string{}}}
	}
	if op.Body != nil {
		out["requestBody"] = obj{"required": false, "content": obj{"application/json": obj{
			"schema": g.requestComponent(reflect.TypeOf(op.Body))}}}
	}
	responses := obj{}
	for status, body := range op.OK {
		var s obj
		if str, ok := body.(schemaOnly); ok {
			s = obj(str)
		} else {
			s = g.response(reflect.TypeOf(body))
			refine := clone(op.Refine[status])
			if hasStatusField(reflect.TypeOf(body)) {
				refine["properties"] = obj{"HttpStatusCode": obj{"const": status}}
			}
			if len(refine) > 0 {
				s = obj{"allOf": []any{s, refine}}
			}
		}
		media := obj{"schema": s}
		if ex := g.examples[op.ID][status]; ex != nil {
			media["examples"] = ex
		}
		responses[strconv.Itoa(status)] = obj{"description": http.StatusText(status), "content": obj{"application/json": media}}
	}
	errSchema := g.response(reflect.TypeFor[flinks.Error]())
	for status, codes := range op.Errors {
		if _, dup := responses[strconv.Itoa(status)]; dup {
			panic(fmt.Sprintf("openapi: %s: status %d is both a success and an error", op.ID, status))
		}
		codes = slices.Clone(codes)
		sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
		codes = slices.Compact(codes)
		text := make([]string, len(codes))
		for i, c := range codes {
			text[i] = string(c)
		}
		media := obj{"schema": obj{"allOf": []any{errSchema, obj{"properties": obj{
			"HttpStatusCode": obj{"const": status},
			"FlinksCode":     obj{"enum": codes},
		}}}}}
		if ex := g.examples[op.ID][status]; ex != nil {
			media["examples"] = ex
		}
		resp := obj{"description": http.StatusText(status) + ": " + strings.Join(text, ", "),
			"content": obj{"application/json": media}}
		if status == http.StatusUnauthorized && op.Security == secAdmin {
			resp["headers"] = obj{"WWW-Authenticate": obj{"schema": obj{"type": "string"}}}
		}
		responses[strconv.Itoa(status)] = resp
	}
	out["responses"] = responses
	return out
}

// schemaOnly is a success body given as a schema rather than a Go type.
type schemaOnly obj

func hasStatusField(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	f, ok := t.FieldByName("HttpStatusCode")
	return ok && f.Type.Kind() == reflect.Int
}

// marshalDocument is the document's bytes as committed: indented, keys
// sorted (encoding/json sorts map keys), a final newline.
func marshalDocument(doc obj) []byte {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}
