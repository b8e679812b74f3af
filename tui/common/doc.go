// Package common holds what every page shares: styles, the keymap, the
// screen size, the async call helpers and the error view. It has no
// package state; one Common value is built per program and passed down.
package common
