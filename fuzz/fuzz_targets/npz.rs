//! cargo-fuzz target: `harness::npz` on arbitrary bytes; any outcome but a panic, a hang or a huge
//! allocation is fine.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    let _ = harness::npz(input);
});
