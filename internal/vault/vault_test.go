package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// newVault returns a vault on a fresh random key.
func newVault(t testing.TB) *Vault {
	t.Helper()
	v, err := New(randomKey(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func randomKey(t testing.TB) []byte {
	t.Helper()
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	v := newVault(t)
	big := make([]byte, 1<<20)
	rand.Read(big)
	tests := []struct {
		name      string
		plaintext []byte
		aad       string
	}{
		{"empty", nil, "session:1"},
		{"password", []byte("Everyday"), "login:abc"},
		{"binary", []byte{0, 1, 2, 0xff, 0}, "login:abc"},
		{"empty aad", []byte("secret"), ""},
		{"1 MiB", big, "session:big"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sealed, err := v.Seal(tc.plaintext, tc.aad)
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			// The plaintext must not show through: a sealed password
			// readable in a database dump defeats the vault.
			if len(tc.plaintext) >= 4 && bytes.Contains(sealed, tc.plaintext) {
				t.Errorf("sealed value contains the plaintext")
			}
			got, err := v.Open(sealed, tc.aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Errorf("Open = %q, want %q", got, tc.plaintext)
			}
		})
	}
}

// TestOpenOtherRow checks that the row identity is bound to the ciphertext:
// a value copied from one row to another (by a bug, or by someone with write
// access to the database) does not open.
func TestOpenOtherRow(t *testing.T) {
	t.Parallel()
	v := newVault(t)
	sealed, err := v.Seal([]byte("Everyday"), "login:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, aad := range []string{"login:2", "session:1", "login:1 ", "login:", "", "LOGIN:1"} {
		if _, err := v.Open(sealed, aad); !errors.Is(err, ErrOpen) {
			t.Errorf("Open with aad %q: %v, want ErrOpen", aad, err)
		}
	}
}

// TestTamper flips every bit of a sealed value in turn, and truncates and
// extends it: none of it may open, whether the change hits the header, the
// nonce, the ciphertext or the tag.
func TestTamper(t *testing.T) {
	t.Parallel()
	v := newVault(t)
	const aad = "login:1"
	sealed, err := v.Seal([]byte("a 16-byte secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		for bit := range 8 {
			b := bytes.Clone(sealed)
			b[i] ^= 1 << bit
			if _, err := v.Open(b, aad); !errors.Is(err, ErrOpen) {
				t.Fatalf("Open with byte %d bit %d flipped: %v, want ErrOpen", i, bit, err)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := v.Open(sealed[:n], aad); !errors.Is(err, ErrOpen) {
			t.Fatalf("Open of the first %d bytes: %v, want ErrOpen", n, err)
		}
	}
	if _, err := v.Open(append(bytes.Clone(sealed), 0), aad); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with a byte appended: %v, want ErrOpen", err)
	}
	// The untouched value still opens: the failures above are the
	// tampering's, not the vault's.
	if _, err := v.Open(sealed, aad); err != nil {
		t.Fatalf("Open of the original: %v", err)
	}
}

func TestOtherKey(t *testing.T) {
	t.Parallel()
	a, b := newVault(t), newVault(t)
	sealed, err := a.Seal([]byte("Everyday"), "login:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(sealed, "login:1"); !errors.Is(err, ErrOpen) {
		t.Errorf("Open under another key: %v, want ErrOpen", err)
	}
	// Relabelling the value with the other key's id gets past the header
	// check but not the authentication.
	forged := bytes.Clone(sealed)
	binary.BigEndian.PutUint32(forged[1:headerSize], b.id)
	if _, err := b.Open(forged, "login:1"); !errors.Is(err, ErrOpen) {
		t.Errorf("Open of a value relabelled with the other key's id: %v, want ErrOpen", err)
	}
}

// TestNonceIsRandom checks that sealing the same plaintext twice gives
// different values: a deterministic nonce under GCM would repeat, which
// reveals equal passwords and breaks the cipher's authentication.
func TestNonceIsRandom(t *testing.T) {
	t.Parallel()
	v := newVault(t)
	seen := make(map[string]bool)
	nonces := make(map[string]bool)
	for range 100 {
		sealed, err := v.Seal([]byte("Everyday"), "login:1")
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(sealed)] {
			t.Fatalf("Seal returned the same value twice")
		}
		seen[string(sealed)] = true
		nonce := string(sealed[headerSize : headerSize+v.aead.NonceSize()])
		if nonces[nonce] {
			t.Fatalf("Seal reused a nonce")
		}
		nonces[nonce] = true
	}
}

// TestNewKeySize checks that New takes only 32-byte keys; AES itself would
// accept 16 and 24, silently weakening the vault.
func TestNewKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 16, 24, 31, 33, 64} {
		v, err := New(make([]byte, n))
		if err == nil || v != nil {
			t.Errorf("New with a %d-byte key = %v, %v; want an error", n, v, err)
		}
	}
	if _, err := New(make([]byte, KeySize)); err != nil {
		t.Errorf("New with a %d-byte key: %v", KeySize, err)
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	t.Parallel()
	// A directory that does not exist yet: a first start creates it.
	path := filepath.Join(t.TempDir(), "state", "keys", "master.key")

	keys, created, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("first LoadOrCreateKeyFile: %v", err)
	}
	if !created || len(keys) != 1 || len(keys[0]) != KeySize {
		t.Fatalf("first LoadOrCreateKeyFile = %d keys, created %v; want one key, created", len(keys), created)
	}
	key := keys[0]
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// Windows has no Unix permission bits to check.
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}

	ring, created, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("second LoadOrCreateKeyFile: %v", err)
	}
	again := ring[0]
	if created || len(ring) != 1 || !bytes.Equal(again, key) {
		t.Errorf("second LoadOrCreateKeyFile: created %v, same key %v; want the first key, not created", created, bytes.Equal(again, key))
	}

	// The key works, and values sealed before a restart open after it.
	v1, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := New(again)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := v1.Seal([]byte("Everyday"), "login:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Open(sealed, "login:1"); err != nil {
		t.Errorf("Open under the reloaded key: %v", err)
	}

	// No temporary file is left behind.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file", len(entries))
	}
}

