//! Writing NumPy `.npy` files (format version 1.0): magic, version, a header dict padded with spaces and a
//! newline so the data starts at a multiple of 64 bytes, then the little-endian C-ordered data.

use std::io::{self, Write};

/// An array's element data.
#[derive(Debug, Clone, Copy)]
pub enum NpyData<'a> {
    /// `|u1`
    U8(&'a [u8]),
    /// `<i8`
    I64(&'a [i64]),
    /// `<f4`
    F32(&'a [f32]),
    /// `<f8`
    F64(&'a [f64]),
    /// `<U{n}`: fixed-width unicode, `n` the longest string's code points (NumPy's `str` arrays).
    Str(&'a [String]),
}

impl NpyData<'_> {
    fn descr(&self) -> String {
        match self {
            NpyData::U8(_) => "|u1".into(),
            NpyData::I64(_) => "<i8".into(),
            NpyData::F32(_) => "<f4".into(),
            NpyData::F64(_) => "<f8".into(),
            NpyData::Str(v) => format!("<U{}", str_width(v)),
        }
    }

    fn len(&self) -> usize {
        match self {
            NpyData::U8(v) => v.len(),
            NpyData::I64(v) => v.len(),
            NpyData::F32(v) => v.len(),
            NpyData::F64(v) => v.len(),
            NpyData::Str(v) => v.len(),
        }
    }
}

/// Code points of the longest string (at least 1: NumPy has no `<U0` of its own making).
fn str_width(v: &[String]) -> usize {
    v.iter().map(|s| s.chars().count()).max().unwrap_or(0).max(1)
}

/// The header (magic, version, length, dict, padding) of an array with this dtype and shape.
fn header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let dims = match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    // Magic (6) + version (2) + length (2) + dict + newline, padded to a multiple of 64.
    let unpadded = 10 + dict.len() + 1;
    dict.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    // A dict this short always fits version 1.0's 16-bit length.
    out.extend((dict.len() as u16).to_le_bytes());
    out.extend(dict.as_bytes());
    out
}

/// Writes `data` with `shape` as a `.npy` file; the shape's product must equal the data length.
pub fn write_npy<W: Write>(out: &mut W, shape: &[usize], data: NpyData<'_>) -> io::Result<()> {
    if shape.iter().product::<usize>() != data.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("shape {shape:?} does not hold {} values", data.len()),
        ));
    }
    out.write_all(&header(&data.descr(), shape))?;
    match data {
        NpyData::U8(v) => out.write_all(v),
        NpyData::I64(v) => write_le(out, v.iter().map(|x| x.to_le_bytes())),
        NpyData::F32(v) => write_le(out, v.iter().map(|x| x.to_le_bytes())),
        NpyData::F64(v) => write_le(out, v.iter().map(|x| x.to_le_bytes())),
        NpyData::Str(v) => {
            let width = str_width(v);
            let padded =
                v.iter().flat_map(|s| s.chars().map(u32::from).chain(std::iter::repeat(0)).take(width));
            write_le(out, padded.map(u32::to_le_bytes))
        }
    }
}

/// Writes fixed-size little-endian values through a buffer.
fn write_le<W: Write, const N: usize>(out: &mut W, values: impl Iterator<Item = [u8; N]>) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    for v in values {
        buf.extend_from_slice(&v);
        if buf.len() >= 64 * 1024 - N {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// The bytes of a `.npy` file holding `data` with `shape`.
pub fn npy_bytes(shape: &[usize], data: NpyData<'_>) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    write_npy(&mut out, shape, data)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_data_follows() {
        let v = [1.5f64, f64::NAN];
        let b = npy_bytes(&[2], NpyData::F64(&v)).unwrap();
        let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        assert_eq!(b[10 + hlen - 1], b'\n');
        let dict = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
        assert!(dict.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"), "{dict}");
        assert_eq!(&b[10 + hlen..10 + hlen + 8], &1.5f64.to_le_bytes());
        assert_eq!(b.len(), 10 + hlen + 16);
        let img = npy_bytes(&[1, 2, 3], NpyData::U8(&[0; 6])).unwrap();
        assert!(String::from_utf8_lossy(&img).contains("'shape': (1, 2, 3)"));
        assert!(npy_bytes(&[3], NpyData::U8(&[0; 2])).is_err());
    }

    #[test]
    fn strings_are_fixed_width_utf32_and_read_back() {
        let names = ["cat".to_string(), "один".to_string(), String::new()];
        let b = npy_bytes(&[3], NpyData::Str(&names)).unwrap();
        let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert!(String::from_utf8_lossy(&b[10..10 + hlen]).starts_with("{'descr': '<U4',"));
        assert_eq!(b.len(), 10 + hlen + 3 * 4 * 4);
        assert_eq!(&b[10 + hlen..10 + hlen + 8], &[b'c', 0, 0, 0, b'a', 0, 0, 0]);
        let back = crate::data::npy::parse(b).unwrap().strings().unwrap();
        assert_eq!(back, names);
    }
}
