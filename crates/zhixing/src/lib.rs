//! The `zhixing` binary's library part: wiring (where data lives, opening
//! the store, shipped reference data) and the demo data generator, shared
//! by the `zhixing` CLI and the `zhixing-bench` load generator.

pub mod app;
pub mod demo;
