package app_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/enrich"
)

// sandboxDoc is the page whose Personas section this test keeps true.
const sandboxDoc = "../../docs/sandbox.md"

// personaTable is a table of docs/sandbox.md's Personas section: a header
// naming its columns, then rows of cells, the first naming the row.
type personaTable struct {
	start   int // line index of the header
	columns []string
	rows    [][]string
}

// readPersonaTable finds the table whose header starts with first in the
// Personas section of lines.
func readPersonaTable(t *testing.T, lines []string, first string) personaTable {
	t.Helper()
	in := false
	for i, line := range lines {
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## Personas"
		case in && strings.HasPrefix(line, "| "+first+" |"):
			tb := personaTable{start: i, columns: cells(line)}
			for _, row := range lines[i+2:] {
				if !strings.HasPrefix(row, "|") {
					break
				}
				tb.rows = append(tb.rows, cells(row))
			}
			return tb
		}
	}
	t.Fatalf("%s has no table starting with %q in its Personas section", sandboxDoc, first)
	return personaTable{}
}

// cells splits a table row, without the backticks of code cells.
func cells(row string) []string {
	parts := strings.Split(strings.Trim(row, "|"), "|")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), "`")
	}
	return parts
}

// cellOf formats an attribute's value as the documentation writes it:
// numbers as decimals, strings as they are, null as null.
func cellOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case float64:
		if v == float64(int64(v)) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// sameCell reports whether a documented cell states the value got:
// numbers compared as numbers (so 2157.3 and 2157.30 agree).
func sameCell(doc, got string) bool {
	if doc == got {
		return true
	}
	a, errA := strconv.ParseFloat(doc, 64)
	b, errB := strconv.ParseFloat(got, 64)
	return errA == nil && errB == nil && a == b
}

// TestPersonas links each persona of docs/sandbox.md on the test clock, as
// that page says, and checks through the SDK what the page documents: the
// login's Type and accounts, and every attribute value of its table, so
// that the page cannot drift from the data. With -update it rewrites the
// values instead (after a deliberate change to the personas or the
// attributes; review the diff).
func TestPersonas(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(sandboxDoc)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	users := readPersonaTable(t, lines, "Username")
	values := readPersonaTable(t, lines, "Attribute")
	if len(users.rows) != 5 {
		t.Errorf("%d personas documented, want the five of the brief", len(users.rows))
	}

	s := startServer(t, "", nil)
	if got := s.clock.Now().UTC().Format("2006-01-02 15:04"); !strings.Contains(string(raw), "linked on "+got+" UTC") {
		t.Errorf("the Personas section does not say the values are of a login linked on %s UTC, the test clock", got)
	}
	ctx := context.Background()
	cards := map[string]flinks.AttributeCard{}
	for _, row := range users.rows {
		username, password, typ, accts := row[0], row[1], row[3], row[4]
		auth, err := s.client.Authorize(ctx, flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: username,
			Password: password, Save: true})
		if err != nil || auth.Login == nil {
			t.Fatalf("Authorize %s/%s: %+v, %v; the page says it links at once", username, password, auth, err)
		}
		if auth.Login.Type == nil || *auth.Login.Type != typ {
			t.Errorf("%s: Login.Type %v, documented %q", username, auth.Login.Type, typ)
		}
		d := detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
		checkBalances(t, d.Accounts)
		var types []string
		for _, a := range d.Accounts {
			types = append(types, a.Type)
			if a.AccountType == nil || *a.AccountType != typ {
				t.Errorf("%s: account %s of AccountType %v, want %s", username, a.Title, a.AccountType, typ)
			}
		}
		if got := strings.Join(types, ", "); got != accts {
			t.Errorf("%s: accounts %s, documented %s", username, got, accts)
		}
		got, err := s.client.Attributes(ctx, string(enrich.All), auth.Login.Id, auth.RequestId)
		if err != nil {
			t.Fatalf("%s: GetAllAttributes: %v", username, err)
		}
		cards[username] = got.Card
	}

	if len(values.columns) != len(users.rows)+1 {
		t.Fatalf("the attribute table has columns %q, want one per persona", values.columns)
	}
	for _, username := range values.columns[1:] {
		if cards[username] == nil {
			t.Errorf("the attribute table's column %q names no documented persona", username)
		}
	}
	changed := false
	for i, row := range values.rows {
		name := row[0]
		for j, username := range values.columns[1:] {
			card := cards[username]
			if card == nil {
				continue
			}
			v, ok := card[name]
			if !ok {
				t.Errorf("%s has no attribute %s", username, name)
				continue
			}
			if sameCell(row[j+1], cellOf(v)) {
				continue
			}
			if *update {
				values.rows[i][j+1] = cellOf(v)
				changed = true
				continue
			}
			t.Errorf("%s: %s = %s, documented %s", username, name, cellOf(v), row[j+1])
		}
	}
	if changed {
		for i, row := range values.rows {
			out := "| `" + row[0] + "` |"
			for _, c := range row[1:] {
				out += " " + c + " |"
			}
			lines[values.start+2+i] = out
		}
		if err := os.WriteFile(sandboxDoc, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the attribute values of %s", sandboxDoc)
	}
}
