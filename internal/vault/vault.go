// Package vault seals secrets at rest: bank credentials, stored MFA answers
// and connector state. Sealing is AES-256-GCM with the identity of the row
// that holds the ciphertext as additional authenticated data, so a ciphertext
// copied to another row does not open.
//
// A sealed value starts with a version byte and the id of the key that sealed
// it, so that a Ring of several keys knows which one opens it.
//
// Two levels of keys: master keys (a Ring) seal short-lived values and wrap
// data keys; a data key per login seals that login's secrets, so that
// destroying the wrapped data key makes them unreadable, and rotating the
// master key rewraps a small key per login rather than every secret.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the size of a master key: 32 bytes, for AES-256.
const KeySize = 32

const (
	formatV1   = 1
	headerSize = 1 + 4 // version, key id
)

// ErrOpen is returned when a sealed value cannot be opened: wrong key,
// wrong row, or tampered bytes.
var ErrOpen = errors.New("vault: sealed value cannot be opened")

// Vault seals and opens values with one master key. It is safe for
// concurrent use.
type Vault struct {
	id   uint32
	aead cipher.AEAD
}

// New returns a vault sealing with key, which must be KeySize bytes.
func New(key []byte) (*Vault, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("vault: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{id: KeyID(key), aead: aead}, nil
}

// KeyID identifies a key without revealing it: the first four bytes of its
// SHA-256.
func KeyID(key []byte) uint32 {
	sum := sha256.Sum256(key)
	return binary.BigEndian.Uint32(sum[:4])
}

// Seal encrypts plaintext for the row named by aad.
func (v *Vault) Seal(plaintext []byte, aad string) ([]byte, error) {
	nonceSize := v.aead.NonceSize()
	out := make([]byte, headerSize+nonceSize, headerSize+nonceSize+len(plaintext)+v.aead.Overhead())
	out[0] = formatV1
	binary.BigEndian.PutUint32(out[1:headerSize], v.id)
	nonce := out[headerSize:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return v.aead.Seal(out, nonce, plaintext, []byte(aad)), nil
}

// Open decrypts a value sealed for the row named by aad.
func (v *Vault) Open(sealed []byte, aad string) ([]byte, error) {
	nonceSize := v.aead.NonceSize()
	if len(sealed) < headerSize+nonceSize+v.aead.Overhead() || sealed[0] != formatV1 {
		return nil, ErrOpen
	}
	if binary.BigEndian.Uint32(sealed[1:headerSize]) != v.id {
		return nil, fmt.Errorf("%w: sealed under key %08x, this vault holds key %08x", ErrOpen, binary.BigEndian.Uint32(sealed[1:headerSize]), v.id)
	}
	nonce := sealed[headerSize : headerSize+nonceSize]
	plain, err := v.aead.Open(nil, nonce, sealed[headerSize+nonceSize:], []byte(aad))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// LoadOrCreateKeyFile reads the key ring of the key file at path, creating
// the file with one new random key (mode 0600) when it does not exist.
// created reports whether it did.
func LoadOrCreateKeyFile(path string) (keys [][]byte, created bool, err error) {
	keys, err = ReadKeyFile(path)
	if err == nil {
		return keys, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	key, err := NewKey()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	// Write a temporary file, then link it into place: the link fails if
	// another process got there first, and no reader ever sees a half-written
	// key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if _, err := tmp.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKeyFile(path)
		}
		return nil, false, err
	}
	return [][]byte{key}, true, nil
}
