// Package config owns taobot's single YAML configuration file: its schema,
// the defaults for every optional setting, strict decoding (an unknown or
// misspelt key is an error with its line), validation that reports every
// problem at once, and the API secrets, which come only from the environment
// or a private key file, never from the YAML.
//
// It must not open network connections, start goroutines or log: it turns
// bytes and the environment into a checked Config (or a list of problems)
// and nothing else. Packages that use a section read their fields; the
// field names here are the user's vocabulary, documented in docs/config.md.
package config
