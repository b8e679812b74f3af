// Package components holds the small widgets pages are built from; each
// lives in its own sub-package.
package components