// TestLoadKeyFileFormats checks what a hand-written or damaged key file
// gives: a key written by an operator loads, and anything else is refused
// with an error that names the file, never replaced by a new key (which
// would make every sealed value unreadable).
func TestLoadKeyFileFormats(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xab}, KeySize)
	tests := []struct {
		name    string
		content string
		want    []byte // nil: an error
	}{
		{"as written", hex.EncodeToString(key) + "\n", key},
		{"no newline", hex.EncodeToString(key), key},
		{"upper case and blanks", "  " + strings.ToUpper(hex.EncodeToString(key)) + "\r\n\n", key},
		{"empty", "", nil},
		{"garbage", "this is not a key\n", nil},
		{"odd hex", hex.EncodeToString(key)[1:], nil},
		{"short key", hex.EncodeToString(key[:16]) + "\n", nil},
		{"long key", hex.EncodeToString(append(key, 0)) + "\n", nil},
		{"raw bytes", string(key), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, created, err := LoadOrCreateKeyFile(path)
			if tc.want != nil {
				if err != nil || created || len(got) != 1 || !bytes.Equal(got[0], tc.want) {
					t.Errorf("LoadOrCreateKeyFile = %x, %v, %v; want %x, false, nil", got, created, err, tc.want)
				}
				return
			}
			if err == nil || got != nil || created {
				t.Fatalf("LoadOrCreateKeyFile = %x, %v, %v; want an error", got, created, err)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "32-byte hex key") {
				t.Errorf("error %q does not name the file and what it should hold", msg)
			}
			// The bad file is left as it was, for the operator to fix.
			if data, _ := os.ReadFile(path); string(data) != tc.content {
				t.Errorf("the key file was rewritten")
			}
		})
	}

	t.Run("directory", func(t *testing.T) {
		t.Parallel()
		// A directory where the file should be: an error, not a new key.
		if _, _, err := LoadOrCreateKeyFile(t.TempDir()); err == nil {
			t.Errorf("LoadOrCreateKeyFile of a directory succeeded")
		}
	})
}

// TestLoadOrCreateKeyFileConcurrent starts many loaders on the same missing
// file, as several processes starting at once would: they must agree on one
// key, and exactly one of them creates it.
func TestLoadOrCreateKeyFileConcurrent(t *testing.T) {
	t.Parallel()
	const n = 32
	path := filepath.Join(t.TempDir(), "master.key")
	keys := make([][]byte, n)
	created := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			var ring [][]byte
			ring, created[i], errs[i] = LoadOrCreateKeyFile(path)
			if len(ring) > 0 {
				keys[i] = ring[0]
			}
		})
	}
	close(start)
	wg.Wait()

	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("loader %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("loaders 0 and %d got different keys", i)
		}
		if created[i] {
			creators++
		}
	}
	if creators != 1 {
		t.Errorf("%d loaders report creating the key, want 1", creators)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file", len(entries))
	}
}

// payload is the size of a typical sealed session: a password, a few
// answers and a connector state.
var payload = bytes.Repeat([]byte("x"), 200)

// BenchmarkSeal measures sealing a 200-byte payload.
func BenchmarkSeal(b *testing.B) {
	v := newVault(b)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Seal(payload, "session:0123456789abcdef"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures opening a sealed 200-byte payload.
func BenchmarkOpen(b *testing.B) {
	v := newVault(b)
	sealed, err := v.Seal(payload, "session:0123456789abcdef")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Open(sealed, "session:0123456789abcdef"); err != nil {
			b.Fatal(err)
		}
	}
}
