package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRingRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := randomKey(t), randomKey(t)
	before, err := NewRing([][]byte{oldKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sealedOld, err := before.Seal([]byte("Everyday"), "login/1")
	if err != nil {
		t.Fatal(err)
	}
	// During a rotation: the new key seals, both open.
	during, err := NewRing([][]byte{newKey, oldKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if during.PrimaryID() != KeyID(newKey) || !during.Holds(KeyID(oldKey)) || len(during.IDs()) != 2 {
		t.Fatalf("ring ids %x, primary %08x", during.IDs(), during.PrimaryID())
	}
	sealedNew, err := during.Seal([]byte("Everyday"), "login/1")
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := KeyIDOf(sealedNew); id != KeyID(newKey) {
		t.Errorf("sealed under %08x, want the primary %08x", id, KeyID(newKey))
	}
	for _, sealed := range [][]byte{sealedOld, sealedNew} {
		if got, err := during.Open(sealed, "login/1"); err != nil || string(got) != "Everyday" {
			t.Errorf("Open during rotation = %q, %v", got, err)
		}
	}
	// After: the old key is gone, and so is what it alone sealed.
	after, err := NewRing([][]byte{newKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.Open(sealedOld, "login/1"); !errors.Is(err, ErrOpen) || !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open under a dropped key: %v, want ErrOpen and ErrUnknownKey", err)
	}
	if _, err := NewRing(nil, nil); err == nil {
		t.Error("NewRing with no key succeeded")
	}
	if _, err := NewRing([][]byte{make([]byte, 16)}, nil); err == nil {
		t.Error("NewRing with a short key succeeded")
	}
}

// TestRingFollowsKeyFile checks that a ring built on a key file picks up a
// rewritten file: at once for a value sealed under a key it lacks, and
// within the refresh interval for the key it seals with.
func TestRingFollowsKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	oldKey, newKey := randomKey(t), randomKey(t)
	if err := WriteKeyFile(path, [][]byte{oldKey}); err != nil {
		t.Fatal(err)
	}
	load := func() ([][]byte, error) { return ReadKeyFile(path) }
	keys, err := load()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	r, err := NewRing(keys, load)
	if err != nil {
		t.Fatal(err)
	}
	r.now = clock
	r.checked.Store(clock().UnixNano())

	// Another process rotates: new key first.
	other, err := NewRing([][]byte{newKey, oldKey}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(path, [][]byte{newKey, oldKey}); err != nil {
		t.Fatal(err)
	}
	sealed, err := other.Seal([]byte("Montreal"), "session/1")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Open(sealed, "session/1"); err != nil || string(got) != "Montreal" {
		t.Fatalf("Open of a value under a key added to the file = %q, %v", got, err)
	}
	// The reload made the new key primary too.
	if r.PrimaryID() != KeyID(newKey) {
		t.Errorf("primary %08x after reload, want %08x", r.PrimaryID(), KeyID(newKey))
	}

	// The rotation ends: only the new key. Within the interval the ring
	// does not read the file; after it, the next seal does.
	if err := WriteKeyFile(path, [][]byte{newKey}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Seal([]byte("x"), "a"); err != nil {
		t.Fatal(err)
	}
	if !r.Holds(KeyID(oldKey)) {
		t.Errorf("the ring read the file before the interval passed")
	}
	mu.Lock()
	now = now.Add(RefreshInterval + time.Millisecond)
	mu.Unlock()
	if _, err := r.Seal([]byte("x"), "a"); err != nil {
		t.Fatal(err)
	}
	if r.Holds(KeyID(oldKey)) || !r.Holds(KeyID(newKey)) {
		t.Errorf("after the interval the ring holds %x", r.IDs())
	}

	// A broken file keeps the keys in hand.
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err == nil {
		t.Error("Reload of a broken file succeeded")
	}
	if got, err := r.Open(sealed, "session/1"); err != nil || string(got) != "Montreal" {
		t.Errorf("Open after a failed reload = %q, %v", got, err)
	}
}

func TestDataKey(t *testing.T) {
	t.Parallel()
	master := randomKey(t)
	r, err := NewRing([][]byte{master}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dk, wrapped, err := r.NewDataKey("datakey/c/l")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := dk.Seal([]byte("Everyday"), "login/c/l")
	if err != nil {
		t.Fatal(err)
	}
	// The wrapped key opens only for its row, and only with the master key.
	if _, err := r.OpenDataKey(wrapped, "datakey/c/other"); !errors.Is(err, ErrOpen) {
		t.Errorf("OpenDataKey for another row: %v, want ErrOpen", err)
	}
	other, _ := NewRing([][]byte{randomKey(t)}, nil)
	if _, err := other.OpenDataKey(wrapped, "datakey/c/l"); !errors.Is(err, ErrOpen) {
		t.Errorf("OpenDataKey under another master key: %v, want ErrOpen", err)
	}
	again, err := r.OpenDataKey(wrapped, "datakey/c/l")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, "login/c/l"); err != nil || string(got) != "Everyday" {
		t.Errorf("Open with the unwrapped data key = %q, %v", got, err)
	}
	// The data key is not the master key, and neither shows in the
	// wrapped form.
	if _, err := r.Open(sealed, "login/c/l"); err == nil {
		t.Error("the master key opened a value sealed with a data key")
	}
	if bytes.Contains(wrapped, master) {
		t.Error("the wrapped data key contains the master key")
	}
	// Rewrapping under a new master key keeps the data key.
	nextKey := randomKey(t)
	next, _ := NewRing([][]byte{nextKey, master}, nil)
	plain, err := next.Open(wrapped, "datakey/c/l")
	if err != nil {
		t.Fatal(err)
	}
	rewrapped, err := next.Seal(plain, "datakey/c/l")
	if err != nil {
		t.Fatal(err)
	}
	final, _ := NewRing([][]byte{nextKey}, nil)
	dk2, err := final.OpenDataKey(rewrapped, "datakey/c/l")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := dk2.Open(sealed, "login/c/l"); err != nil || string(got) != "Everyday" {
		t.Errorf("Open after rewrapping = %q, %v", got, err)
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	a, b := bytes.Repeat([]byte{0xaa}, KeySize), bytes.Repeat([]byte{0xbb}, KeySize)
	ha, hb := hex.EncodeToString(a), hex.EncodeToString(b)
	tests := []struct {
		name, text string
		want       [][]byte // nil: an error
	}{
		{"one", ha, [][]byte{a}},
		{"lines", ha + "\n" + hb + "\n", [][]byte{a, b}},
		{"commas and spaces", " " + hb + " , " + ha, [][]byte{b, a}},
		{"comments and blanks", "# primary\n\n" + ha + "\r\n# old\n" + hb, [][]byte{a, b}},
		{"a repeated key counts once", ha + "\n" + ha, [][]byte{a}},
		{"empty", "", nil},
		{"only comments", "# nothing\n", nil},
		{"one bad key", ha + "\nnot-hex", nil},
		{"short", ha[:32], nil},
	}
	for _, tt := range tests {
		got, err := ParseKeys(tt.text)
		if tt.want == nil {
			if err == nil {
				t.Errorf("%s: ParseKeys = %x, want an error", tt.name, got)
			} else if strings.Contains(err.Error(), ha[:16]) || strings.Contains(err.Error(), hb[:16]) {
				t.Errorf("%s: the error shows key material: %v", tt.name, err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%s: ParseKeys = %x, %v; want %x", tt.name, got, err, tt.want)
			continue
		}
		for i := range got {
			if !bytes.Equal(got[i], tt.want[i]) {
				t.Errorf("%s: key %d = %x, want %x", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

func TestWriteKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	keys := [][]byte{randomKey(t), randomKey(t)}
	if err := WriteKeyFile(path, keys); err != nil {
		t.Fatal(err)
	}
	got, err := ReadKeyFile(path)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], keys[0]) || !bytes.Equal(got[1], keys[1]) {
		t.Fatalf("ReadKeyFile = %x, %v", got, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add(hex.EncodeToString(bytes.Repeat([]byte{1}, KeySize)))
	f.Add("# c\n" + hex.EncodeToString(bytes.Repeat([]byte{2}, KeySize)) + ",zz")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		keys, err := ParseKeys(text)
		if err != nil {
			if keys != nil {
				t.Fatalf("keys %x with error %v", keys, err)
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("no keys and no error")
		}
		for _, k := range keys {
			if len(k) != KeySize {
				t.Fatalf("a %d-byte key", len(k))
			}
		}
		if _, err := NewRing(keys, nil); err != nil {
			t.Fatalf("NewRing of parsed keys: %v", err)
		}
	})
}
