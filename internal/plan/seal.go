package plan

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// macPrefix starts a plan's MAC; 64 hex digits follow.
const macPrefix = "hmac-sha256:"

// MACPlaceholder stands in a plan file for its MAC while the MAC is
// computed: a string of the MAC's length that no MAC is.
var MACPlaceholder = macPrefix + strings.Repeat("0", 64)

// Seal is what a plan file's MAC says of it.
type Seal int

const (
	// Sealed: the MAC checks out under the key: the key's holder wrote
	// exactly these bytes.
	Sealed Seal = iota
	// Unsealed: the file has no MAC (an older wpimport's, or removed).
	Unsealed
	// BadSeal: the MAC does not check out: the file was changed after it
	// was sealed, or sealed under another key (another user or machine).
	BadSeal
)

// Marshal returns the plan's JSON, sealed with key unless key is nil: it
// is written with MACPlaceholder as its MAC, then the HMAC-SHA256 of those
// bytes under key takes the placeholder's place.
func (p *Plan) Marshal(key []byte) ([]byte, error) {
	p.MAC = ""
	if key != nil {
		p.MAC = MACPlaceholder
	}
	data, err := json.MarshalIndent(p, "", " ")
	if err != nil || key == nil {
		return data, err
	}
	i := bytes.Index(data, []byte(MACPlaceholder))
	p.MAC = mac(key, data)
	copy(data[i:], p.MAC)
	return data, nil
}

// CheckSeal says whether data, a plan file's bytes whose "mac" field
// claims claimed, was sealed under key: the first occurrence of claimed
// goes back to MACPlaceholder and the HMAC of the result must be claimed.
func CheckSeal(data []byte, claimed string, key []byte) Seal {
	if claimed == "" {
		return Unsealed
	}
	if len(claimed) != len(MACPlaceholder) || !strings.HasPrefix(claimed, macPrefix) || claimed == MACPlaceholder {
		return BadSeal
	}
	i := bytes.Index(data, []byte(claimed))
	if i < 0 {
		return BadSeal // "mac" was written with escapes: not as wpimport writes it
	}
	b := bytes.Clone(data)
	copy(b[i:], MACPlaceholder)
	if !hmac.Equal([]byte(mac(key, b)), []byte(claimed)) {
		return BadSeal
	}
	return Sealed
}

func mac(key, data []byte) string {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	return macPrefix + hex.EncodeToString(h.Sum(nil))
}
