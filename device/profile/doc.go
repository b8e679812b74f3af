// Package profile is the one interface every device family signbox signs
// firmware for sits behind: ESP32 chips with Secure Boot V2
// (signbox/device/esp) and MCUboot devices (signbox/device/mcuboot). A
// product in the policy names its family, its chip or board, and its keys;
// code that must work for any product (policy validation, `image info`,
// the `device` commands, later the ceremony and bundles) asks the
// product's [Family] instead of importing a format package.
//
// A Family answers: which targets (chips, boards) it knows; which key
// algorithms a target's boot ROM or bootloader verifies (named as
// hsm.Algorithm and policy.Algorithm name them); whether a file is one of
// its images; how to describe one; how to sign a raw build with HSM keys;
// and how to verify a signed image against public keys and a rollback
// floor, returning [Facts] in family-neutral terms.
//
// Imports are one-way: profile imports the format packages and the
// MCUboot emulator (for a board's flash geometry); nothing it imports
// imports it.
package profile
