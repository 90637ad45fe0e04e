package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankfeed/bankfeed/flinks"
	"github.com/bankfeed/bankfeed/internal/app"
	"github.com/bankfeed/bankfeed/internal/vault"
)

func errUsage() error { return app.ErrUsage }

// openDB opens the server's SQLite file read-only, beside the server.
func openDB(t *testing.T, s *server) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.dataDir, "bankfeed.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// writeKeyFile writes a new master key to a file outside the data
// directory and returns its path.
func writeKeyFile(t *testing.T, dir string) string {
	t.Helper()
	key, err := vault.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "master.key")
	if err := vault.WriteKeyFile(path, [][]byte{key}); err != nil {
		t.Fatal(err)
	}
	return path
}

// runServe runs `bankfeed serve` on dataDir expecting it to refuse to
// start, and returns its error; a server that starts is stopped and nil is
// returned.
func runServe(t *testing.T, dataDir string, env map[string]string, extra ...string) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir}, extra...)
	started := false
	err := app.Main(ctx, args, func(k string) string { return env[k] }, io.Discard, testLogWriter{t},
		app.WithReady(func(string) { started = true; cancel() }))
	if started {
		return nil
	}
	return err
}

// sealedKeyIDs lists the master keys the database's sealed values name.
func sealedKeyIDs(t *testing.T, s *server) map[string]int {
	t.Helper()
	rows, err := openDB(t, s).Query(`
		SELECT hex(substr(data_key, 2, 4)) FROM logins WHERE data_key IS NOT NULL
		UNION ALL SELECT hex(substr(sealed, 2, 4)) FROM sessions WHERE sealed IS NOT NULL
		UNION ALL SELECT hex(substr(secret, 2, 4)) FROM webhooks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[strings.ToLower(id)]++
	}
	return out
}

func keyIDs(t *testing.T, path string) []string {
	t.Helper()
	keys, err := vault.ReadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, fmt.Sprintf("%08x", vault.KeyID(k)))
	}
	return ids
}

// fileDigest is the SHA-256 of the database file and its WAL.
func fileDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	for _, name := range []string{"bankfeed.db", "bankfeed.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestWrongMasterKey checks that a server refuses to start with a master
// key that does not open its database, says why, and changes nothing.
func TestWrongMasterKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, nil)
	liveLogin(t, s, "Greatday")
	s.stop()
	before := fileDigest(t, dir)

	other := writeKeyFile(t, dir)
	for name, run := range map[string]func() error{
		"--master-key-file": func() error { return runServe(t, dir, nil, "--master-key-file", other) },
		"BANKFEED_MASTER_KEY": func() error {
			key, _ := vault.NewKey()
			return runServe(t, dir, map[string]string{"BANKFEED_MASTER_KEY": hex.EncodeToString(key)})
		},
		"the data directory's key lost": func() error {
			if err := os.Rename(filepath.Join(dir, "master.key"), filepath.Join(dir, "master.key.bak")); err != nil {
				t.Fatal(err)
			}
			defer os.Rename(filepath.Join(dir, "master.key.bak"), filepath.Join(dir, "master.key"))
			return runServe(t, dir, nil)
		},
	} {
		err := run()
		if err == nil || !strings.Contains(err.Error(), "master key") {
			t.Errorf("%s: %v, want a refusal naming the master key", name, err)
		}
		if _, statErr := os.Stat(filepath.Join(dir, "master.key")); name == "the data directory's key lost" && statErr == nil {
			// Restored by the deferred rename; checked below.
		}
		if got := fileDigest(t, dir); got != before {
			t.Errorf("%s: the refused start changed the database", name)
		}
	}
	// The right key still works, and what was sealed opens.
	s = startServer(t, dir, nil)
	if _, err := s.client.AuthorizeLive(context.Background(), loginIDOf(t, s, "Greatday"), true); err != nil {
		t.Fatalf("reopen with the right key: %v", err)
	}
}

// loginIDOf returns the LoginId of a saved FlinksCapital login of the
// sandbox customer, by username.
func loginIDOf(t *testing.T, s *server, username string) string {
	t.Helper()
	var id string
	if err := openDB(t, s).QueryRow(`SELECT id FROM logins WHERE username_key = ? AND customer_id = ?`,
		strings.ToLower(username), sandboxCustomer).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// saveLogins saves n logins of the sandbox customer (users greatday_nomfa
// under n usernames would be one login; the mfa users each answer from
// storage) and returns their LoginIds.
func saveLogins(t *testing.T, s *server, users []string) []string {
	t.Helper()
	var ids []string
	for _, u := range users {
		ids = append(ids, liveLogin(t, s, u).Login.Id)
	}
	return ids
}

var rotationUsers = []string{"Greatday", "greatday_nomfa", "greatday_rotating", "mfa_triple", "greatday_allquestions"}

// TestKeyRotationUnderLoad rotates the master key with `bankfeed keys
// rotate` while clients keep logging in, reopening saved logins live (which
// opens their sealed credentials) and reading data: no request fails, and
// afterwards every sealed value is under the new key and the old key is
// gone from the file.
func TestKeyRotationUnderLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, nil)
	ids := saveLogins(t, s, []string{"Greatday", "greatday_nomfa"})
	// A webhook secret is sealed too: every new login sends deliveries
	// signed with it during the rotation.
	rcv := newReceiver(t, hookSecret, 0)
	s.admin("customers", "webhook", sandboxCustomer, "--url", rcv.url(), "--secret", hookSecret)
	keyFile := filepath.Join(dir, "master.key")
	oldIDs := keyIDs(t, keyFile)

	ctx, cancel := context.WithCancel(context.Background())
	var ops, failures atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				var err error
				switch (w + i) % 3 {
				case 0:
					_, err = s.client.AuthorizeLive(context.Background(), ids[i%len(ids)], true)
				case 1:
					_, err = s.client.AuthorizeWithMFA(context.Background(), flinks.AuthorizeRequest{
						Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday", Save: true,
					}, answerSandbox)
				case 2:
					var r *flinks.AuthorizeResponse
					if r, err = s.client.AuthorizeCached(context.Background(), ids[i%len(ids)]); err == nil {
						_, err = s.client.AccountsSummaryReady(context.Background(), flinks.DataRequest{RequestId: r.RequestId}, fastPoll...)
					}
				}
				ops.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	out := s.admin("keys", "rotate", "--batch", "1")
	cancel()
	wg.Wait()
	t.Logf("keys rotate:\n%s", out)
	if failures.Load() > 0 {
		t.Errorf("%d of %d client operations failed during the rotation; the first: %v", failures.Load(), ops.Load(), firstErr.Load())
	}
	if ops.Load() < 20 {
		t.Errorf("only %d client operations ran during the rotation", ops.Load())
	}
	newIDs := keyIDs(t, keyFile)
	if len(newIDs) != 1 || newIDs[0] == oldIDs[0] {
		t.Fatalf("key file after rotation: %v (before: %v)", newIDs, oldIDs)
	}
	if used := sealedKeyIDs(t, s); len(used) != 1 || used[newIDs[0]] == 0 {
		t.Errorf("sealed values by master key after rotation: %v, want all under %s", used, newIDs[0])
	}
	// A restart reads only the new key, and everything opens.
	s.stop()
	s = startServer(t, dir, nil)
	for _, id := range ids {
		if _, err := s.client.AuthorizeLive(context.Background(), id, true); err != nil {
			t.Errorf("reopen %s after rotation and restart: %v", id, err)
		}
	}
	s.admin("webhooks", "test", sandboxCustomer)
	deadline := time.Now().Add(30 * time.Second)
	for {
		signed := false
		for _, r := range rcv.acknowledged() {
			signed = signed || r.verified && r.json(t)["ResponseType"] == "Test"
		}
		if signed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no test delivery signed with the webhook secret after the rotation and restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKeyRotationCrash kills `bankfeed keys rotate` (a real process, with
// SIGKILL) in the middle of resealing: a restarted server opens every
// secret, and the rotation run again finishes.
func TestKeyRotationCrash(t *testing.T) {
	t.Parallel()
	bin := buildBankfeed(t)
	dir := t.TempDir()
	s := startServer(t, dir, nil)
	ids := saveLogins(t, s, rotationUsers)
	for range 10 {
		// Sessions answering a question: sealed under the master key.
		if _, err := s.client.Authorize(context.Background(), flinks.AuthorizeRequest{Institution: "FlinksCapital", Username: "Greatday", Password: "Everyday"}); err != nil {
			t.Fatal(err)
		}
	}
	s.stop()
	keyFile := filepath.Join(dir, "master.key")
	oldIDs := keyIDs(t, keyFile)

	cmd := exec.Command(bin, "keys", "rotate", "--data", dir, "--batch", "1", "--pause", "200ms")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = testLogWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has resealed a few values, well before the end; and
	// in any case after a minute, so that a rotation that hangs fails the
	// test instead of hanging it.
	watchdog := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	lines := bufio.NewScanner(stdout)
	resealed := 0
	for resealed < 3 && lines.Scan() {
		t.Logf("keys rotate: %s", lines.Text())
		if strings.Contains(lines.Text(), "resealed 1 (") {
			resealed++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if resealed < 3 {
		t.Fatalf("keys rotate ended before resealing 3 values")
	}
	during := keyIDs(t, keyFile)
	if len(during) != 2 || during[1] != oldIDs[0] {
		t.Fatalf("key file after the crash: %v, want a new key and the old %s", during, oldIDs[0])
	}

	// A server started now holds both keys and opens everything: values
	// resealed and not.
	s = startServer(t, dir, nil)
	if used := sealedKeyIDs(t, s); used[during[0]] == 0 || used[during[1]] == 0 {
		t.Fatalf("the crash did not leave values under both keys: %v", used)
	}
	for _, id := range ids {
		if _, err := s.client.AuthorizeLive(context.Background(), id, true); err != nil {
			t.Errorf("reopen %s after the crash: %v", id, err)
		}
	}
	// Run again, the rotation finishes to the key it began, not another.
	out := s.admin("keys", "rotate")
	if !strings.Contains(out, "finishing the rotation to its first, "+during[0]) {
		t.Errorf("second run:\n%s", out)
	}
	if after := keyIDs(t, keyFile); len(after) != 1 || after[0] != during[0] {
		t.Errorf("key file after the second run: %v", after)
	}
	s.stop()
	s = startServer(t, dir, nil)
	for _, id := range ids {
		if _, err := s.client.AuthorizeLive(context.Background(), id, true); err != nil {
			t.Errorf("reopen %s after the rotation: %v", id, err)
		}
	}
}

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBankfeed builds the bankfeed command once per test binary.
func buildBankfeed(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "bankfeed-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "bankfeed")
		var out bytes.Buffer
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/bankfeed/bankfeed/cmd/bankfeed")
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// TestDeleteCardDestroysDataKey checks that DeleteCard destroys the login's
// data key: neither it nor the login's sealed secrets remain in the
// database file or its WAL (a backup taken after the deletion), and the
// sealed secrets, had a copy survived, do not open with the master key.
func TestDeleteCardDestroysDataKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := startServer(t, dir, nil)
	auth := liveLogin(t, s, "Greatday")
	detail(t, s, flinks.DataRequest{RequestId: auth.RequestId})
	var dataKey, sealed []byte
	if err := openDB(t, s).QueryRow(`SELECT data_key, sealed FROM logins WHERE id = ?`, auth.Login.Id).Scan(&dataKey, &sealed); err != nil {
		t.Fatal(err)
	}
	if len(dataKey) < 40 || len(sealed) < 40 {
		t.Fatalf("the login has a %d-byte data key and %d sealed bytes", len(dataKey), len(sealed))
	}
	if _, err := s.client.DeleteCard(context.Background(), auth.Login.Id); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bankfeed.db", "bankfeed.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(data, dataKey[vault.HeaderSize:]) {
			t.Errorf("%s still holds the deleted login's wrapped data key", name)
		}
		if bytes.Contains(data, sealed[vault.HeaderSize:]) {
			t.Errorf("%s still holds the deleted login's sealed secrets", name)
		}
	}
	keys, err := vault.ReadKeyFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := vault.NewRing(keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Open(sealed, "login/"+sandboxCustomer+"/"+auth.Login.Id); !errors.Is(err, vault.ErrUnknownKey) {
		t.Errorf("the master key opened a login's secrets, or failed otherwise: %v", err)
	}
}
