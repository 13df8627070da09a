//! cargo-fuzz target: `harness::csv` (an imported score CSV) on arbitrary bytes; any outcome is fine but a
//! panic, a hang, a huge allocation, or a rejection message with a line break or another control character
//! in it.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    if let Err(e) = harness::csv(input) {
        // A rejection is one printable line (the CLI would escape the rest, but the reader should not
        // need it).
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }
});
