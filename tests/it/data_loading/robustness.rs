//! Mutated files of every format load or fail, never panic.

use super::*;

/// Randomly truncates, overwrites or extends `bytes`.
fn mutate(bytes: &[u8], rng: &mut rand_chacha::ChaCha8Rng) -> Vec<u8> {
    use rand::Rng;
    let mut v = bytes.to_vec();
    match rng.random_range(0..4) {
        0 => v.truncate(rng.random_range(0..=v.len())),
        1 => v.extend((0..rng.random_range(1..20)).map(|_| rng.random::<u8>())),
        _ => {
            for _ in 0..rng.random_range(1..4) {
                // Favour the headers, where sizes and magic numbers live.
                let hi = if rng.random_bool(0.7) { v.len().min(128) } else { v.len() };
                if hi > 0 {
                    let at = rng.random_range(0..hi);
                    v[at] = rng.random();
                }
            }
        }
    }
    v
}

#[test]
fn mutated_files_never_panic() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let root = tempfile::tempdir().unwrap();
    let (idx, images) = idx_dir(root.path(), "idx", true, false);
    let idx_clean = std::fs::read(&images).unwrap();
    let npz = root.path().join("m.npz");
    let x: Vec<u8> = (0..12u8).map(|v| (f32::from(v) / 12.0).to_le_bytes()).collect::<Vec<_>>().concat();
    let (x_npy, y_npy) =
        (npy("<f4", "(3, 2, 2)", &x, false), npy("<i8", "(3,)", &i64_bytes(&[0, 1, 2]), false));
    write_npz(&npz, &[("x.npy", x_npy.clone()), ("y.npy", y_npy.clone())]);
    let npz_clean = std::fs::read(&npz).unwrap();
    let cifar = root.path().join("cifar");
    std::fs::create_dir(&cifar).unwrap();
    let cifar_clean = [cifar_record(&[1], 3), cifar_record(&[2], 4)].concat();
    let pets = image_folder(root.path());
    let png_clean = std::fs::read(pets.join("cat/a.png")).unwrap();
    for _ in 0..150 {
        std::fs::write(&images, mutate(&idx_clean, &mut rng)).unwrap();
        let _ = load(&idx, &opts());
        write(&images, &mutate(&idx_clean, &mut rng), true);
        let _ = load(&idx, &opts());
        std::fs::write(&npz, mutate(&npz_clean, &mut rng)).unwrap();
        let _ = load(&npz, &opts());
        write_npz(&npz, &[("x.npy", mutate(&x_npy, &mut rng)), ("y.npy", mutate(&y_npy, &mut rng))]);
        let _ = load(&npz, &opts());
        std::fs::write(cifar.join("data_batch_1.bin"), mutate(&cifar_clean, &mut rng)).unwrap();
        let _ = load(&cifar, &opts());
        std::fs::write(pets.join("cat/a.png"), mutate(&png_clean, &mut rng)).unwrap();
        let _ = load(&pets, &opts());
    }
}
