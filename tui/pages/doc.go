// Package pages holds one sub-package per screen. Each page is a
// common.Component: Update and View are pure, engine calls run in
// commands started with common.Start, and each page reports what the
// operator chose with its own typed messages, which the root model turns
// into the next screen.
package pages
