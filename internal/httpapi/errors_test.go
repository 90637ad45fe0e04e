package httpapi_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/httpapi"
)

// TestErrorTableMatchesDocs keeps docs/errors.md and the code's table equal.
func TestErrorTableMatchesDocs(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([A-Z_ ]+)` \\| (\\d{3}) \\|")
	documented := map[flinks.Code]int{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		status, _ := strconv.Atoi(m[2])
		documented[flinks.Code(m[1])] = status
	}
	table := httpapi.StatusTable()
	for code, status := range table {
		if documented[code] != status {
			t.Errorf("%s: code says %d, docs/errors.md says %d", code, status, documented[code])
		}
	}
	for code := range documented {
		if _, ok := table[code]; !ok {
			t.Errorf("%s is in docs/errors.md but not in the code's table", code)
		}
	}
}
