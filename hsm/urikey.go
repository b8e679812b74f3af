package hsm

import "bytes"

// keyType is the RFC 7512 "type" of a key's object: a secret key for
// HMAC keys, else the private half of a key pair.
func keyType(k KeyInfo) string {
	if k.Algorithm == HMACSHA256 {
		return "secret-key"
	}
	return "private"
}

// SelectsKey reports whether u's object attributes (object, id, type)
// select k; a URI without them selects every key. Certificates and data
// objects are never keys.
func (u URI) SelectsKey(k KeyInfo) bool {
	switch {
	case u.Object != "" && u.Object != k.Label:
		return false
	case u.ID != nil && !bytes.Equal(u.ID, k.ID):
		return false
	case u.Type == "public":
		return k.Public != nil
	case u.Type != "" && u.Type != keyType(k):
		return false
	}
	return true
}

// KeyURI is the RFC 7512 URI of one key on the token t describes: token
// label and serial, the key's label and CKA_ID, and its object type, in a
// form p11tool and other PKCS#11 tools accept.
func (t TokenSummary) KeyURI(k KeyInfo) string {
	return URI{Token: t.Label, Serial: t.Serial, Object: k.Label, ID: k.ID, Type: keyType(k)}.String()
}
