// Package pgtest gives each test a PostgreSQL database of its own, created
// on the server that BANKFEED_TEST_DATABASE_URL names and dropped when the
// test ends, so that test runs can overlap on one server and leave nothing
// behind.
//
// Without the variable the tests that need PostgreSQL skip, saying how to
// run them; under CI=true they fail instead, so that a CI that lost its
// database cannot pass by running nothing.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the variable naming the PostgreSQL server the tests use: a
// postgres:// URL of a role allowed to create databases.
const EnvURL = "BANKFEED_TEST_DATABASE_URL"

// Prefix starts the name of every database this package creates.
const Prefix = "bankfeed_test_"

// ServerURL returns the URL of EnvURL, skipping t (failing it under
// CI=true) when the variable is not set.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := strings.TrimSpace(os.Getenv(EnvURL))
	if u == "" {
		msg := EnvURL + " is not set: this test needs PostgreSQL. Set it to a server's URL, e.g. " +
			"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable, to run it."
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return u
}

// NewDatabase creates an empty database on the server of EnvURL and
// returns its URL; the database is dropped, with any connection still open
// to it, when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	var b [8]byte
	rand.Read(b[:])
	name := Prefix + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		// FORCE: a server process the test left running (or killed) may
		// still hold connections.
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
