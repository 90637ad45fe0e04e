package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// The headers of a delivery.
const (
	// SignatureHeader carries the signature, under the name of Flinks' API
	// reference.
	SignatureHeader = "flinks-authenticity-key"
	// DeliveryHeader carries the delivery's ID, the same on every attempt
	// and replay, so that a receiver can ignore one it already has.
	DeliveryHeader = "Bankfeed-Delivery-Id"
	// AttemptHeader carries the attempt's number, from 1.
	AttemptHeader = "Bankfeed-Delivery-Attempt"
)

// Sign returns the signature of a delivery's body, as Flinks computes it:
// the Base64 (standard, padded) of HMAC-SHA256 of the raw body bytes, keyed
// by the secret's UTF-8 bytes.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is the signature of body under secret,
// in constant time: what a receiver does.
func Verify(secret string, body []byte, signature string) bool {
	want, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(mac.Sum(nil), want)
}

// NewSecret returns a new random signing secret: 32 random bytes in hex.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + hex.EncodeToString(b)
}
