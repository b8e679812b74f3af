package anchor

// MaxEnvelope bounds an anchor envelope: a few hundred products and
// thousands of closed ceremonies fit in well under 256 KiB, while the
// token's data object limit (hsm) is the hard ceiling.
const MaxEnvelope = 256 << 10

// MaxClosed bounds the closed-ceremony list. An appliance that ran more
// ceremonies than this needs a new anchor format that summarises them.
const MaxClosed = 4000

// MaxProducts bounds the floors map.
const MaxProducts = 256
