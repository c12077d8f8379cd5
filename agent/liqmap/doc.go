// Package liqmap is the liquidation map: a pure, deterministic model of where
// leveraged TAOUSDT positions were force-closed (realized layer, from
// forceOrder prints) and where they would be (estimated layer, projected from
// open-interest changes), with decay, velocity, round-number tags, cluster
// queries, the OI/price regime, versioned snapshots and a text rendering.
//
// It must not do I/O, read a clock, start goroutines or hold package state:
// time comes from event times and the now arguments; one goroutine owns a Map.
package liqmap
