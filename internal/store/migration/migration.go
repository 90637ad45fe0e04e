// Package migration reads the migrations a store embeds: SQL files named
// NNNN_what.sql, applied in the order of their names, each recorded by its
// version. Both stores apply them with their own drivers and check them
// for readiness; this is what they share of it.
package migration

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
)

// File is one migration.
type File struct {
	Version int
	Name    string // the file's name, for errors
	Body    []byte
}

// Files reads the migrations of fsys's migrations directory, in the order
// of their names (fs.Glob sorts them; the numbers are zero-padded).
func Files(fsys fs.FS) ([]File, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(names))
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Version: v, Name: base, Body: body})
	}
	return out, nil
}

// Once builds a value at its first Get and keeps it, error included: River's
// migrator reads River's embedded migrations when made, which a readiness
// probe need not do every time.
type Once[T any] struct {
	once sync.Once
	v    T
	err  error
}

// Get returns the value, building it with build the first time.
func (o *Once[T]) Get(build func() (T, error)) (T, error) {
	o.once.Do(func() { o.v, o.err = build() })
	return o.v, o.err
}
