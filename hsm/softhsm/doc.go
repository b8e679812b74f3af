// Package softhsm makes throwaway SoftHSM2 token directories and tokens for
// tests and `signbox demo`. It is not for production keys.
//
// SoftHSM reads its configuration file from the SOFTHSM2_CONF environment
// variable once, at C_Initialize, and a process initialises a PKCS#11
// library once. So a process can use exactly one Dir: the first
// InitToken points SOFTHSM2_CONF at it, and using a second Dir in the same
// process is an error rather than a token silently created elsewhere.
// Separate processes (the signbox CLI, testscript subprocesses) pick their
// own Dir by setting SOFTHSM2_CONF before they start.
//
// Tokens are initialised through PKCS#11 (C_InitToken and C_InitPIN) in
// this process, not with softhsm2-util, whose only way to take PINs is on
// its command line, where every user of the machine can read them.
package softhsm
