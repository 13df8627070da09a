//! What a GPU user meets first. The CUDA build links the NVIDIA driver library, so it cannot even start
//! on a machine without one; cscore therefore ships as two binaries side by side: the CPU build `cscore`,
//! which runs everywhere, and the CUDA build `cscore-cuda`. Asked for `--device cuda`, the CPU build hands
//! the whole command over to `cscore-cuda` (replacing its own process), after checking that it can start;
//! otherwise it says in one line what is missing and that `--device cpu` works.

use anyhow::anyhow;
use std::path::{Path, PathBuf};

/// Where the CUDA build is looked for instead of beside this binary.
const CUDA_BIN_VAR: &str = "CSCORE_CUDA_BIN";

/// The binary's version, marked when it is the CUDA build (the hand-over checks the mark).
pub const VERSION: &str = if cfg!(feature = "cuda") {
    concat!(env!("CARGO_PKG_VERSION"), " (cuda)")
} else {
    env!("CARGO_PKG_VERSION")
};

/// In the CPU build, hands a `--device cuda` command over to the CUDA build, or says why it cannot;
/// returns `Ok` (and does nothing) for every other device and in the CUDA build.
pub fn hand_over(device: &str) -> anyhow::Result<()> {
    if cfg!(feature = "cuda") || !matches!(device.parse(), Ok(cscore::model::DeviceSpec::Cuda(_))) {
        return Ok(());
    }
    let bin = cuda_binary()?;
    if !bin.exists() {
        return Err(anyhow!(
            "--device {device}: this cscore is the CPU build and there is no CUDA build at {} to hand the \
             work to; build it with `cargo build --release --features cuda` and copy the binary there as \
             cscore-cuda (README, section GPU), or run on the CPU with --device cpu",
            bin.display()
        ));
    }
    probe(&bin, device)?;
    exec(&bin)
}

/// `$CSCORE_CUDA_BIN`, else `cscore-cuda` beside this binary.
fn cuda_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(CUDA_BIN_VAR) {
        return Ok(PathBuf::from(path));
    }
    let me = std::env::current_exe().map_err(|e| anyhow!("--device cuda: cannot locate this binary: {e}"))?;
    Ok(me.with_file_name("cscore-cuda"))
}

/// Runs `BIN --version`: it must start (its libraries load) and be a CUDA build.
fn probe(bin: &Path, device: &str) -> anyhow::Result<()> {
    let out = std::process::Command::new(bin)
        .arg("--version")
        .output()
        .map_err(|e| anyhow!("--device {device}: cannot run {}: {e}", bin.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        if stdout.contains("(cuda)") {
            return Ok(());
        }
        return Err(anyhow!(
            "--device {device}: {} is not a CUDA build (its version: {}); replace it with a binary built \
             with `cargo build --release --features cuda`, or run with --device cpu",
            bin.display(),
            stdout.trim()
        ));
    }
    Err(anyhow!("--device {device}: {}", start_failure(bin, &String::from_utf8_lossy(&out.stderr))))
}

/// Why the CUDA build did not start, from what the dynamic loader (or the binary) printed.
fn start_failure(bin: &Path, stderr: &str) -> String {
    let missing = stderr
        .split("error while loading shared libraries: ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .map(str::trim);
    match missing {
        Some(lib) if lib.starts_with("libcuda.so") => format!(
            "no NVIDIA driver on this machine ({lib} not found): install the NVIDIA driver (`nvidia-smi` \
             should list the GPU), or run on the CPU with --device cpu"
        ),
        Some(lib) => format!(
            "{} needs {lib}, a CUDA library not found on this machine: install the CUDA toolkit of the \
             version it was built with, or add the folder holding {lib} to LD_LIBRARY_PATH (README, section \
             GPU); or run on the CPU with --device cpu",
            bin.display()
        ),
        None => format!(
            "{} --version failed ({}); run on the CPU with --device cpu",
            bin.display(),
            stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim()
        ),
    }
}

/// Replaces this process by the CUDA build with the same arguments.
#[cfg(unix)]
fn exec(bin: &Path) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(bin).args(std::env::args_os().skip(1)).exec();
    Err(anyhow!("--device cuda: cannot run {}: {err}", bin.display()))
}

#[cfg(not(unix))]
fn exec(bin: &Path) -> anyhow::Result<()> {
    let status = std::process::Command::new(bin)
        .args(std::env::args_os().skip(1))
        .status()
        .map_err(|e| anyhow!("--device cuda: cannot run {}: {e}", bin.display()))?;
    std::process::exit(status.code().unwrap_or(1))
}

/// A GPU failure as one line that says what is kept and how to go on on the CPU; other errors unchanged.
pub fn resume_hint(e: anyhow::Error, workspace: &Path) -> anyhow::Error {
    let gpu = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<cscore::Error>(),
            Some(cscore::Error::Model(cscore::model::ModelError::GpuFailed(_)))
        ) || matches!(
            c.downcast_ref::<cscore::model::ModelError>(),
            Some(cscore::model::ModelError::GpuFailed(_))
        )
    });
    if !gpu {
        return e;
    }
    anyhow!(
        "{e}; every run finished before it is saved in {}: run the same command with --device cpu to \
         continue on the CPU (or again on a working GPU)",
        workspace.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_missing_driver_and_a_missing_library() {
        let bin = Path::new("/opt/cscore-cuda");
        let driver = start_failure(
            bin,
            "/opt/cscore-cuda: error while loading shared libraries: libcuda.so.1: cannot open shared \
             object file: No such file or directory\n",
        );
        assert!(driver.starts_with("no NVIDIA driver on this machine (libcuda.so.1 not found)"), "{driver}");
        assert!(driver.contains("--device cpu"));
        let blas = start_failure(
            bin,
            "/opt/cscore-cuda: error while loading shared libraries: libcublas.so.13: cannot open shared \
             object file: No such file or directory\n",
        );
        assert!(blas.contains("needs libcublas.so.13") && blas.contains("LD_LIBRARY_PATH"), "{blas}");
        let other = start_failure(bin, "\nSegmentation fault\n");
        assert!(other.contains("(Segmentation fault)"), "{other}");
    }

    #[test]
    fn a_gpu_failure_says_what_is_kept_and_how_to_go_on() {
        use cscore::model::ModelError;
        let ws = Path::new("mnist.cscore");
        let lost = cscore::Error::Model(ModelError::GpuFailed("CUDA_ERROR_LAUNCH_FAILED".into()));
        let hint = resume_hint(lost.into(), ws).to_string();
        assert!(hint.starts_with("the GPU failed: CUDA_ERROR_LAUNCH_FAILED; every run finished"), "{hint}");
        assert!(hint.contains("saved in mnist.cscore") && hint.contains("--device cpu"), "{hint}");
        let other = cscore::Error::Model(ModelError::Spec("bad".into()));
        assert_eq!(resume_hint(other.into(), ws).to_string(), "bad");
    }
}
